/**
 * Automatic rollback of a rolling deploy: re-apply the previous release's objects (as its record
 * kept them, coloured as it served when it was a blue-green release, so the Deployment gets back exactly its old pod template and the
 * Deployment controller scales the old ReplicaSet up again), wait for that rollout, and delete
 * what only the failed release had created. A StatefulSet needs one more step, Kubernetes' "forced
 * rollback" (docs: StatefulSets, Forced rollback): with OrderedReady it never replaces a pod that is
 * not Running and Ready, so a pod of the failed revision stuck in ImagePullBackOff or
 * CrashLoopBackOff would stay for ever; those pods are deleted once the template is back, and the
 * controller recreates them on the restored revision. Volumes (PVCs) are never touched.
 */
import type { KubeObject, ObjectRef } from '@slipway/kube';
import { refOf } from '../cluster/cluster.js';
import type { EngineContext } from './context.js';
import { FIELD_MANAGER } from './defaults.js';
import { groupByPhase } from './plan/order.js';
import { entryKey, entryOf } from './plan/workloads.js';
import type { Release } from './releases/release.js';
import { CONTROLLER_REVISION_LABEL, rolloutOptions, waitForRollouts } from './rollout.js';
import { podSelector, ROLLOUT_KINDS, type StatefulSet } from './rollout-status.js';
import type { Pod } from './pod-failures.js';
import { withoutUnservedAddOns } from './add-ons.js';
import { servedObjects } from './strategies/colours.js';
import { releaseObjects } from './releases/objects.js';

export async function restorePrevious(
  ctx: EngineContext,
  previous: Release,
  failedObjects: KubeObject[],
  signal: AbortSignal,
): Promise<void> {
  // As it served: a blue-green release's objects carry the colour that was active.
  const { note } = releaseObjects(previous);
  if (note) ctx.emit({ type: 'message', level: 'warn', text: note, at: ctx.clock.now().toISOString() });
  const { kept: objects } = await withoutUnservedAddOns(ctx.cluster, servedObjects(previous));
  const groups = groupByPhase(objects, new Set(Object.keys(previous.spec.dependencies)));
  // Migrations are not undone (a schema change is forward-only); everything else goes back.
  const restore = [...groups.foundation, ...groups.dependencies, ...groups.workloads, ...groups.traffic];
  await ctx.cluster.apply(restore, { fieldManager: FIELD_MANAGER, force: true });
  for (const sts of groups.workloads.filter((o) => o.kind === 'StatefulSet')) {
    await replaceStuckPods(ctx, refOf(sts, previous.spec.namespace), signal);
  }
  const deployments = groups.workloads
    .filter((o) => ROLLOUT_KINDS.has(o.kind))
    .map((o) => refOf(o, previous.spec.namespace));
  await waitForRollouts(ctx.cluster, deployments, signal, rolloutOptions(previous.spec.deploy, ctx.clock));
  const keep = new Set(objects.map((o) => entryKey(entryOf(o, previous.spec.namespace))));
  for (const obj of failedObjects) {
    const entry = entryOf(obj, previous.spec.namespace);
    if (keep.has(entryKey(entry)) || obj.kind === 'Job') continue;
    await ctx.cluster.delete(entry, { propagationPolicy: 'Background' });
  }
}

/** Deletes a StatefulSet's pods that run another revision than its restored one and are not ready. */
async function replaceStuckPods(ctx: EngineContext, ref: ObjectRef, signal: AbortSignal): Promise<void> {
  // The controller must have seen the restored template before updateRevision names it.
  const sts = await ctx.cluster.watch<StatefulSet>(
    ref,
    (s) => s === undefined || (s.status?.observedGeneration ?? 0) >= (s.metadata.generation ?? 0),
    signal,
  );
  const revision = sts?.status?.updateRevision;
  const selector = podSelector(sts);
  if (!sts || !revision || !selector) return;
  const { items } = await ctx.cluster.list<Pod>(
    { apiVersion: 'v1', kind: 'Pod', namespace: ref.namespace },
    { labelSelector: selector },
  );
  for (const pod of items) {
    const ready = (pod.status?.containerStatuses ?? []).every((c) => c.ready === true);
    if (
      pod.metadata.labels?.[CONTROLLER_REVISION_LABEL] === revision ||
      (ready && pod.status?.phase === 'Running')
    )
      continue;
    await ctx.cluster.delete(refOf(pod, ref.namespace));
  }
}
