/**
 * The StatefulSet controller (pkg/controller/statefulset/stateful_set_control.go), simplified:
 * pods `<name>-<ordinal>` with stable PVCs `<claim>-<name>-<ordinal>` from volumeClaimTemplates;
 * OrderedReady creates one pod at a time in ordinal order, each after its predecessor is Running
 * and Ready, and removes from the highest ordinal down; Parallel does all at once. A template
 * change rolls pods from the highest ordinal down to `partition`, one at a time, and
 * currentRevision catches up with updateRevision when done (what `kubectl rollout status` waits
 * for). Each template gets a ControllerRevision (history.ts) for `kubectl rollout history|undo`.
 * With minReadySeconds, OrderedReady waits for each pod to be available (Ready that long) rather
 * than just Ready, before creating the next ordinal or rolling the next one, as processReplica's
 * isRunningAndAvailable does (GA in 1.25); status.availableReplicas counts such pods.
 */
import type { KubeObject, LabelSelector } from '@slipway/kube';
import { computeHash } from './deployment-util.js';
import { syncControllerRevision } from './history.js';
import { ownerKey, selfKey, type ControllerSpec, type LoopContext } from './loop.js';
import {
  isControlledBy,
  isPodAvailable,
  untilAvailable,
  isPodReady,
  spec,
  splitKey,
  status,
  type Kinds,
  type Obj,
} from './objects.js';
import { podFromTemplate } from './replicaset.js';

interface StatefulSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  revisionHistoryLimit?: number;
  selector?: LabelSelector;
  updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
  template?: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: Obj;
  };
  volumeClaimTemplates?: { metadata?: { name?: string; labels?: Record<string, string> }; spec?: Obj }[];
}

export const REVISION_LABEL = 'controller-revision-hash';
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

export function statefulSetController(ctx: LoopContext, k: Kinds): ControllerSpec {
  return {
    name: 'statefulset-controller',
    inputs: [
      { type: k.statefulSet, keys: selfKey },
      { type: k.pod, keys: ownerKey('StatefulSet') },
    ],
    reconcile(key) {
      const { namespace, name } = splitKey(key);
      const sts = ctx.store.get(k.statefulSet, namespace, name);
      if (!sts || sts.metadata.deletionTimestamp) return;
      const s = spec<StatefulSetSpec>(sts);
      const replicas = s.replicas ?? 1;
      const ordered = s.podManagementPolicy !== 'Parallel';
      const minReady = s.minReadySeconds ?? 0;
      const now = ctx.clock.now();
      const hash = computeHash(s.template);
      const updateRevision = `${name}-${hash}`;
      syncControllerRevision(ctx, sts, s.template, hash, s.revisionHistoryLimit ?? 10);
      const pods = new Map<number, KubeObject>();
      for (const p of ctx.store.list(k.pod, namespace).items) {
        if (!isControlledBy(p, sts)) continue;
        const m = new RegExp(`^${name}-(\\d+)$`).exec(p.metadata.name ?? '');
        if (m) pods.set(Number(m[1]), p);
      }
      const healthy = (p: KubeObject | undefined) =>
        !!p &&
        !p.metadata.deletionTimestamp &&
        status<{ phase?: string }>(p).phase === 'Running' &&
        // Parallel pods wait for nobody; OrderedReady ones for their predecessors to be available.
        (ordered ? isPodAvailable(p, minReady, now) : isPodReady(p));
      let acted = false;
      // Create missing ordinals below replicas.
      for (let i = 0; i < replicas && !acted; i++) {
        const p = pods.get(i);
        if (!p) {
          createPod(sts, s, i, updateRevision);
          if (ordered) acted = true;
        } else if (ordered && !healthy(p)) acted = true;
      }
      // Remove ordinals at or above replicas, highest first.
      const extra = [...pods.keys()].filter((i) => i >= replicas).sort((a, b) => b - a);
      for (const i of ordered ? extra.slice(0, 1) : extra) {
        if (acted && ordered) break;
        const p = pods.get(i) as KubeObject;
        if (!p.metadata.deletionTimestamp) {
          ctx.store.delete(k.pod, namespace, p.metadata.name as string);
          ctx.events?.record(
            sts,
            'Normal',
            'SuccessfulDelete',
            `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`,
          );
        }
        acted = true;
      }
      // Rolling update: the highest outdated ordinal ≥ partition goes once everyone is healthy.
      const partition = s.updateStrategy?.rollingUpdate?.partition ?? 0;
      if (!acted && s.updateStrategy?.type !== 'OnDelete') {
        const all = [...pods.entries()].filter(([i]) => i < replicas);
        if (all.every(([, p]) => healthy(p))) {
          const outdated = all
            .filter(([i, p]) => i >= partition && p.metadata.labels?.[REVISION_LABEL] !== updateRevision)
            .sort((a, b) => b[0] - a[0])[0];
          if (outdated) ctx.store.delete(k.pod, namespace, outdated[1].metadata.name as string);
        }
      }
      const live = [
        ...ctx.store
          .list(k.pod, namespace)
          .items.filter((p) => isControlledBy(p, sts) && !p.metadata.deletionTimestamp),
      ];
      const updated = live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === updateRevision).length;
      const st = status<{ currentRevision?: string }>(sts);
      const currentRevision =
        updated === replicas && live.length === replicas
          ? updateRevision
          : (st.currentRevision ?? updateRevision);
      const available = live.filter((p) => isPodAvailable(p, minReady, now));
      const next: Record<string, unknown> = {
        observedGeneration: sts.metadata.generation ?? 0,
        replicas: live.length,
        readyReplicas: live.filter(isPodReady).length,
        availableReplicas: available.length,
        currentReplicas: live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === currentRevision).length,
        updatedReplicas: updated,
        currentRevision,
        updateRevision,
        collisionCount: 0,
      };
      ctx.store.update({ ...sts, status: next }, { subresource: 'status' });
      return untilAvailable(live, minReady, now);
    },
  };

  function createPod(sts: KubeObject, s: StatefulSetSpec, ordinal: number, revision: string): void {
    const podName = `${sts.metadata.name}-${ordinal}`;
    const pod = podFromTemplate(
      sts,
      s.template,
      { name: podName },
      { [REVISION_LABEL]: revision, [POD_NAME_LABEL]: podName, [POD_INDEX_LABEL]: String(ordinal) },
    );
    const podSpec = pod.spec as { hostname?: string; volumes?: Obj[] };
    podSpec.hostname = podName;
    for (const t of s.volumeClaimTemplates ?? []) {
      const claimName = `${t.metadata?.name}-${podName}`;
      if (!ctx.store.get(k.pvc, sts.metadata.namespace, claimName)) {
        ctx.store.create({
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: {
            name: claimName,
            namespace: sts.metadata.namespace,
            labels: { ...(s.selector?.matchLabels ?? {}), ...(t.metadata?.labels ?? {}) },
          },
          spec: structuredClone(t.spec ?? {}),
        });
      }
      podSpec.volumes = [
        ...(podSpec.volumes ?? []).filter((v) => v.name !== t.metadata?.name),
        { name: t.metadata?.name, persistentVolumeClaim: { claimName } },
      ];
    }
    ctx.store.create(pod);
    ctx.events?.record(
      sts,
      'Normal',
      'SuccessfulCreate',
      `create Pod ${podName} in StatefulSet ${sts.metadata.name} successful`,
    );
  }
}
