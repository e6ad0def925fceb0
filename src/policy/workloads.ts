import { get, getPath, isObj, num, objs, obj, str, strMap, type Obj } from './access.js';
import type { Manifest, Path } from './types.js';

/**
 * Where each workload kind keeps its pod template. Argo Rollouts' Rollout keeps it at spec.template
 * like a Deployment (a Rollout using spec.workloadRef points at another object and has no template).
 */
const TEMPLATE_PATHS: Record<string, Path> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Rollout: ['spec', 'template'],
  PodTemplate: ['template'],
};

export type ContainerKind = 'initContainers' | 'containers' | 'ephemeralContainers';

export interface ContainerRef {
  container: Obj;
  name: string;
  kind: ContainerKind;
  index: number;
  /** Path of the container inside the manifest body. */
  path: Path;
}

export interface Workload {
  manifest: Manifest;
  /** Pod metadata (for a Pod, the object's own metadata). */
  podMeta: Obj;
  podMetaPath: Path;
  podSpec: Obj;
  podSpecPath: Path;
  labels: Record<string, string>;
  namespace: string;
  /** spec.replicas when the kind has it (undefined when unset; the API defaults it to 1). */
  replicas?: number;
  /** True for run-to-completion pods (Job, CronJob, a Pod with restartPolicy Never/OnFailure). */
  batch: boolean;
  /**
   * containersOf's lists already asked for, indexed by the bit set of their container kinds: every
   * rule asks, so they are kept on the workload (a field read, not a WeakMap lookup per call).
   */
  readonly containerLists: Array<ContainerRef[] | undefined>;
}

const cache = new WeakMap<Manifest, Workload | null>();

export function isWorkloadKind(kind: string): boolean {
  return kind === 'Pod' || kind in TEMPLATE_PATHS;
}

export function workloadOf(manifest: Manifest): Workload | undefined {
  const hit = cache.get(manifest);
  if (hit !== undefined) return hit ?? undefined;
  const found = extract(manifest);
  cache.set(manifest, found ?? null);
  return found;
}

function extract(manifest: Manifest): Workload | undefined {
  const { kind, apiVersion } = manifest.ref;
  const body = manifest.body;
  if (kind === 'Rollout' && !apiVersion.startsWith('argoproj.io/')) return undefined;
  let metaPath: Path;
  let specPath: Path;
  if (kind === 'Pod') {
    metaPath = ['metadata'];
    specPath = ['spec'];
  } else {
    const tpl = TEMPLATE_PATHS[kind];
    if (!tpl) return undefined;
    metaPath = [...tpl, 'metadata'];
    specPath = [...tpl, 'spec'];
  }
  const podSpec = obj(getPath(body, specPath));
  if (!podSpec) return undefined;
  const podMeta = obj(getPath(body, metaPath)) ?? {};
  const restartPolicy = str(podSpec.restartPolicy);
  return {
    manifest,
    podMeta,
    podMetaPath: metaPath,
    podSpec,
    podSpecPath: specPath,
    labels: strMap(podMeta.labels),
    namespace: manifest.ref.namespace ?? 'default',
    replicas:
      kind === 'Pod' || kind === 'Job' || kind === 'CronJob' || kind === 'DaemonSet'
        ? undefined
        : num(get(body, 'spec', 'replicas')),
    batch:
      kind === 'Job' ||
      kind === 'CronJob' ||
      (kind === 'Pod' && (restartPolicy === 'Never' || restartPolicy === 'OnFailure')),
    containerLists: [],
  };
}

const ALL_CONTAINER_KINDS: ContainerKind[] = ['initContainers', 'containers', 'ephemeralContainers'];
/** The kind lists rules ask containersOf for, one array each (not a new array at every call). */
export const APP: readonly ContainerKind[] = ['containers'];
export const INIT_AND_APP: readonly ContainerKind[] = ['initContainers', 'containers'];
export const APP_AND_INIT: readonly ContainerKind[] = ['containers', 'initContainers'];
const KIND_BIT: Record<ContainerKind, number> = { initContainers: 1, containers: 2, ephemeralContainers: 4 };

/** Visits init containers, containers and ephemeral containers in the order the PSA visitor does. */
export function containersOf(
  w: Workload,
  kinds: readonly ContainerKind[] = ALL_CONTAINER_KINDS,
): ContainerRef[] {
  // Every rule asks; the lists are computed once per workload and kind set (in the order asked).
  const byKinds = w.containerLists;
  let key = 0;
  for (let i = 0; i < kinds.length; i++) key = key * 8 + KIND_BIT[kinds[i]!];
  const hit = byKinds[key];
  if (hit) return hit;
  if (kinds.length === 1) return (byKinds[key] = refsOf(w, kinds[0]!));
  // Lists of several kinds join the one-kind lists: each container gets one ContainerRef per workload.
  const out: ContainerRef[] = [];
  for (const kind of kinds) {
    const bit = KIND_BIT[kind];
    const list = (byKinds[bit] ??= refsOf(w, kind));
    for (let i = 0; i < list.length; i++) out.push(list[i]!);
  }
  byKinds[key] = out;
  return out;
}

/** The containers of one kind of a workload's pod, in order. */
function refsOf(w: Workload, kind: ContainerKind): ContainerRef[] {
  const out: ContainerRef[] = [];
  const list = w.podSpec[kind];
  if (!Array.isArray(list)) return out;
  list.forEach((c, index) => {
    if (!isObj(c)) return;
    out.push({
      container: c,
      name: str(c.name) ?? `#${index}`,
      kind,
      index,
      path: [...w.podSpecPath, kind, index],
    });
  });
  return out;
}

/** Init containers with restartPolicy Always are sidecars: they keep running beside the app containers. */
export function isSidecar(ref: ContainerRef): boolean {
  return ref.kind === 'initContainers' && ref.container.restartPolicy === 'Always';
}

/** Long-running containers of a long-running pod (app containers and sidecars), for probe/resource rules. */
export function servingContainers(w: Workload): ContainerRef[] {
  return containersOf(w, APP);
}

export function allWorkloads(manifests: readonly Manifest[]): Workload[] {
  const out: Workload[] = [];
  for (const m of manifests) {
    const w = workloadOf(m);
    if (w) out.push(w);
  }
  return out;
}

export function namedPorts(w: Workload): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of containersOf(w, APP_AND_INIT)) {
    for (const p of objs(c.container.ports)) {
      const name = str(p.name);
      const port = num(p.containerPort);
      if (name && port !== undefined) out.set(name, port);
    }
  }
  return out;
}

export function declaredPorts(w: Workload): Set<number> {
  const out = new Set<number>();
  for (const c of containersOf(w, APP_AND_INIT)) {
    for (const p of objs(c.container.ports)) {
      const port = num(p.containerPort);
      if (port !== undefined) out.add(port);
    }
  }
  return out;
}
