/**
 * What a replica-ratio canary that was killed leaves, on the in-memory cluster (the test plays
 * the Deployment controller): its canary Deployment, and the stable Deployment patched down.
 * recoverCanaries sizes the stable as rendered first, then scales the canary to zero and deletes it.
 */
import type { KubeObject } from '@slipway/kube';
import { describe, expect, it } from 'vitest';
import { MemoryCluster } from '../../../src/cluster/memory.js';
import { recoverCanaries } from '../../../src/engine/traffic/recover.js';
import { deploymentController } from '../helpers/controllers.js';

const deployment = (name: string, replicas: number, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'sample', labels: { 'app.kubernetes.io/instance': 'sample', ...labels } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } } },
  },
});

describe('recoverCanaries after a replica-ratio canary', () => {
  it('puts the stable back to its rendered replicas before the canary goes', async () => {
    const cluster = new MemoryCluster({ namespace: 'sample' });
    const stop = new AbortController();
    deploymentController(cluster, 'sample-web-canary', stop.signal);
    await cluster.apply(
      [deployment('sample-web', 2), deployment('sample-web-canary', 1, { 'slipway.dev/role': 'canary' })],
      { fieldManager: 'slipway' },
    );
    // The canary's scaling of the stable: a merge patch, as strategies/canary.ts does it.
    const stableRef = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'sample', name: 'sample-web' };
    await cluster.patch(stableRef, { spec: { replicas: 1 } }, 'merge', { fieldManager: 'slipway' });

    const done = await recoverCanaries(
      cluster,
      'sample',
      'sample',
      [deployment('sample-web', 2)],
      AbortSignal.timeout(10_000),
    );
    stop.abort();
    expect(done).toEqual([
      'Deployment sample-web back to 2 replicas',
      'Deployment sample-web-canary deleted',
    ]);
    expect((await cluster.get<KubeObject & { spec: { replicas: number } }>(stableRef))?.spec.replicas).toBe(
      2,
    );
    expect(await cluster.get({ ...stableRef, name: 'sample-web-canary' })).toBeUndefined();
    // Nothing to do without a canary: a stable sized by hand is left alone.
    await cluster.patch(stableRef, { spec: { replicas: 5 } }, 'merge', { fieldManager: 'kubectl' });
    expect(
      await recoverCanaries(
        cluster,
        'sample',
        'sample',
        [deployment('sample-web', 2)],
        AbortSignal.timeout(10_000),
      ),
    ).toEqual([]);
  });
});
