import type { NamedObject } from '@slipway/kube';
import type { Service } from '../../spec/schema.js';
import { HPA_DEFAULT_CPU_UTILIZATION, PDB_MAX_UNAVAILABLE } from '../defaults.js';
import { selectorLabels } from '../names.js';
import { workloadReplicas } from './workload.js';

export function renderHorizontalPodAutoscaler(
  kind: string,
  target: string,
  service: Service,
  metadata: NamedObject['metadata'],
): NamedObject | undefined {
  const auto = service.autoscale;
  if (!auto) return undefined;
  const utilization = (resource: string, averageUtilization: number) => ({
    type: 'Resource',
    resource: { name: resource, target: { type: 'Utilization', averageUtilization } },
  });
  const metrics = [
    auto.cpu !== undefined || auto.memory === undefined
      ? utilization('cpu', auto.cpu ?? HPA_DEFAULT_CPU_UTILIZATION)
      : undefined,
    auto.memory !== undefined ? utilization('memory', auto.memory) : undefined,
  ].filter((m) => m !== undefined);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind, name: target },
      minReplicas: auto.min,
      maxReplicas: auto.max,
      metrics,
    },
  };
}

/** The smallest replica count the workload runs at: the HPA's floor when autoscaled. */
export function minimumReplicas(service: Service): number {
  return service.autoscale?.min ?? workloadReplicas(service) ?? 0;
}

/**
 * A PDB when more than one replica runs. maxUnavailable 1 (not minAvailable) always leaves a node
 * drain able to evict one pod at a time, whatever the current replica count.
 */
export function renderPodDisruptionBudget(
  app: string,
  name: string,
  service: Service,
  metadata: NamedObject['metadata'],
): NamedObject | undefined {
  if (minimumReplicas(service) <= 1) return undefined;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata,
    spec: {
      maxUnavailable: PDB_MAX_UNAVAILABLE,
      selector: { matchLabels: selectorLabels(app, name) },
      // Evict pods that never became ready even when the budget is spent (KEP-3017).
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  };
}
