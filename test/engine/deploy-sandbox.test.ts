/**
 * `slipway deploy` (rolling) end to end: the CLI in-process against the sandbox with its runtime
 * (Deployment/ReplicaSet controllers, a kubelet running sample-service pods), reached only through
 * the kubeconfig.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { KubeCluster } from '../../src/cluster/kube.js';
import { SecretReleaseStore } from '../../src/engine/releases/secrets.js';
import type { Deployment } from '../../src/engine/rollout.js';
import { startSandboxEnv, type SandboxEnv } from '../e2e/sandbox-env.js';

const SPEC = 'examples/sample-service/slipway.yaml';

describe('slipway deploy (rolling) against the sandbox', () => {
  let env: SandboxEnv;
  let cluster: KubeCluster;
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
    cluster = KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig, namespace: 'sample' });
  });
  afterAll(() => env?.stop());

  async function slipway(...args: string[]) {
    const io = memoryIo({ env: { KUBECONFIG: env.kubeconfig } });
    const code = await main(
      ['node', 'slipway', 'deploy', '-f', SPEC, '--env', 'dev', '--skip-analysis', ...args],
      io.io,
    );
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  }
  const image = async () =>
    (
      await cluster.get<
        Deployment & { spec: { template: { spec: { containers: Array<{ image: string }> } } } }
      >({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'sample-web' })
    )?.spec.template.spec.containers[0]?.image;
  const history = () => new SecretReleaseStore(cluster, 'sample').list('sample', 'dev');

  it('--dry-run prints the plan and changes nothing', async () => {
    const r = await slipway('--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('plan: sample revision 1 to dev (rolling)');
    expect(r.stdout).toContain('apply workloads: Deployment/sample-web');
    expect(
      await cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'sample-web' }),
    ).toBeUndefined();
  });

  it('deploys v1, then v2 (exit 0, history records both, the first superseded)', async () => {
    const first = await slipway('--set-image', 'web=sample-service:1.0.0');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/✓ roll-out\s+\d+\.\ds/);
    expect(first.stdout).toContain('deployed sample revision 1 to dev (rolling)');
    const second = await slipway('--set-image', 'web=sample-service:2.0.0', '--output', 'json');
    expect(second.code).toBe(0);
    const lines = second.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const last = lines[lines.length - 1]!;
    expect(last).toMatchObject({
      type: 'summary',
      outcome: 'deployed',
      revision: 2,
      phase: 'deployed',
      strategy: 'rolling',
    });
    expect((last.steps as Array<{ step: string }>).map((s) => s.step)).toEqual([
      'render',
      'check',
      'lock',
      'record',
      'apply-config',
      'migrate',
      'roll-out',
      'analyse',
      'switch',
      'clean-up',
    ]);
    expect(lines.some((l) => l.type === 'step' && l.step === 'roll-out' && l.status === 'ok')).toBe(true);
    expect(await image()).toBe('sample-service:2.0.0');
    expect((await history()).map((r) => [r.revision, r.phase])).toEqual([
      [1, 'superseded'],
      [2, 'deployed'],
    ]);
    expect((await history())[1]!.overrides).toEqual([
      { path: 'services.web.image', value: 'sample-service:2.0.0' },
    ]);
  });

  it('a bad image misses the progress deadline: rolled back to v2, exit 1, recorded', async () => {
    const r = await slipway(
      '--set-image',
      'web=sample-service:broken',
      '--set',
      'deploy.progressDeadline=3s',
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/rolled-back sample revision 3 .*exceeded its progress deadline/);
    expect(r.stdout).toContain('ImagePullBackOff');
    expect(await image()).toBe('sample-service:2.0.0');
    const d = await cluster.get<Deployment>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'sample-web',
    });
    expect(d?.status?.availableReplicas).toBe(2);
    expect((await history()).map((r) => [r.revision, r.phase])).toEqual([
      [1, 'superseded'],
      [2, 'deployed'],
      [3, 'rolled-back'],
    ]);
  });

  it('an unreachable cluster exits 3 naming the server', async () => {
    const io = memoryIo({ env: {} });
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'kc-')), 'config');
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: gone, context: {cluster: c, user: u}}]\ncurrent-context: gone\n`,
    );
    const code = await main(
      ['node', 'slipway', 'deploy', '-f', SPEC, '--env', 'dev', '--skip-analysis', '--kubeconfig', file],
      io.io,
    );
    expect(code).toBe(3);
    expect(io.stderr()).toContain('https://127.0.0.1:1');
    expect(io.stderr()).toContain('"gone"');
  });
});
