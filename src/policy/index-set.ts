import type { Manifest } from './types.js';
import { get } from './access.js';
import { matchesLabelSelector, matchesMapSelector } from './selectors.js';
import { allWorkloads, type Workload } from './workloads.js';

/**
 * Lookups across the whole input set, built once per check run (cross-object rules share it).
 * Cross-object rules treat the input as the whole application: pass every manifest together.
 */
export interface InputIndex {
  workloads: Workload[];
  byKind(kind: string): Manifest[];
  find(kind: string, namespace: string, name: string): Manifest | undefined;
  servicesSelecting(w: Workload): Manifest[];
  workloadsSelectedBy(service: Manifest): Workload[];
  networkPoliciesSelecting(w: Workload): Manifest[];
  pdbsSelecting(w: Workload): Manifest[];
}

const ns = (m: Manifest) => m.ref.namespace ?? 'default';
const cache = new WeakMap<readonly Manifest[], InputIndex>();

export function indexOf(manifests: readonly Manifest[]): InputIndex {
  const hit = cache.get(manifests);
  if (hit) return hit;
  const kinds = new Map<string, Manifest[]>();
  const names = new Map<string, Manifest>();
  for (const m of manifests) {
    const list = kinds.get(m.ref.kind) ?? [];
    list.push(m);
    kinds.set(m.ref.kind, list);
    names.set(`${m.ref.kind}/${ns(m)}/${m.ref.name}`, m);
  }
  const workloads = allWorkloads(manifests);
  const byKind = (kind: string) => kinds.get(kind) ?? [];
  const index: InputIndex = {
    workloads,
    byKind,
    find: (kind, namespace, name) => names.get(`${kind}/${namespace}/${name}`),
    servicesSelecting: (w) => byKind('Service').filter((s) => ns(s) === w.namespace && matchesMapSelector(get(s.body, 'spec', 'selector'), w.labels)),
    workloadsSelectedBy: (s) => workloads.filter((w) => w.namespace === ns(s) && matchesMapSelector(get(s.body, 'spec', 'selector'), w.labels)),
    networkPoliciesSelecting: (w) => byKind('NetworkPolicy').filter((p) => ns(p) === w.namespace && matchesLabelSelector(get(p.body, 'spec', 'podSelector') ?? {}, w.labels)),
    pdbsSelecting: (w) => byKind('PodDisruptionBudget').filter((p) => ns(p) === w.namespace && matchesLabelSelector(get(p.body, 'spec', 'selector'), w.labels)),
  };
  cache.set(manifests, index);
  return index;
}
