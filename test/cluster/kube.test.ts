import type { KubeObject } from '@slipway/kube';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KubeCluster } from '../../src/cluster/kube.js';
import { UserError } from '../../src/errors.js';
import { clusterContract } from './contract.js';
import { startSandboxForTests } from './sandbox-target.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function kubeconfigFile(server: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-kubeconfig-'));
  const file = join(dir, 'config');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: dead\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true`,
      'users:',
      '- name: dev\n  user:\n    token: abc',
      'contexts:',
      '- name: dead-ctx\n  context:\n    cluster: dead\n    user: dev\n    namespace: shop',
      'current-context: dead-ctx',
      '',
    ].join('\n'),
  );
  return file;
}

describe('KubeCluster on @kubernetes/client-node', () => {
  it('an unreachable server is a UserError with exit code 3 naming the server and the context', async () => {
    const server = `https://127.0.0.1:${await closedPort()}`;
    const cluster = KubeCluster.fromKubeconfig({ kubeconfig: kubeconfigFile(server) });
    expect(cluster.namespace).toBe('shop');
    const err = await cluster
      .get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(3);
    expect((err as UserError).message).toContain(server);
    expect((err as UserError).message).toContain('dead-ctx');
  });

  it('--namespace overrides the context namespace; an unknown --context lists the known ones', () => {
    const file = kubeconfigFile('https://127.0.0.1:1');
    expect(KubeCluster.fromKubeconfig({ kubeconfig: file, namespace: 'other' }).namespace).toBe('other');
    const err = (() => {
      try {
        KubeCluster.fromKubeconfig({ kubeconfig: file, context: 'prod' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toContain('"prod"');
    expect((err as UserError).hint).toContain('dead-ctx');
  });
});

clusterContract('client-node against the sandbox', startSandboxForTests);

describe('KubeCluster watch against the sandbox: server-closed watches resume, expired ones re-list', () => {
  it('resolves after the server closed the watch and compacted the resourceVersion it would resume from (410 Gone)', async () => {
    const { startSandboxEnv } = await import('../e2e/sandbox-env.js');
    // A watch lives one second and the server remembers only two events, so resuming fails with 410.
    const env = await startSandboxEnv({ watchTimeoutSeconds: 1, historySize: 2 });
    try {
      const cluster = KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig, namespace: 'default' });
      const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'target' };
      await cluster.create({ ...ref, metadata: { name: 'target' }, data: { ready: 'no' } });
      const ready = cluster.watch<KubeObject & { data?: Record<string, string> }>(
        ref,
        (o) => o?.data?.ready === 'yes',
        AbortSignal.timeout(20_000),
      );
      for (let i = 0; i < 10; i++)
        await cluster.create({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `noise-${i}` },
          data: {},
        });
      await new Promise((r) => setTimeout(r, 2_500));
      await cluster.patch(ref, { data: { ready: 'yes' } }, 'merge');
      expect((await ready)?.data?.ready).toBe('yes');
    } finally {
      await env.stop();
    }
  });
});
