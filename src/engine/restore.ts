/**
 * Automatic rollback of a rolling deploy: re-apply the previous release's objects (re-rendered
 * from its recorded spec, coloured as it served when it was a blue-green release, so the Deployment gets back exactly its old pod template and the
 * Deployment controller scales the old ReplicaSet up again), wait for that rollout, and delete
 * what only the failed release had created.
 */
import { refOf, type KubeObject } from '../cluster/cluster.js';
import type { EngineContext } from './context.js';
import { FIELD_MANAGER } from './defaults.js';
import { groupByPhase } from './plan/order.js';
import { entryKey, entryOf } from './plan/workloads.js';
import type { Release } from './releases/release.js';
import { waitForRollouts } from './rollout.js';
import { servedObjects } from './strategies/colours.js';

export async function restorePrevious(
  ctx: EngineContext,
  previous: Release,
  failedObjects: KubeObject[],
  signal: AbortSignal,
): Promise<void> {
  // As it served: a blue-green release's objects carry the colour that was active.
  const objects = servedObjects(previous);
  const groups = groupByPhase(objects, new Set(Object.keys(previous.spec.dependencies)));
  // Migrations are not undone (a schema change is forward-only); everything else goes back.
  const restore = [...groups.foundation, ...groups.dependencies, ...groups.workloads, ...groups.traffic];
  await ctx.cluster.apply(restore, { fieldManager: FIELD_MANAGER, force: true });
  const deployments = groups.workloads
    .filter((o) => o.kind === 'Deployment')
    .map((o) => refOf(o, previous.spec.namespace));
  await waitForRollouts(ctx.cluster, deployments, signal);
  const keep = new Set(objects.map((o) => entryKey(entryOf(o, previous.spec.namespace))));
  for (const obj of failedObjects) {
    const entry = entryOf(obj, previous.spec.namespace);
    if (keep.has(entryKey(entry)) || obj.kind === 'Job') continue;
    await ctx.cluster.delete(entry, { propagationPolicy: 'Background' });
  }
}
