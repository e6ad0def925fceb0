/**
 * The ReplicaSet controller (pkg/controller/replicaset/replica_set.go): keeps `spec.replicas`
 * active pods, created from the template with `generateName: <rs>-` and a controller
 * ownerReference; when there are too many it deletes the least useful first (controller.ActivePods
 * ordering: unscheduled, pending, not ready, ready for less time, newest). Status counts ready and
 * available (Ready for minReadySeconds) pods.
 */
import { type KubeObject, selectorFromLabelSelector, type LabelSelector } from '@slipway/kube';
import { ownerKey, selfKey, type ControllerSpec, type LoopContext } from './loop.js';
import {
  claim,
  getCondition,
  isPodActive,
  isPodAvailable,
  untilAvailable,
  isPodReady,
  ownerRefTo,
  spec,
  splitKey,
  status,
  type Condition,
  type Kinds,
  type Obj,
} from './objects.js';

interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: LabelSelector;
  template?: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: Obj;
  };
}

/** Pods a workload controller owns: same namespace, matching selector, controlled by it. */
export function ownedPods(
  ctx: LoopContext,
  k: Kinds,
  owner: KubeObject,
  selector: LabelSelector | undefined,
): KubeObject[] {
  // An empty selector selects nothing for workload controllers (a nil selector matches no pods).
  if (
    !selector ||
    (!Object.keys(selector.matchLabels ?? {}).length && !(selector.matchExpressions ?? []).length)
  )
    return [];
  const matching = ctx.store
    .list(k.pod, owner.metadata.namespace, { labelSelector: selectorFromLabelSelector(selector).toString() })
    .items.filter((p) => selectorFromLabelSelector(selector).matches(p.metadata.labels));
  return claim(ctx.store, k.pod, owner, matching);
}

/** A pod built from a template, owned by `owner` (controller.GetPodFromTemplate). */
export function podFromTemplate(
  owner: KubeObject,
  template: ReplicaSetSpec['template'],
  name: { generateName?: string; name?: string },
  extraLabels: Record<string, string> = {},
): KubeObject {
  const meta = template?.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...name,
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}), ...extraLabels },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ownerReferences: [ownerRefTo(owner)],
    },
    spec: structuredClone(template?.spec ?? {}),
  };
}

/** Lower sorts first: the deletion preference of controller.ActivePods. */
function deletionRank(pod: KubeObject): number[] {
  const st = status<{ phase?: string; conditions?: Condition[] }>(pod);
  const scheduled = spec<{ nodeName?: string }>(pod).nodeName ? 1 : 0;
  const running = st.phase === 'Running' ? 1 : st.phase === 'Pending' ? 0 : -1;
  const ready = isPodReady(pod) ? 1 : 0;
  const readySince = Date.parse(getCondition(st.conditions, 'Ready')?.lastTransitionTime ?? '') || 0;
  const created = Date.parse(pod.metadata.creationTimestamp ?? '') || 0;
  return [scheduled, running, ready, -readySince, -created];
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return 0;
}

export function replicaSetController(ctx: LoopContext, k: Kinds): ControllerSpec {
  return {
    name: 'replicaset-controller',
    inputs: [
      { type: k.replicaSet, keys: selfKey },
      { type: k.pod, keys: ownerKey('ReplicaSet') },
    ],
    reconcile(key) {
      const { namespace, name } = splitKey(key);
      const rs = ctx.store.get(k.replicaSet, namespace, name);
      if (!rs || rs.metadata.deletionTimestamp) return;
      const s = spec<ReplicaSetSpec>(rs);
      const want = s.replicas ?? 1;
      let active = ownedPods(ctx, k, rs, s.selector).filter(isPodActive);
      if (active.length < want) {
        for (let i = active.length; i < want; i++) {
          const pod = ctx.store.create(podFromTemplate(rs, s.template, { generateName: `${name}-` }));
          ctx.events?.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        }
      } else if (active.length > want) {
        const victims = [...active]
          .sort((a, b) => compareRanks(deletionRank(a), deletionRank(b)))
          .slice(0, active.length - want);
        for (const p of victims) {
          try {
            ctx.store.delete(k.pod, namespace, p.metadata.name as string);
            ctx.events?.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
          } catch {
            // Already gone: the next event recounts.
          }
        }
      }
      active = ownedPods(ctx, k, rs, s.selector).filter(isPodActive);
      return writeReplicaSetStatus(ctx, k, rs, active, s);
    },
  };
}

function writeReplicaSetStatus(
  ctx: LoopContext,
  k: Kinds,
  rs: KubeObject,
  active: KubeObject[],
  s: ReplicaSetSpec,
): number | undefined {
  const now = ctx.clock.now();
  const minReady = s.minReadySeconds ?? 0;
  const ready = active.filter(isPodReady);
  const available = active.filter((p) => isPodAvailable(p, minReady, now));
  const templateLabels = s.template?.metadata?.labels ?? {};
  const next = {
    ...status(rs),
    replicas: active.length,
    fullyLabeledReplicas: active.filter((p) =>
      Object.entries(templateLabels).every(([key, v]) => p.metadata.labels?.[key] === v),
    ).length,
    readyReplicas: ready.length,
    availableReplicas: available.length,
    observedGeneration: rs.metadata.generation ?? 0,
  };
  for (const f of ['readyReplicas', 'availableReplicas', 'fullyLabeledReplicas'] as const)
    if (next[f] === 0) delete (next as Partial<typeof next>)[f];
  ctx.store.update({ ...rs, status: next }, { subresource: 'status' });
  return untilAvailable(ready, minReady, now);
}
