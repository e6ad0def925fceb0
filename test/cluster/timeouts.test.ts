/**
 * The response timeout bounds requests, never watches (src/cluster/timeouts.ts): against a sandbox
 * that answers `get` and `watch` only after 2 s, a KubeCluster allowing 1 s per response
 * fails the get with a clear exit-3 error, while its watch waits as long as the server takes.
 */
import type { KubeObject } from '@slipway/kube';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeCluster } from '../../src/cluster/kube.js';
import { UserError } from '../../src/errors.js';
import { startSandboxEnv, type SandboxEnv } from '../e2e/sandbox-env.js';

async function until(condition: () => boolean, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'slow' };

describe('KubeCluster timeouts against a slow sandbox', () => {
  let env: SandboxEnv;
  let cluster: KubeCluster;
  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'slipway-slow-')), 'sandbox.yaml');
    writeFileSync(file, 'api:\n  faults: { latency: { get: 2s, watch: 2s } }\n');
    env = await startSandboxEnv({ configFile: file });
    cluster = KubeCluster.fromKubeconfig(
      { kubeconfig: env.kubeconfig, namespace: 'default' },
      { timeouts: { connectMs: 5_000, responseMs: 1_000 } },
    );
  });
  afterAll(() => env?.stop());

  it('a request without a response in time is an exit-3 error saying so', async () => {
    const err = await cluster.get(ref).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(3);
    expect((err as UserError).message).toContain('get ConfigMap default/slow: no response in 1 s');
  });

  it('a watch is not cut by the response timeout', async () => {
    await cluster.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'slow' },
      data: { step: '1' },
    });
    const seen = cluster.watch<KubeObject & { data: Record<string, string> }>(
      ref,
      (c) => c?.data.step === '2',
      AbortSignal.timeout(30_000),
    );
    // Change the object only once the watch stream is open (past the server's 2 s), so only
    // the watch can see it.
    await until(() => env.sandbox.faults?.openWatches === 1);
    await cluster.patch(ref, { data: { step: '2' } }, 'merge');
    expect((await seen)?.data.step).toBe('2');
  });
});
