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
  let revision = 0;
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
      // The ReplicaSet of this template, with its pod-template-hash label and revision (what a blue-green
      // or routed canary pins a Service to); its pods are the Deployment's, as the Endpoints controller sees them.
      revision++;
      await cluster.apply(
        [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            metadata: {
              name: `${name}-${podTemplateHash(d)}`,
              namespace,
              labels: { ...templateLabels(d), [POD_TEMPLATE_HASH]: podTemplateHash(d) },
              annotations: { [REVISION]: String(revision) },
              ownerReferences: [
                { apiVersion: 'apps/v1', kind: 'Deployment', name, uid: d.metadata.uid ?? name },
              ],
            },
          } as never,
        ],
        { fieldManager: 'deployment-controller', force: true },
      );
    }
  })();
}

const POD_TEMPLATE_HASH = 'pod-template-hash';
const REVISION = 'deployment.kubernetes.io/revision';

type Templated = Deployment & { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } };

function templateLabels(d: Templated): Record<string, string> {
  return d.spec?.template?.metadata?.labels ?? {};
}

/** A stand-in for the controller's hash of the pod template: the same template, the same label value. */
function podTemplateHash(d: Deployment): string {
  const text = JSON.stringify((d.spec as { template?: unknown } | undefined)?.template ?? {});
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) >>> 0;
  return h.toString(36);
}

/**
 * Plays the Endpoints controller, by polling: each Service of `namespace` gets Endpoints with one
 * address per available replica of the Deployments whose pod template its selector matches.
 */
export function endpointsController(cluster: MemoryCluster, namespace: string, signal: AbortSignal): void {
  type Svc = { metadata: { name?: string }; spec?: { selector?: Record<string, string> } };
  type Dep = Templated;
  void (async () => {
    while (!signal.aborted) {
      const services = (
        await cluster.list<Svc & Deployment>({ apiVersion: 'v1', kind: 'Service', namespace })
      ).items;
      const deployments = (await cluster.list<Dep>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace }))
        .items;
      for (const svc of services) {
        const selector = Object.entries(svc.spec?.selector ?? {});
        const ready = deployments
          .filter(
            (d) =>
              selector.length > 0 &&
              selector.every(
                ([k, v]) => ({ ...templateLabels(d), [POD_TEMPLATE_HASH]: podTemplateHash(d) })[k] === v,
              ) &&
              (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0),
          )
          .reduce((n, d) => n + (d.status?.availableReplicas ?? 0), 0);
        const ref = { apiVersion: 'v1', kind: 'Endpoints', namespace, name: svc.metadata.name ?? '' };
        const subsets = ready
          ? [{ addresses: Array.from({ length: ready }, (_, i) => ({ ip: `10.0.0.${i + 1}` })) }]
          : [];
        const live = await cluster.get<Deployment & { subsets?: unknown[] }>(ref);
        if (JSON.stringify(live?.subsets ?? []) === JSON.stringify(subsets)) continue;
        await cluster.apply([{ ...ref, metadata: { name: ref.name, namespace }, subsets } as never], {
          fieldManager: 'endpoint-controller',
          force: true,
        });
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
}
