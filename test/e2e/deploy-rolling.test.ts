/**
 * Issue 6, scenario 7, through the CLI in-process against the sandbox with its runtime (sample-service
 * pods are real processes): rolling v1 → v2; a bad image is rolled back automatically (exit 1);
 * `history` shows every revision; `rollback --to 1` serves v1 again; `status` and `diff` read it.
 * Issue 25, part 9: a spec that reads a file (`config[].from`) dry-runs, deploys, rolls back to the
 * file contents its release recorded, and then `diff` and `drift` find nothing to change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';
import { SAMPLE_SPEC, servicePort, slipwayCli, versionOf } from './deploy-helpers.js';

describe('slipway deploy --strategy rolling, history, rollback, status, diff (sandbox)', () => {
  let env: SandboxEnv;
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
  });
  afterAll(() => env?.stop());

  const target = ['-f', SAMPLE_SPEC, '--env', 'dev'];
  const deploy = (...args: string[]) =>
    slipwayCli(env, ['deploy', ...target, '--skip-analysis', '--strategy', 'rolling', ...args]);

  it('v1 then v2: exit 0, the Service answers v2', async () => {
    expect((await deploy('--set-image', 'web=sample-service:1.0.0')).code).toBe(0);
    const v2 = await deploy('--set-image', 'web=sample-service:2.0.0');
    expect(v2.stderr).toBe('');
    expect(v2.code).toBe(0);
    expect(v2.stdout).toContain('deployed sample revision 2 to dev (rolling)');
    expect(await versionOf(servicePort(env, 'sample', 'sample-web'))).toBe('2.0.0');
  });

  it('diff: nothing to change for the same inputs, the image for a new one (exit 1 like kubectl diff)', async () => {
    const same = await slipwayCli(env, ['diff', ...target, '--output', 'json']);
    const parsed = JSON.parse(same.stdout) as {
      changes: Array<{ action: string; object: string; fields?: string[] }>;
    };
    // The spec's own image (1.0.0) differs from what serves (2.0.0, from --set-image).
    expect(parsed.changes.find((c) => c.object === 'Deployment sample/sample-web')?.fields).toContain(
      '/spec/template/spec/containers/0/image',
    );
    expect(same.code).toBe(1);
  });

  it('a bad image: the progress deadline passes, rolled back to v2 automatically, exit 1', async () => {
    const bad = await deploy(
      '--set-image',
      'web=sample-service:broken',
      '--set',
      'deploy.progressDeadline=3s',
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/✗ roll-out/);
    expect(bad.stdout).toMatch(/✓ switch .*roll back to revision 2/);
    expect(bad.stdout).toContain('ImagePullBackOff');
    expect(await versionOf(servicePort(env, 'sample', 'sample-web'))).toBe('2.0.0');
  });

  it('history shows every revision with its phase and image', async () => {
    const text = await slipwayCli(env, ['history', ...target]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^REVISION\s+CREATED\s+PHASE/);
    expect(text.stdout).toMatch(/\n1\s+\S+\s+superseded\s+rolling\s+web=sample-service:1\.0\.0/);
    expect(text.stdout).toMatch(/\n2\s+\S+\s+deployed\s+rolling\s+web=sample-service:2\.0\.0/);
    expect(text.stdout).toMatch(
      /\n3\s+\S+\s+rolled-back\s+rolling\s+web=sample-service:broken .*progress deadline/,
    );
    const json = JSON.parse((await slipwayCli(env, ['history', ...target, '--output', 'json'])).stdout) as {
      releases: Array<{ revision: number; phase: string }>;
    };
    expect(json.releases.map((r) => [r.revision, r.phase])).toEqual([
      [1, 'superseded'],
      [2, 'deployed'],
      [3, 'rolled-back'],
    ]);
  });

  it('rollback --to 1 serves v1 as revision 4; a revision that never served is refused (exit 2)', async () => {
    const refused = await slipwayCli(env, ['rollback', ...target, '--to', '3']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('revision 3 never served');
    const r = await slipwayCli(env, ['rollback', ...target, '--to', '1', '--output', 'json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(summary).toMatchObject({ type: 'summary', outcome: 'deployed', revision: 4, rollbackOf: 1 });
    expect(await versionOf(servicePort(env, 'sample', 'sample-web'))).toBe('1.0.0');
    const json = JSON.parse((await slipwayCli(env, ['history', ...target, '--output', 'json'])).stdout) as {
      releases: Array<{ revision: number; phase: string; rollbackOf?: number }>;
    };
    expect(json.releases.at(-1)).toMatchObject({ revision: 4, phase: 'deployed', rollbackOf: 1 });
    expect(json.releases[1]).toMatchObject({ revision: 2, phase: 'superseded' });
  });

  it('rollback without --to goes to the release before the serving one (2)', async () => {
    const r = await slipwayCli(env, ['rollback', ...target]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('deployed sample revision 5');
    expect(await versionOf(servicePort(env, 'sample', 'sample-web'))).toBe('2.0.0');
  });

  it('status: the serving revision and its ready Deployment', async () => {
    const s = await slipwayCli(env, ['status', ...target, '--output', 'json']);
    expect(s.code).toBe(0);
    const parsed = JSON.parse(s.stdout) as {
      deployed: { revision: number; rollbackOf: number };
      deployments: Array<{ name: string; ready: number; complete: boolean; image: string }>;
      attention: string[];
    };
    expect(parsed.deployed).toMatchObject({ revision: 5, rollbackOf: 2 });
    expect(parsed.deployments).toEqual([
      expect.objectContaining({
        name: 'sample-web',
        ready: 2,
        replicas: 2,
        complete: true,
        image: 'sample-service:2.0.0',
      }),
    ]);
    expect(parsed.attention).toEqual([]);
    const text = await slipwayCli(env, ['status', ...target]);
    expect(text.stdout).toContain('serving: revision 5 (rolling) web=sample-service:2.0.0');
  });

  it('promote/abort with no deploy running: exit 2 with the command that helps', async () => {
    const r = await slipwayCli(env, ['abort', ...target]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('slipway rollback --env dev');
  });

  it('metrics on a cluster without the Prometheus Operator: deployed, its ServiceMonitor and PrometheusRule left out with a warning', async () => {
    const r = await deploy(
      '--set-image',
      'web=sample-service:2.0.0',
      '--set',
      'services.web.metrics.port=8080',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('deployed sample revision 6');
    expect(r.stdout).toMatch(
      /not applied, the cluster does not serve its kind .*ServiceMonitor \(monitoring\.coreos\.com\/v1\): sample-web/,
    );
    expect(r.stdout).toMatch(/PrometheusRule \(monitoring\.coreos\.com\/v1\): sample-alerts/);
  });

  it('a spec reading a config file: dry run, deploy, roll back to the recorded contents, then no diff and no drift', async () => {
    const spec = join(env.dir, 'conf.yaml');
    const conf = join(env.dir, 'app.conf');
    const sample = readFileSync(SAMPLE_SPEC, 'utf8').replace(/^app: sample$/m, 'app: conf');
    const write = (version: string, contents: string) => {
      writeFileSync(
        spec,
        sample
          .replace('image: sample-service:1.0.0', `image: sample-service:${version}`)
          .replace(
            '    terminationGracePeriod: 20s',
            '    terminationGracePeriod: 20s\n    config:\n      - { path: /etc/app/app.conf, from: app.conf }',
          ),
      );
      writeFileSync(conf, contents);
    };
    const on = ['-f', spec, '--env', 'dev'];
    const live = async () =>
      (await env.kubectl(['-n', 'conf', 'get', 'configmap', 'conf-web-files', '-o', 'jsonpath={.data}']))
        .stdout;
    write('1.0.0', 'level=info\n');
    const dry = await slipwayCli(env, ['deploy', ...on, '--skip-analysis', '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect((await slipwayCli(env, ['deploy', ...on, '--skip-analysis'])).code).toBe(0);
    write('2.0.0', 'level=debug\n');
    expect((await slipwayCli(env, ['deploy', ...on, '--skip-analysis'])).code).toBe(0);
    expect(await live()).toContain('level=debug');
    // The working tree no longer holds revision 1's file: the rollback applies what revision 1 recorded.
    const back = await slipwayCli(env, ['rollback', ...on]);
    expect(back.stderr).toBe('');
    expect(back.code).toBe(0);
    expect(back.stdout).not.toContain('kept no objects');
    expect(await live()).toContain('level=info');
    expect(await versionOf(servicePort(env, 'conf', 'conf-web'))).toBe('1.0.0');
    write('1.0.0', 'level=info\n');
    const d = await slipwayCli(env, ['diff', ...on]);
    expect(d.stdout).toMatch(/would change 0 object\(s\)/);
    expect(d.code).toBe(0);
    const drift = await slipwayCli(env, ['drift', ...on]);
    expect(drift.stdout).not.toContain('renders differently');
    expect(drift.code).toBe(0);
  });
});
