/**
 * The replicas an HPA has chosen for each autoscaled service, read before planning so a canary is
 * sized from them instead of resetting them: the HPA's status.desiredReplicas, else its
 * currentReplicas, else the live Deployment's spec.replicas (which the HPA writes).
 */
import type { KubeObject } from '@slipway/kube';
import type { Cluster } from '../../cluster/cluster.js';
import { LABEL_NAME } from '../plan/order.js';

interface Hpa extends KubeObject {
  spec?: { scaleTargetRef?: { kind?: string; name?: string } };
  status?: { desiredReplicas?: number; currentReplicas?: number };
}

export async function liveHpaReplicas(
  cluster: Cluster,
  namespace: string,
  rendered: KubeObject[],
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const hpa of rendered.filter((o) => o.kind === 'HorizontalPodAutoscaler') as Hpa[]) {
    const service = hpa.metadata.labels?.[LABEL_NAME];
    const target = hpa.spec?.scaleTargetRef;
    if (!service || target?.kind !== 'Deployment' || !target.name) continue;
    const live = await cluster.get<Hpa>({
      apiVersion: hpa.apiVersion,
      kind: hpa.kind,
      namespace,
      name: hpa.metadata.name ?? '',
    });
    const fromHpa = live?.status?.desiredReplicas ?? live?.status?.currentReplicas;
    const deployment =
      fromHpa === undefined
        ? await cluster.get<KubeObject & { spec?: { replicas?: number } }>({
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            namespace,
            name: target.name,
          })
        : undefined;
    const replicas = fromHpa ?? deployment?.spec?.replicas;
    if (replicas !== undefined) out[service] = replicas;
  }
  return out;
}
