/**
 * `slipway drift --fix`: put the release back. Changed and missing objects are applied again by
 * server-side apply (forced: the release's fields return to Slipway), fields another manager added
 * are removed by a JSON patch guarded by a `test` of the value the check saw, and orphans are
 * deleted only when asked (`--prune`). Then the check runs again; its report is the answer.
 */
import type { KubeObject } from '@slipway/kube';
import { refOf } from '../cluster/cluster.js';
import { FIELD_MANAGER } from '../engine/defaults.js';
import type { ResolvedApp } from '../spec/resolved.js';
import { keepIgnoredFields } from '../engine/ignore.js';
import {
  checkDrift,
  currentRelease,
  ignoreRules,
  MASKED,
  type DriftContext,
  type DriftReport,
} from './check.js';
import { objectKey, releasedObjects } from './released.js';

export interface FixResult {
  /** Objects applied again. */
  applied: number;
  /** Fields other managers added, removed. */
  removed: number;
  /** Orphans deleted (`--prune`). */
  pruned: number;
  after: DriftReport;
}

export async function fixDrift(
  ctx: DriftContext,
  app: ResolvedApp,
  before: DriftReport,
  opts: { prune: boolean; files?: Record<string, string> },
): Promise<FixResult> {
  const release = await currentRelease(ctx.store, app.app, app.environment);
  const ns = release.spec.namespace;
  const drifted = new Set([
    ...before.changed.filter((f) => f.change === 'changed').map((f) => objectKey(f)),
    ...before.missing.map((m) => objectKey(m)),
  ]);
  const released = new Map(
    releasedObjects(release).objects.map((o) => [objectKey(refOf(o, ns)), o] as const),
  );
  const toApply = [...released].filter(([key]) => drifted.has(key)).map(([, o]) => o);
  // Ignored fields keep their live values, as a deploy applies them (src/engine/ignore.ts).
  const applied = await keepIgnoredFields(ctx.cluster, toApply, ignoreRules(release, app), ns);
  if (applied.length) await ctx.cluster.apply(applied, { fieldManager: FIELD_MANAGER, force: true });
  let removed = 0;
  const byObject = new Map<string, typeof before.changed>();
  for (const f of before.changed.filter((c) => c.change === 'added'))
    byObject.set(objectKey(f), [...(byObject.get(objectKey(f)) ?? []), f]);
  for (const [key, fields] of byObject) {
    const obj = released.get(key);
    if (!obj) continue;
    // Deepest first, so removing one field does not move the index of another; each guarded by
    // the value the check saw, so a field changed since is left alone (the re-check shows it).
    const ops = [...fields]
      .sort((a, b) => b.path.localeCompare(a.path))
      .flatMap((f) => [
        ...(f.live === MASKED ? [] : [{ op: 'test', path: f.path, value: f.live }]),
        { op: 'remove', path: f.path },
      ]);
    const ref = refOf(obj, ns);
    await ctx.cluster.patch<KubeObject>(ref, ops, 'json', { fieldManager: FIELD_MANAGER });
    removed += fields.length;
  }
  let pruned = 0;
  if (opts.prune)
    for (const o of before.orphans)
      if (await ctx.cluster.delete({ ...o, namespace: o.namespace ?? ns })) pruned++;
  return { applied: toApply.length, removed, pruned, after: await checkDrift(ctx, app, opts.files) };
}
