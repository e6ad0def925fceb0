/**
 * `slipway diff`: what the next deploy would change, as `kubectl diff` decides it: each object the
 * deploy would apply is sent as a server-side apply dry run, and the server's answer is compared
 * with the live object, so defaulted fields and other managers' fields do not show as changes.
 * Blue-green objects are compared as the deploy would apply them (the next colour).
 */
import { withoutServerFields, type KubeObject } from '@slipway/kube';
import jsonPatch from 'fast-json-patch';
import { describeRef, refOf } from '../cluster/cluster.js';
import type { ResolvedApp } from '../spec/resolved.js';
import type { EngineContext } from './context.js';
import { FIELD_MANAGER } from './defaults.js';
import { liveColours } from './live.js';
import { groupByPhase } from './plan/order.js';
import { planDeploy, type DeployPlan } from './plan/index.js';
import { withoutUnservedAddOns } from './add-ons.js';
import { renderObjects, type SpecFiles } from './prepare.js';
import { colourObjects } from './strategies/colours.js';

export interface ObjectChange {
  action: 'create' | 'update' | 'delete';
  object: string;
  /** JSON pointers of the fields that change (update only). */
  fields?: string[];
}

export interface DiffResult {
  plan: DeployPlan;
  changes: ObjectChange[];
  unchanged: number;
}

/** What a deploy could change: the server's own fields left out, and the Deployment controller's annotations. */
function comparable(obj: KubeObject): Record<string, unknown> {
  const base = withoutServerFields(obj) as { metadata: { annotations?: Record<string, string> } };
  const { annotations, ...meta } = base.metadata;
  const kept = Object.fromEntries(
    Object.entries(annotations ?? {}).filter(([k]) => !k.startsWith('deployment.kubernetes.io/')),
  );
  return { ...base, metadata: { ...meta, ...(Object.keys(kept).length ? { annotations: kept } : {}) } };
}

export async function diff(
  ctx: Pick<EngineContext, 'cluster' | 'store'>,
  app: ResolvedApp,
  files: SpecFiles = {},
): Promise<DiffResult> {
  const { kept: objects } = await withoutUnservedAddOns(ctx.cluster, renderObjects(app, files).objects);
  const previous = await ctx.store.deployed(app.app, app.environment);
  const latest = await ctx.store.latest(app.app, app.environment);
  const plan = planDeploy({
    app,
    revision: (latest?.revision ?? 0) + 1,
    previous,
    objects,
    live: { activeColours: await liveColours(ctx.cluster, app, objects) },
  });
  let desired = objects;
  if (plan.blueGreen) {
    const groups = groupByPhase(objects, new Set(Object.keys(app.dependencies)));
    const c = colourObjects(groups.workloads, groups.traffic, plan.blueGreen);
    const replaced = new Set([...groups.workloads, ...groups.traffic]);
    desired = [
      ...objects.filter((o) => !replaced.has(o)),
      ...c.colourWorkloads,
      ...c.rest,
      ...c.preview,
      ...c.active,
    ];
  }
  const changes: ObjectChange[] = [];
  let unchanged = 0;
  for (const obj of desired) {
    const ref = refOf(obj, app.namespace);
    const live = await ctx.cluster.get(ref);
    if (!live) {
      changes.push({ action: 'create', object: describeRef(ref) });
      continue;
    }
    const [after] = await ctx.cluster.apply([obj], {
      fieldManager: FIELD_MANAGER,
      dryRun: true,
      force: true,
    });
    const fields = jsonPatch.compare(comparable(live), comparable(after ?? live)).map((op) => op.path);
    if (fields.length) changes.push({ action: 'update', object: describeRef(ref), fields });
    else unchanged++;
  }
  for (const entry of plan.prune)
    changes.push({
      action: 'delete',
      object: describeRef({ ...entry, namespace: entry.namespace ?? app.namespace }),
    });
  return { plan, changes, unchanged };
}
