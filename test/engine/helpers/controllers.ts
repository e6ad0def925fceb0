/** The test plays Kubernetes controllers on the in-memory cluster (src/cluster/memory.ts has none). */
import type { MemoryCluster } from '../../../src/cluster/memory.js';
import type { Deployment } from '../../../src/engine/rollout.js';

/**
 * Plays the Deployment controller: every new generation becomes available at once, unless its image
 * is `:broken` (ProgressDeadlineExceeded) or `:stuck` (pods that run and never get ready: no
 * progress deadline within a test, only the deploy's own timeout ends the wait).
 */
export function deploymentController(
  cluster: MemoryCluster,
  name: string,
  signal: AbortSignal,
  namespace = 'sample',
): void {
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name };
  void (async () => {
    for (;;) {
      const d = await cluster
        .watch<Deployment>(
          ref,
          (o) => o !== undefined && (o.status?.observedGeneration ?? 0) < (o.metadata.generation ?? 0),
          signal,
        )
        .catch(() => undefined);
      if (!d || signal.aborted) return;
      const replicas = d.spec?.replicas ?? 1;
      const broken = JSON.stringify(d.spec).includes(':broken');
      const stuck = JSON.stringify(d.spec).includes(':stuck');
      const status = stuck
        ? {
            observedGeneration: d.metadata.generation,
            replicas: replicas * 2,
            updatedReplicas: replicas,
            availableReplicas: replicas,
          }
        : broken
          ? {
              observedGeneration: d.metadata.generation,
              replicas,
              updatedReplicas: 0,
              availableReplicas: 0,
              conditions: [
                {
                  type: 'Progressing',
                  status: 'False',
                  reason: 'ProgressDeadlineExceeded',
                  message: 'ReplicaSet has timed out progressing.',
                },
              ],
            }
          : {
              observedGeneration: d.metadata.generation,
              replicas,
              updatedReplicas: replicas,
              availableReplicas: replicas,
            };
      await cluster.replace({ ...d, status });
    }
  })();
}
