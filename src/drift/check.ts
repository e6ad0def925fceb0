/**
 * `slipway drift`: does the cluster still hold what the environment's current release applied?
 *
 * The API server decides, not a home-made normaliser: each released object is sent as a
 * server-side apply dry run (`dryRun=All`, Slipway's field manager, forced), and the answer is
 * compared with the live object. Defaults never differ (the server fills them on both sides), and a
 * field Slipway never set stays as it is in the dry run, so an HPA's replicas or an annotation
 * added by another manager never count. What does count:
 * - changed: a field the release set that applying it again would change (`kubectl set image`,
 *   `kubectl scale` of a Deployment without an HPA, an edit);
 * - added: a field inside the object's spec that another manager added and Slipway never set
 *   (`kubectl set env` on a container); metadata and `spec.replicas` are left to others;
 * - missing: a released object that is gone; orphan: an object with the app's labels that no
 *   release applied.
 * `metadata.managedFields` names the manager of each field; Secret values are always masked.
 */
import { withoutServerFields, type KubeObject, type ObjectRef } from '@slipway/kube';
import jsonPatch from 'fast-json-patch';
import { isClusterError, refOf, type Cluster } from '../cluster/cluster.js';
import { FIELD_MANAGER } from '../engine/defaults.js';
import type { Release } from '../engine/releases/release.js';
import type { ReleaseStore } from '../engine/releases/store.js';
import { UserError } from '../errors.js';
import { isIgnored } from '../spec/drift-ignore.js';
import type { ResolvedApp } from '../spec/resolved.js';
import type { DriftIgnore } from '../spec/schema.js';
import { managersOf, ownedFields, type FieldNode, type OwnedFields } from './fields.js';
import { objectKey, releasedObjects, workingTreeDiffers } from './released.js';

export interface DriftObject {
  kind: string;
  namespace?: string;
  name: string;
}

export interface ChangedField extends DriftObject {
  apiVersion: string;
  /** JSON pointer into the object. */
  path: string;
  /** `changed`: applying the release would change it; `added`: another manager added it. */
  change: 'changed' | 'added';
  /** Absent when the field is missing on that side; Secret values read `(masked)`. */
  live?: unknown;
  released?: unknown;
  /** Who set the live value, from managedFields (empty when nobody owns it: a removed field). */
  managers: string[];
}

export interface Orphan extends DriftObject {
  apiVersion: string;
  managers: string[];
}

export interface DriftReport {
  app: string;
  environment: string;
  revision: number;
  /** Released objects compared with the cluster. */
  checked: number;
  changed: ChangedField[];
  missing: Array<DriftObject & { apiVersion: string }>;
  orphans: Orphan[];
  notes: string[];
}

export interface DriftContext {
  cluster: Cluster;
  store: ReleaseStore;
}

export const MASKED = '(masked)';

/** Kinds listed for orphans besides those the release applied. */
export const ORPHAN_TYPES: Array<{ apiVersion: string; kind: string }> = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret' },
];

/** Where other actors legitimately write: never drift when Slipway did not set it. */
const LEFT_TO_OTHERS = [
  /^\/status(\/|$)/,
  /^\/metadata(\/|$)/,
  /^\/spec\/replicas$/,
  /\/metadata\/annotations(\/|$)/,
];

/** Objects compared at once: a 100-service app is checked in seconds without flooding the API server (client-go's default QPS is 5, burst 10). */
const CONCURRENT_REQUESTS = 8;

/** `work` over every item, at most `limit` at a time; results in the items' order. */
async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function driftCount(r: DriftReport): number {
  return r.changed.length + r.missing.length + r.orphans.length;
}

/** The environment's serving release; a UserError (exit 2) when it has none. */
export async function currentRelease(
  store: ReleaseStore,
  app: string,
  environment: string,
): Promise<Release> {
  const release = await store.deployed(app, environment);
  if (!release)
    throw new UserError(`${app} has no deployed release in ${environment}: nothing to compare with`, {
      code: 'drift-no-release',
      hint: `deploy it first: slipway deploy --env ${environment}`,
    });
  return release;
}

/** `files`: the contents of the files the working tree's spec names (`config[].from`), to tell whether it renders otherwise. */
export async function checkDrift(
  ctx: DriftContext,
  app: ResolvedApp,
  files: Record<string, string> = {},
): Promise<DriftReport> {
  const release = await currentRelease(ctx.store, app.app, app.environment);
  const ns = release.spec.namespace;
  const { objects, unchecked } = releasedObjects(release);
  const report: DriftReport = {
    app: app.app,
    environment: app.environment,
    revision: release.revision,
    checked: objects.length,
    changed: [],
    missing: [],
    orphans: [],
    notes: [],
  };
  for (const ref of unchecked)
    report.notes.push(`${ref.kind} ${ref.namespace}/${ref.name} is not checked (a colour or canary copy)`);
  if (workingTreeDiffers(release, app, files))
    report.notes.push(
      `the working tree renders differently from revision ${release.revision}; this report compares with the release (run \`slipway diff --env ${app.environment}\` for what a deploy would change)`,
    );
  const ignore = ignoreRules(release, app);
  let ignored = 0;
  const compared = await inParallel(objects, CONCURRENT_REQUESTS, async (obj) => {
    const ref = refOf(obj, ns);
    return { ref, fields: await compareLive(ctx.cluster, ref, obj) };
  });
  for (const { ref, fields } of compared) {
    if (!fields) report.missing.push(idOf(ref));
    else
      for (const field of fields)
        if (isIgnored(ignore, field.kind, field.name, field.path)) ignored++;
        else report.changed.push(field);
  }
  if (ignored) report.notes.push(`${ignored} drifted field(s) left out by drift.ignore`);
  report.orphans = await findOrphans(ctx, release, objects);
  return report;
}

/** How often an object that keeps changing under the comparison is read again before giving up. */
const COMPARE_ATTEMPTS = 5;

/**
 * One released object against its live copy, or undefined when it is missing. The dry run carries
 * the live copy's resourceVersion as a precondition, so the fields and their managers come from the
 * one version the dry run merged into (an object changed between the read and the dry run is
 * read again: a controller's write or the very change a watch reports).
 */
export async function compareLive(cluster: Cluster, ref: ObjectRef, released: KubeObject) {
  for (let attempt = 1; ; attempt++) {
    const live = await cluster.get<KubeObject>(ref);
    if (!live) return undefined;
    const pinned = {
      ...released,
      metadata: { ...released.metadata, resourceVersion: live.metadata.resourceVersion },
    };
    try {
      const [after] = await cluster.apply([pinned], {
        fieldManager: FIELD_MANAGER,
        dryRun: true,
        force: true,
      });
      return objectDrift(ref, live, after ?? live);
    } catch (err) {
      if (attempt >= COMPARE_ATTEMPTS || !isClusterError(err, 'Conflict')) throw err;
    }
  }
}

/** The release's `drift.ignore` rules and the working tree's (a rule added since counts at once). */
export function ignoreRules(release: Release, app: ResolvedApp): DriftIgnore[] {
  return [...(release.spec.drift?.ignore ?? []), ...(app.drift?.ignore ?? [])];
}

/** The drifted fields of one object: the dry run's changes, then other managers' additions. */
export function objectDrift(ref: ObjectRef, live: KubeObject, released: KubeObject): ChangedField[] {
  const owned = ownedFields(live);
  const id = idOf(ref);
  const secret = ref.kind === 'Secret';
  // A Secret's values never leave the cluster in a report, whichever side they are on.
  const side = (key: 'live' | 'released', path: string, value: unknown) =>
    value === undefined ? {} : { [key]: secret && /^\/(data|stringData)(\/|$)/.test(path) ? MASKED : value };
  const fields: ChangedField[] = [];
  for (const op of jsonPatch.compare(withoutServerFields(live), withoutServerFields(released))) {
    const liveValue = valueAt(live, op.path);
    const releasedValue = valueAt(released, op.path);
    fields.push({
      ...id,
      path: op.path,
      change: 'changed',
      ...side('live', op.path, liveValue),
      ...side('released', op.path, releasedValue),
      managers: managersOf(owned, op.path, FIELD_MANAGER),
    });
  }
  const mine = new Set(owned.filter((o) => o.manager === FIELD_MANAGER).flatMap((o) => [...o.pointers]));
  for (const addition of additions(owned, mine)) {
    if (fields.some((f) => f.path === addition.path)) continue;
    fields.push({
      ...id,
      path: addition.path,
      change: 'added',
      ...side('live', addition.path, valueAt(live, addition.path)),
      managers: [addition.manager],
    });
  }
  return fields;
}

function additions(owned: OwnedFields[], mine: Set<string>): Array<{ path: string; manager: string }> {
  const found: Array<{ path: string; manager: string }> = [];
  const visit = (node: FieldNode, manager: string) => {
    if (LEFT_TO_OTHERS.some((re) => re.test(node.pointer))) return;
    if (!mine.has(node.pointer)) found.push({ path: node.pointer, manager });
    else node.children.forEach((c) => visit(c, manager));
  };
  for (const o of owned)
    if (o.manager !== FIELD_MANAGER && o.subresource !== 'status') o.tree.forEach((n) => visit(n, o.manager));
  const seen = new Set<string>();
  return found.filter((f) => !seen.has(f.path) && seen.add(f.path));
}

function valueAt(obj: KubeObject, pointer: string): unknown {
  try {
    return jsonPatch.getValueByPointer(obj, pointer) as unknown;
  } catch {
    return undefined;
  }
}

function idOf(ref: ObjectRef): DriftObject & { apiVersion: string } {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    ...(ref.namespace ? { namespace: ref.namespace } : {}),
    name: ref.name,
  };
}

async function findOrphans(ctx: DriftContext, release: Release, objects: KubeObject[]): Promise<Orphan[]> {
  const ns = release.spec.namespace;
  const known = new Set(objects.map((o) => objectKey(refOf(o, ns))));
  for (const r of await ctx.store.list(release.app, release.environment))
    for (const e of r.inventory ?? []) known.add(objectKey({ ...e, namespace: e.namespace ?? ns }));
  const types = new Map<string, { apiVersion: string; kind: string }>();
  for (const t of [...ORPHAN_TYPES, ...objects.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind }))])
    types.set(`${t.apiVersion} ${t.kind}`, t);
  const orphans: Orphan[] = [];
  for (const type of types.values()) {
    let items: KubeObject[];
    try {
      ({ items } = await ctx.cluster.list<KubeObject>(
        { ...type, namespace: ns },
        { labelSelector: { 'app.kubernetes.io/part-of': release.app } },
      ));
    } catch (err) {
      if (isClusterError(err, 'NotFound')) continue; // a kind this cluster does not serve
      throw err;
    }
    for (const item of items) {
      if (item.metadata.ownerReferences?.length) continue; // made by a controller (ReplicaSets, Pods, Jobs' pods)
      const ref = refOf(item, ns);
      if (known.has(objectKey(ref))) continue;
      const managers = [...new Set(ownedFields(item).map((o) => o.manager))].sort();
      orphans.push({ ...idOf(ref), apiVersion: type.apiVersion, managers });
    }
  }
  return orphans;
}
