/**
 * Small typed views over the plain objects the store holds, shared by every controller:
 * resource lookup, label selectors (metav1.LabelSelector), owner references, conditions and
 * conflict-retrying writes.
 */
import type { KubeObject, OwnerReference } from '@slipway/kube';
import { StoreError, type ObjectStore, type ResourceType } from '../types.js';

export type Obj = Record<string, unknown>;

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
}

export function resourceType(store: ObjectStore, apiVersion: string, kind: string): ResourceType {
  const t = store.typeFor(apiVersion, kind);
  if (!t) throw new Error(`the sandbox store does not serve ${apiVersion} ${kind}`);
  return t;
}

/** The standard kinds the controllers and kubelet read and write. */
export function kinds(store: ObjectStore) {
  const t = (apiVersion: string, kind: string) => resourceType(store, apiVersion, kind);
  return {
    pod: t('v1', 'Pod'),
    service: t('v1', 'Service'),
    endpoints: t('v1', 'Endpoints'),
    configMap: t('v1', 'ConfigMap'),
    secret: t('v1', 'Secret'),
    pvc: t('v1', 'PersistentVolumeClaim'),
    pv: t('v1', 'PersistentVolume'),
    endpointSlice: t('discovery.k8s.io/v1', 'EndpointSlice'),
    deployment: t('apps/v1', 'Deployment'),
    replicaSet: t('apps/v1', 'ReplicaSet'),
    statefulSet: t('apps/v1', 'StatefulSet'),
    daemonSet: t('apps/v1', 'DaemonSet'),
    job: t('batch/v1', 'Job'),
    cronJob: t('batch/v1', 'CronJob'),
  };
}
export type Kinds = ReturnType<typeof kinds>;

export function controllerRef(o: KubeObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller);
}

export function isControlledBy(o: KubeObject, owner: KubeObject): boolean {
  return controllerRef(o)?.uid === owner.metadata.uid;
}

export function ownerRefTo(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name as string,
    uid: owner.metadata.uid as string,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i) || undefined, name: key.slice(i + 1) };
}

export function spec<T = Obj>(o: KubeObject): T {
  return (o.spec ?? {}) as T;
}

export function status<T = Obj>(o: KubeObject): T {
  return (o.status ?? {}) as T;
}

export function getCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * Same rule as the controllers' SetCondition helpers (deployment/util SetDeploymentCondition):
 * lastTransitionTime only moves when the status flips; an identical status and reason keeps it.
 */
export function setCondition(
  conditions: Condition[],
  next: Condition,
  now: string,
  opts: { updateTime?: boolean } = {},
): Condition[] {
  const current = getCondition(conditions, next.type);
  if (
    current &&
    current.status === next.status &&
    current.reason === next.reason &&
    current.message === next.message
  )
    return conditions;
  const c: Condition = { ...next };
  c.lastTransitionTime = current && current.status === next.status ? current.lastTransitionTime : now;
  if (opts.updateTime) c.lastUpdateTime = now;
  return [...conditions.filter((x) => x.type !== next.type), c];
}

export function isNotFound(e: unknown): boolean {
  return e instanceof StoreError && e.status === 404;
}

export function isConflict(e: unknown): boolean {
  return e instanceof StoreError && e.status === 409;
}

/**
 * Re-reads and re-applies `mutate` until the write lands (client-go's RetryOnConflict). `mutate`
 * returns false to skip the write. Returns the stored object, or undefined if it is gone.
 */
export function updateWithRetry(
  store: ObjectStore,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  mutate: (o: KubeObject) => boolean | void,
  opts: { subresource?: 'status'; uid?: string } = {},
): KubeObject | undefined {
  for (let attempt = 0; attempt < 20; attempt++) {
    const current = store.get(type, namespace, name);
    if (!current || (opts.uid && current.metadata.uid !== opts.uid)) return undefined;
    if (mutate(current) === false) return current;
    try {
      return store.update(current, opts.subresource ? { subresource: opts.subresource } : undefined);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      if (!isConflict(e)) throw e;
    }
  }
  throw new StoreError(
    409,
    'Conflict',
    `gave up updating ${type.resource} ${namespace}/${name} after 20 conflicts`,
  );
}

/** Pod readiness as podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: KubeObject): boolean {
  return getCondition(status<{ conditions?: Condition[] }>(pod).conditions, 'Ready')?.status === 'True';
}

/** podutil.IsPodAvailable: Ready for at least minReadySeconds. */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: Date): boolean {
  const ready = getCondition(status<{ conditions?: Condition[] }>(pod).conditions, 'Ready');
  if (ready?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = Date.parse(ready.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now.getTime();
}

/**
 * Milliseconds until the first of `pods` that is ready but not yet available becomes available, or
 * undefined when none is waiting: a pod turns available minReadySeconds after it became ready,
 * with no event of its own, so a controller counting available pods looks again then.
 */
export function untilAvailable(
  pods: readonly KubeObject[],
  minReadySeconds: number,
  now: Date,
): number | undefined {
  if (!minReadySeconds) return undefined;
  let soonest = Infinity;
  for (const pod of pods) {
    const ready = getCondition(status<{ conditions?: Condition[] }>(pod).conditions, 'Ready');
    if (ready?.status !== 'True' || isPodAvailable(pod, minReadySeconds, now)) continue;
    soonest = Math.min(soonest, Date.parse(ready.lastTransitionTime ?? '') + minReadySeconds * 1000);
  }
  return Number.isFinite(soonest) ? Math.max(1, soonest - now.getTime() + 1) : undefined;
}

export function isPodTerminal(pod: KubeObject): boolean {
  const phase = status<{ phase?: string }>(pod).phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** controller.FilterActivePods: not terminal and not being deleted. */
export function isPodActive(pod: KubeObject): boolean {
  return !isPodTerminal(pod) && !pod.metadata.deletionTimestamp;
}

/**
 * ControllerRefManager.ClaimObjects, adoption half: objects matching the owner's selector with no
 * controller (left by `kubectl delete --cascade=orphan`) get the owner's controller reference.
 * Returns the objects now controlled by the owner.
 */
export function claim(
  store: ObjectStore,
  type: ResourceType,
  owner: KubeObject,
  candidates: KubeObject[],
): KubeObject[] {
  const out: KubeObject[] = [];
  for (const o of candidates) {
    if (isControlledBy(o, owner)) out.push(o);
    else if (!controllerRef(o) && !o.metadata.deletionTimestamp && !owner.metadata.deletionTimestamp) {
      const adopted = updateWithRetry(
        store,
        type,
        o.metadata.namespace,
        o.metadata.name as string,
        (x) => {
          if (controllerRef(x)) return false;
          x.metadata.ownerReferences = [...(x.metadata.ownerReferences ?? []), ownerRefTo(owner)];
        },
        { uid: o.metadata.uid as string },
      );
      if (adopted && isControlledBy(adopted, owner)) out.push(adopted);
    }
  }
  return out;
}
