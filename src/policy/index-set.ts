import type { Manifest } from './types.js';
import { arr, get, isObj, objs } from './access.js';
import { matchesLabelSelector, matchesMapSelector, pdbSelects } from './selectors.js';
import { allWorkloads, type Workload } from './workloads.js';

/**
 * Lookups across the whole input set, built once per check run (cross-object rules share it).
 * Cross-object rules treat the input as the whole application: pass every manifest together.
 */
export interface InputIndex {
  workloads: Workload[];
  byKind(kind: string): Manifest[];
  /** Objects of any of `kinds`, in input order (answered once per run for each list of kinds). */
  ofKinds(kinds: readonly string[]): readonly Manifest[];
  /** Objects of `kind` in `namespace` (cluster-scoped objects count as namespace "default"). */
  inNamespace(kind: string, namespace: string): Manifest[];
  find(kind: string, namespace: string, name: string): Manifest | undefined;
  servicesSelecting(w: Workload): Manifest[];
  workloadsSelectedBy(service: Manifest): Workload[];
  networkPoliciesSelecting(w: Workload): Manifest[];
  /**
   * Workloads of `namespace` a label selector can select (those carrying one of its matchLabels, or
   * all of the namespace's when it names none), in input order; callers still match the selector.
   */
  workloadsIn(namespace: string, selector: unknown): Workload[];
  pdbsSelecting(w: Workload): Manifest[];
  /** The HorizontalPodAutoscaler whose scaleTargetRef names this object (same namespace), if any. */
  autoscalerOf(target: Manifest): Manifest | undefined;
  /**
   * Does the namespace hold custom resources (kinds outside the built-in API groups, other than Argo
   * Rollouts)? An operator may create pods from them, so "selects no pod" cannot be concluded.
   */
  hasCustomResources(namespace: string): boolean;
}

const ns = (m: Manifest) => m.ref.namespace ?? 'default';
/** A NetworkPolicy without spec.podSelector selects every pod of its namespace, as `{}` does. */
const EMPTY_SELECTOR = Object.freeze({});

/** Built-in API groups (plus Gateway API, which creates no pods); anything else may be an operator's input. */
const BUILT_IN_GROUP =
  /^(|apps|batch|autoscaling|policy|networking\.k8s\.io|rbac\.authorization\.k8s\.io|discovery\.k8s\.io|storage\.k8s\.io|scheduling\.k8s\.io|coordination\.k8s\.io|node\.k8s\.io|certificates\.k8s\.io|admissionregistration\.k8s\.io|apiextensions\.k8s\.io|apiregistration\.k8s\.io|flowcontrol\.apiserver\.k8s\.io|events\.k8s\.io|resource\.k8s\.io|extensions|gateway\.networking\.k8s\.io|argoproj\.io|monitoring\.coreos\.com|cert-manager\.io)$/;

function isCustomResource(apiVersion: string): boolean {
  const slash = apiVersion.indexOf('/');
  return !BUILT_IN_GROUP.test(slash >= 0 ? apiVersion.slice(0, slash) : '');
}
const cache = new WeakMap<readonly Manifest[], InputIndex>();

/**
 * `key\0value` of each entry of a label map as the matchers read it (strMap: values as text, null
 * entries skipped). Every object a selector selects has all of them.
 */
function pairsOf(labels: unknown): string[] {
  const out: string[] = [];
  if (!isObj(labels)) return out;
  for (const k in labels) {
    const v = labels[k];
    if (v !== null && v !== undefined) out.push(`${k}\0${String(v)}`);
  }
  return out;
}

/**
 * The labels a label selector requires, as groups of `key\0value` pairs: every object it selects
 * carries at least one pair of each group. A matchLabels entry is a group of one; an `In`
 * expression the group of its values (the selected object's value of that key is one of them).
 * Other operators require no particular pair and give no group.
 */
function requiredGroups(selector: unknown): string[][] {
  if (!isObj(selector)) return [];
  const groups = pairsOf(selector.matchLabels).map((pair) => [pair]);
  for (const e of objs(selector.matchExpressions)) {
    const values = arr(e.values);
    if (e.operator !== 'In' || typeof e.key !== 'string' || values.length === 0) continue;
    groups.push([...new Set(values.map((v) => `${e.key as string}\0${String(v)}`))]);
  }
  return groups;
}

/**
 * For a workload, the objects of `kind` in its namespace whose selector can select it. Each object
 * is filed under the pairs of one group of its selector (`groupsOf`: it selects only workloads
 * carrying a pair of each group), the group the fewest workloads of the namespace carry
 * (`carriers`), and compared only with workloads carrying one of those pairs; objects whose
 * selector requires no pair always are. Once each, in input order.
 */
function candidatesFor(
  inNamespace: (kind: string, namespace: string) => Manifest[],
  kind: string,
  groupsOf: (m: Manifest) => string[][],
  carriers: (namespace: string, pair: string) => number,
): (w: Workload) => Manifest[] {
  const filed = new Map<string, { byPair: Map<string, number[]>; rest: number[] }>();
  return (w) => {
    const all = inNamespace(kind, w.namespace);
    if (all.length < 8) return all;
    let files = filed.get(w.namespace);
    if (!files) {
      files = { byPair: new Map(), rest: [] };
      for (let i = 0; i < all.length; i++) {
        let best: string[] | undefined;
        let fewest = Infinity;
        for (const group of groupsOf(all[i]!)) {
          let n = 0;
          for (const pair of group) n += carriers(w.namespace, pair);
          if (n < fewest) [best, fewest] = [group, n];
        }
        if (best === undefined) files.rest.push(i);
        else
          for (const pair of best) {
            const list = files.byPair.get(pair);
            if (list) list.push(i);
            else files.byPair.set(pair, [i]);
          }
      }
      filed.set(w.namespace, files);
    }
    const found = files.rest.slice();
    for (const k in w.labels) {
      const list = files.byPair.get(`${k}\0${w.labels[k]}`);
      if (list) for (let i = 0; i < list.length; i++) found.push(list[i]!);
    }
    found.sort((a, b) => a - b);
    const out: Manifest[] = [];
    // Once each (a workload carries at most one pair of a filing, unless its label keys hold a \0).
    for (let i = 0; i < found.length; i++)
      if (i === 0 || found[i] !== found[i - 1]) out.push(all[found[i]!]!);
    return out;
  };
}

export function indexOf(manifests: readonly Manifest[]): InputIndex {
  const hit = cache.get(manifests);
  if (hit) return hit;
  const kinds = new Map<string, Manifest[]>();
  // Kind, then namespace: maps of the strings the objects hold (their hashes computed once), not a
  // joined key string built and hashed at every lookup.
  const kindsNs = new Map<string, Map<string, { objects: Manifest[]; byName: Map<string, Manifest> }>>();
  for (let i = 0; i < manifests.length; i++) {
    const m = manifests[i]!;
    const list = kinds.get(m.ref.kind);
    if (list) list.push(m);
    else kinds.set(m.ref.kind, [m]);
    let namespaces = kindsNs.get(m.ref.kind);
    if (!namespaces) kindsNs.set(m.ref.kind, (namespaces = new Map()));
    let inNs = namespaces.get(ns(m));
    if (!inNs) namespaces.set(ns(m), (inNs = { objects: [], byName: new Map() }));
    inNs.objects.push(m);
    if (!inNs.byName.has(m.ref.name)) inNs.byName.set(m.ref.name, m);
  }
  const workloadsNs = new Map<string, Workload[]>();
  const workloads = allWorkloads(manifests);
  for (const w of workloads) {
    const list = workloadsNs.get(w.namespace);
    if (list) list.push(w);
    else workloadsNs.set(w.namespace, [w]);
  }
  const byKind = (kind: string) => kinds.get(kind) ?? [];
  const inNamespace = (kind: string, namespace: string) => kindsNs.get(kind)?.get(namespace)?.objects ?? [];
  const custom = new Set<string>();
  for (let i = 0; i < manifests.length; i++)
    if (isCustomResource(manifests[i]!.ref.apiVersion)) custom.add(ns(manifests[i]!));
  const autoscalers = new Map<string, Manifest>();
  for (const h of kinds.get('HorizontalPodAutoscaler') ?? []) {
    const key = `${ns(h)}/${String(get(h.body, 'spec', 'scaleTargetRef', 'kind'))}/${String(get(h.body, 'spec', 'scaleTargetRef', 'name'))}`;
    if (!autoscalers.has(key)) autoscalers.set(key, h);
  }
  // Selectors name labels every selected workload has: each workload is compared only with the
  // selectors filed under one of its labels (a selector's first key=value), and those naming none.
  const workloadsByLabel = new Map<string, Workload[]>();
  for (const w of workloads)
    for (const [k, v] of Object.entries(w.labels)) {
      const key = `${w.namespace}\0${k}\0${v}`;
      const list = workloadsByLabel.get(key);
      if (list) list.push(w);
      else workloadsByLabel.set(key, [w]);
    }
  const carriers = (namespace: string, pair: string) =>
    workloadsByLabel.get(`${namespace}\0${pair}`)?.length ?? 0;
  const serviceCandidates = candidatesFor(
    inNamespace,
    'Service',
    (m) => pairsOf(get(m.body, 'spec', 'selector')).map((pair) => [pair]),
    carriers,
  );
  const policyCandidates = candidatesFor(
    inNamespace,
    'NetworkPolicy',
    (m) => requiredGroups(get(m.body, 'spec', 'podSelector')),
    carriers,
  );
  const pdbCandidates = candidatesFor(
    inNamespace,
    'PodDisruptionBudget',
    (m) => requiredGroups(get(m.body, 'spec', 'selector')),
    carriers,
  );
  /** Workloads of `namespace` a label selector can select: those carrying its rarest matchLabels label. */
  const workloadsFor = (namespace: string, selector: unknown): Workload[] => {
    let best: Workload[] | undefined;
    for (const pair of pairsOf(get(selector, 'matchLabels'))) {
      const list = workloadsByLabel.get(`${namespace}\0${pair}`) ?? [];
      if (!best || list.length < best.length) best = list;
    }
    return best ?? workloadsNs.get(namespace) ?? [];
  };
  // Several rules ask the same question of each workload (is it selected by a Service, a policy, a
  // PDB?): each answer is computed once per run.
  const once = <K extends object, V>(compute: (key: K) => V): ((key: K) => V) => {
    const answers = new Map<K, V>();
    return (key) => {
      if (answers.has(key)) return answers.get(key) as V;
      const value = compute(key);
      answers.set(key, value);
      return value;
    };
  };
  const kindLists = new Map<readonly string[], readonly Manifest[]>();
  const ofKinds = (wanted: readonly string[]) => {
    let list = kindLists.get(wanted);
    if (!list) {
      const set = new Set(wanted);
      list = wanted.length === 1 ? byKind(wanted[0]!) : manifests.filter((m) => set.has(m.ref.kind));
      kindLists.set(wanted, list);
    }
    return list;
  };
  const index: InputIndex = {
    workloads,
    byKind,
    ofKinds,
    inNamespace,
    find: (kind, namespace, name) => kindsNs.get(kind)?.get(namespace)?.byName.get(name),
    servicesSelecting: once((w: Workload) =>
      serviceCandidates(w).filter((s) => matchesMapSelector(get(s.body, 'spec', 'selector'), w.labels)),
    ),
    workloadsSelectedBy: once((s: Manifest) => {
      const selector = get(s.body, 'spec', 'selector');
      return workloadsFor(ns(s), { matchLabels: selector }).filter((w) =>
        matchesMapSelector(selector, w.labels),
      );
    }),
    workloadsIn: workloadsFor,
    networkPoliciesSelecting: once((w: Workload) =>
      policyCandidates(w).filter(
        (p) =>
          p.ref.apiVersion.startsWith('networking.k8s.io/') &&
          matchesLabelSelector(get(p.body, 'spec', 'podSelector') ?? EMPTY_SELECTOR, w.labels),
      ),
    ),
    hasCustomResources: (namespace) => custom.has(namespace),
    autoscalerOf: (target) => autoscalers.get(`${ns(target)}/${target.ref.kind}/${target.ref.name}`),
    pdbsSelecting: once((w: Workload) =>
      pdbCandidates(w).filter((p) =>
        pdbSelects({ apiVersion: p.ref.apiVersion, selector: get(p.body, 'spec', 'selector') }, w.labels),
      ),
    ),
  };
  cache.set(manifests, index);
  return index;
}
