/**
 * The sandbox's API faults (`api.faults` in the sandbox config) met by real clients: Slipway's
 * KubeCluster on @kubernetes/client-node retries through them, re-watches dropped streams and
 * re-lists after 410; the real kubectl retries 429s with Retry-After and reports a 500.
 */
import type { KubeObject } from '@slipway/kube';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isClusterError } from '../../src/cluster/cluster.js';
import { KubeCluster } from '../../src/cluster/kube.js';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';

const FAST_RETRIES = { retry: { attempts: 6, baseDelayMs: 20, maxDelayMs: 200, maxRetryAfterMs: 10_000 } };

let env: SandboxEnv | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

async function sandboxWithFaults(faults: string): Promise<SandboxEnv> {
  const file = join(mkdtempSync(join(tmpdir(), 'slipway-faults-')), 'sandbox.yaml');
  writeFileSync(file, `api:\n  faults: ${faults}\n`);
  env = await startSandboxEnv({ configFile: file });
  return env;
}

const configMap = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data,
});
const ref = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name });

describe('sandbox api.faults with client-node (KubeCluster)', () => {
  it('every verb succeeds through 30% 500s and 429s (Retry-After 0 s), which were injected', async () => {
    const e = await sandboxWithFaults('{ seed: 11, status500: 0.3, status429: 0.3, retryAfter: 0s }');
    const cluster = KubeCluster.fromKubeconfig(
      { kubeconfig: e.kubeconfig, namespace: 'default' },
      FAST_RETRIES,
    );
    for (let i = 0; i < 8; i++) {
      await cluster.apply([configMap(`applied-${i}`, { i: String(i) })], { fieldManager: 'test' });
      await cluster.create(configMap(`created-${i}`, { i: String(i) }), { fieldManager: 'test' });
      const got = await cluster.get<KubeObject & { data: Record<string, string> }>(ref(`created-${i}`));
      expect(got?.data.i).toBe(String(i));
      await cluster.patch(ref(`created-${i}`), { data: { patched: 'yes' } }, 'merge');
      expect(await cluster.delete(ref(`applied-${i}`))).toBe(true);
    }
    const { items } = await cluster.list<KubeObject>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'default',
    });
    expect(
      items
        .filter((c) => c.metadata.name?.startsWith('created-'))
        .map((c) => (c.data as Record<string, string>).patched),
    ).toEqual(Array(8).fill('yes'));
    expect(items.some((c) => c.metadata.name?.startsWith('applied-'))).toBe(false);
    const counts = e.sandbox.faults?.counts;
    expect(counts?.status500).toBeGreaterThan(0);
    expect(counts?.status429).toBeGreaterThan(0);
  });

  it('after the retries, a 500 is a ClusterError naming the verb, the object and the attempts', async () => {
    const e = await sandboxWithFaults('{ status500: { get: 1 } }');
    const cluster = KubeCluster.fromKubeconfig(
      { kubeconfig: e.kubeconfig, namespace: 'default' },
      FAST_RETRIES,
    );
    const err = await cluster.get(ref('anything')).catch((x: unknown) => x);
    expect(isClusterError(err)).toBe(true);
    expect(err).toMatchObject({
      status: 500,
      context: { what: 'get ConfigMap default/anything', attempts: 6 },
    });
    expect(e.sandbox.faults?.counts.status500).toBe(6);
  });

  it('a JSON patch is not repeated after a 500; a merge patch is', async () => {
    const e = await sandboxWithFaults('{ seed: 3, status500: { patch: 1 } }');
    const cluster = KubeCluster.fromKubeconfig(
      { kubeconfig: e.kubeconfig, namespace: 'default' },
      FAST_RETRIES,
    );
    await cluster.create(configMap('p', { a: '1' }));
    await expect(
      cluster.patch(ref('p'), [{ op: 'add', path: '/data/b', value: '2' }], 'json'),
    ).rejects.toMatchObject({ status: 500, context: { attempts: 1 } });
    await expect(cluster.patch(ref('p'), { data: { b: '2' } }, 'merge')).rejects.toMatchObject({
      status: 500,
      context: { attempts: 6 },
    });
    expect(e.sandbox.faults?.counts.status500).toBe(7);
  });

  it('a watch outlives dropped streams and 410 Gone on resume, and sees the change', async () => {
    const e = await sandboxWithFaults('{ seed: 5, dropWatchesEvery: 150ms, goneOnResume: 0.5 }');
    const cluster = KubeCluster.fromKubeconfig(
      { kubeconfig: e.kubeconfig, namespace: 'default' },
      FAST_RETRIES,
    );
    await cluster.create(configMap('w', { step: '0' }));
    const done = cluster.watch<KubeObject & { data: Record<string, string> }>(
      ref('w'),
      (c) => c?.data.step === 'last',
      AbortSignal.timeout(60_000),
    );
    // Keep changing the object until several streams were cut and a resume was refused with 410.
    for (let step = 1; ; step++) {
      const counts = e.sandbox.faults?.counts;
      if (counts && counts.droppedWatches >= 3 && counts.gone >= 1) break;
      await cluster.patch(ref('w'), { data: { step: String(step) } }, 'merge');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await cluster.patch(ref('w'), { data: { step: 'last' } }, 'merge');
    expect((await done)?.data.step).toBe('last');
  });
});

describe('sandbox api.faults with the real kubectl', () => {
  it('kubectl get succeeds through 429s with Retry-After (client-go retries them)', async () => {
    const e = await sandboxWithFaults('{ seed: 2, status429: { list: 0.5 }, retryAfter: 1s }');
    await e.kubectl(['create', 'configmap', 'k', '--from-literal=a=b']);
    for (let i = 0; i < 4; i++) {
      const r = await e.kubectl(['get', 'configmaps', '-o', 'name']);
      expect(r.stdout).toContain('configmap/k');
    }
    expect(e.sandbox.faults?.counts.status429).toBeGreaterThan(0);
  });

  it('kubectl reports an injected 500 (no Retry-After, so client-go does not retry)', async () => {
    const e = await sandboxWithFaults('{ status500: { get: 1 } }');
    const r = await e.kubectlResult(['get', 'configmap', 'kube-root-ca.crt']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('injected by the sandbox');
  });
});
