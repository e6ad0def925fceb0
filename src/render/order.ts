import type { NamedObject } from '@slipway/kube';

/**
 * Objects sort by kind in Helm's install order (pkg/release/util/kind_sorter.go: what others depend
 * on comes first), then by name, so output is stable and a plain `kubectl apply -f` creates
 * ServiceAccounts and ConfigMaps before the pods that need them. HTTPRoute is not in Helm's list;
 * it comes last, where it sorted before as a kind not listed. The deploy engine applies objects in
 * the same order within each phase (src/engine/plan/order.ts).
 */
export const KIND_ORDER = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'Role',
  'RoleBinding',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'HTTPRoute',
] as const;

/** The position of a kind in KIND_ORDER; kinds not listed come after all listed ones. */
export function kindRank(kind: string): number {
  return kindRanks().get(kind) ?? KIND_ORDER.length;
}

let ranks: Map<string, number> | undefined;
/** KIND_ORDER as a lookup table, built on first use (sorting compares each object's kind many times). */
function kindRanks(): Map<string, number> {
  ranks ??= new Map(KIND_ORDER.map((kind, i) => [kind, i]));
  return ranks;
}

export function compareObjects(a: NamedObject, b: NamedObject): number {
  return kindRank(a.kind) - kindRank(b.kind) || cmp(a.kind, b.kind) || cmp(a.metadata.name, b.metadata.name);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Drop undefined fields at every depth, so the output is plain JSON data whatever built it. */
export function prune<T>(value: T): T {
  if (Array.isArray(value)) return value.map(prune) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const record = value as Record<string, unknown>;
    // for-in: no array of keys (or [key, value] pairs) allocated per object; render builds plain
    // objects, whose prototype has no enumerable keys (half the time of Object.keys, cold).
    for (const k in record) {
      const v = record[k];
      if (v !== undefined) out[k] = prune(v);
    }
    return out as T;
  }
  return value;
}
