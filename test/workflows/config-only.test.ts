/**
 * Issue 20: a push that changes only configuration does not rebuild images. The decision step of
 * each cd.yml image job is taken from the rendered workflow and run with bash, unchanged, in a
 * temporary git repository, for a config-only commit, a code commit in one service, a tag and a
 * first push; the build steps run only when it says `build=true`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeWorkflows } from '../../src/render/workflows/index.js';
import { filesOf } from '../../src/render/workflows/languages.js';
import { actionlint, inputOf } from './helpers.js';

const SPEC = `
app: shop
registry: ghcr.io/acme
version: 1.0.0
services:
  api:
    build: { context: api }
    port: 8080
    config: [{ path: /etc/api/settings.yaml, from: api/config/settings.yaml }]
  web:
    build: { context: web, dockerfile: web.Dockerfile }
    port: 3000
environments:
  staging: {}
  production: { approval: required }
`;

interface Step {
  id?: string;
  if?: string;
  name?: string;
  run?: string;
  env?: Record<string, string>;
}
const files = writeWorkflows(inputOf(SPEC), { slipwayVersion: '0.1.0', files: filesOf([]) }).files;
const cdText = files.get('.github/workflows/cd.yml')!;
const cd = parse(cdText) as { jobs: Record<string, { steps: Step[]; outputs: Record<string, string> }> };
const decision = (service: string) => cd.jobs[`image-${service}`]!.steps.find((s) => s.id === 'changes')!;

describe('cd.yml image jobs: build, or reuse on a config-only push', () => {
  it('every build, scan, sign and attest step runs only without a reused digest; the job outputs either', async () => {
    const job = cd.jobs['image-api']!;
    const gated = job.steps.filter((s) => /Build and push|Scan|Sign|Attest/.test(s.name ?? ''));
    expect(gated).toHaveLength(4);
    for (const s of gated) expect(s.if, s.name).toBe("steps.reuse.outputs.digest == ''");
    expect(job.steps.find((s) => s.id === 'reuse')!.if).toBe("steps.changes.outputs.build == 'false'");
    expect(job.outputs.digest).toBe('${{ steps.build.outputs.digest || steps.reuse.outputs.digest }}');
    expect(await actionlint(cdText, '.github/workflows/cd.yml')).toEqual([]);
  });
});

describe('the decision step, run with bash against a git repository', () => {
  let repo: string;
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: repo,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@e',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@e',
      },
    }).trim();
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  };
  const commit = (changes: Record<string, string>) => {
    for (const [path, text] of Object.entries(changes)) write(path, text);
    git('add', '-A');
    git('commit', '-qm', 'change');
    return git('rev-parse', 'HEAD');
  };
  /** `build=` for `service` with HEAD as the pushed commit. */
  const decide = (service: string, env: { BEFORE: string; REF_TYPE: string }) => {
    const output = join(repo, '..', 'output');
    writeFileSync(output, '');
    execFileSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', decision(service).run!], {
      cwd: repo,
      env: { ...process.env, ...env, GITHUB_OUTPUT: output },
    });
    return readFileSync(output, 'utf8').trim();
  };

  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-changes-'));
    repo = join(dir, 'repo');
    mkdirSync(repo);
    git('init', '-q', '-b', 'main');
    commit({
      'slipway.yaml': SPEC,
      'README.md': '# shop\n',
      'api/main.go': 'package main\n',
      'api/Dockerfile': 'FROM scratch\n',
      'api/config/settings.yaml': 'level: info\n',
      'web/index.js': '1\n',
      'web/web.Dockerfile': 'FROM scratch\n',
    });
  });
  afterAll(() => rmSync(join(repo, '..'), { recursive: true, force: true }));

  it('config-only: the spec, secrets, a config file inside the build context, docs: neither image builds', () => {
    const before = git('rev-parse', 'HEAD');
    commit({
      'slipway.yaml': SPEC.replace('version: 1.0.0', 'version: 1.0.1'),
      'secrets/staging.yaml': 'age: x\n',
      'api/config/settings.yaml': 'level: debug\n',
      'docs/ops.md': 'notes\n',
      'api/README.md': 'api\n',
      '.github/CODEOWNERS': '* @acme\n',
    });
    expect(decide('api', { BEFORE: before, REF_TYPE: 'branch' })).toBe('build=false');
    expect(decide('web', { BEFORE: before, REF_TYPE: 'branch' })).toBe('build=false');
  });

  it('code in one service: that image builds, the other is reused', () => {
    const before = git('rev-parse', 'HEAD');
    commit({ 'api/main.go': 'package main\n\nfunc main() {}\n', 'slipway.yaml': SPEC });
    expect(decide('api', { BEFORE: before, REF_TYPE: 'branch' })).toBe('build=true');
    expect(decide('web', { BEFORE: before, REF_TYPE: 'branch' })).toBe('build=false');
    const second = git('rev-parse', 'HEAD');
    commit({ 'web/web.Dockerfile': 'FROM scratch\nUSER 1000\n' });
    expect(decide('web', { BEFORE: second, REF_TYPE: 'branch' })).toBe('build=true');
    // Several commits in one push: the diff spans them all.
    expect(decide('api', { BEFORE: before, REF_TYPE: 'branch' })).toBe('build=true');
  });

  it('a tag, a first push (before = zeros) or an unknown previous commit always builds', () => {
    const before = git('rev-parse', 'HEAD~1');
    expect(decide('api', { BEFORE: before, REF_TYPE: 'tag' })).toBe('build=true');
    expect(decide('api', { BEFORE: '0'.repeat(40), REF_TYPE: 'branch' })).toBe('build=true');
    expect(decide('api', { BEFORE: 'f'.repeat(40), REF_TYPE: 'branch' })).toBe('build=true');
    expect(decide('api', { BEFORE: '', REF_TYPE: 'branch' })).toBe('build=true');
  });
});
