/**
 * metadata.managedFields bookkeeping and server-side apply, after the apiserver's fieldmanager
 * (k8s.io/apimachinery/pkg/util/managedfields) and structured-merge-diff:
 * - a non-apply write (create, update, patch) makes its manager own the fields it changed
 *   (operation Update) and takes them from every other manager;
 * - an apply merges the applied configuration by the schema's list and map types, conflicts with
 *   other managers that own a field it sets to a different value (409 unless force), and removes
 *   fields it applied before but omits now, unless another manager still owns them.
 */
import type { KubeObject } from '@slipway/kube';
import { isDeepStrictEqual } from 'node:util';
import { fieldSchema, itemSchema, type KubeSchema } from '../schema.js';
import { ApiError } from '../status.js';
import {
  decodeFields,
  describePath,
  encodeFields,
  isObj,
  itemKey,
  leafValues,
  listMapKeys,
  splitPath,
  type Scope,
} from './field-sets.js';

type Obj = Record<string, unknown>;

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Obj;
  subresource?: string;
}

interface Owned {
  entry: ManagedFieldsEntry;
  fields: Set<string>;
}

export interface WriteContext {
  manager: string;
  /** `scale` writes `spec.replicas` of the main resource; its entry is kept apart, as the apiserver does. */
  subresource?: 'status' | 'scale';
  schema: KubeSchema | undefined;
  time: string;
}

function scopeOf(ctx: WriteContext): Scope {
  return ctx.subresource === 'status' ? 'status' : 'main';
}

function owned(entries: unknown[] | undefined): Owned[] {
  return (entries ?? [])
    .filter(isObj)
    .map((e) => ({ entry: e as unknown as ManagedFieldsEntry, fields: decodeFields(e.fieldsV1) }));
}

function serialise(list: Owned[]): ManagedFieldsEntry[] | undefined {
  const out = list
    .filter((o) => o.fields.size)
    .map((o) => ({ ...o.entry, fieldsType: 'FieldsV1' as const, fieldsV1: encodeFields(o.fields) }));
  return out.length ? out : undefined;
}

function entryFor(
  list: Owned[],
  ctx: WriteContext,
  operation: 'Apply' | 'Update',
  apiVersion: string,
): Owned {
  let found = list.find(
    (o) =>
      o.entry.manager === ctx.manager &&
      o.entry.operation === operation &&
      (o.entry.subresource ?? '') === (ctx.subresource ?? ''),
  );
  if (!found) {
    found = {
      entry: {
        manager: ctx.manager,
        operation,
        apiVersion,
        time: ctx.time,
        fieldsType: 'FieldsV1',
        fieldsV1: {},
        ...(ctx.subresource ? { subresource: ctx.subresource } : {}),
      },
      fields: new Set(),
    };
    list.push(found);
  }
  found.entry.time = ctx.time;
  found.entry.apiVersion = apiVersion;
  return found;
}

/** Sets next.metadata.managedFields for a create/update/patch by `ctx.manager`. */
export function recordUpdate(previous: KubeObject | undefined, next: KubeObject, ctx: WriteContext): void {
  const incoming = next.metadata.managedFields;
  const base =
    incoming !== undefined && !isDeepStrictEqual(incoming, previous?.metadata.managedFields)
      ? incoming
      : previous?.metadata.managedFields;
  const list = owned(base);
  const before = leafValues(previous, ctx.schema, scopeOf(ctx));
  const after = leafValues(next, ctx.schema, scopeOf(ctx));
  const changed = new Set<string>();
  for (const [p, v] of after) if (before.get(p) !== v) changed.add(p);
  const removed = [...before.keys()].filter((p) => !after.has(p));
  if (changed.size || removed.length) {
    for (const o of list) for (const p of [...changed, ...removed]) o.fields.delete(p);
    const mine = entryFor(list, ctx, 'Update', next.apiVersion);
    for (const p of changed) mine.fields.add(p);
  }
  const serialised = serialise(list);
  if (serialised) next.metadata.managedFields = serialised;
  else delete next.metadata.managedFields;
}

/** Server-side apply of `applied` onto `live` (absent: the apply creates). Returns the merged object. */
export function serverSideApply(
  live: KubeObject | undefined,
  applied: KubeObject,
  ctx: WriteContext & { force: boolean },
): KubeObject {
  const scope = scopeOf(ctx);
  const list = owned(live?.metadata.managedFields);
  const appliedLeaves = leafValues(applied, ctx.schema, scope);
  const liveLeaves = leafValues(live, ctx.schema, scope);
  const conflicts: { manager: string; apiVersion: string; path: string }[] = [];
  for (const o of list) {
    if (o.entry.manager === ctx.manager && o.entry.operation === 'Apply') continue;
    if ((o.entry.subresource ?? '') !== (ctx.subresource ?? '')) continue;
    for (const p of o.fields) {
      const mine = appliedLeaves.get(p);
      if (mine === undefined || mine === '.') continue;
      const theirs = liveLeaves.get(p);
      if (theirs !== undefined && theirs !== mine)
        conflicts.push({ manager: o.entry.manager, apiVersion: o.entry.apiVersion, path: p });
    }
  }
  if (conflicts.length && !ctx.force) throw conflictError(conflicts);
  for (const c of conflicts) for (const o of list) if (o.entry.manager === c.manager) o.fields.delete(c.path);

  const mine = entryFor(list, ctx, 'Apply', applied.apiVersion);
  const previouslyApplied = new Set(mine.fields);
  let merged = mergeApplied(live ?? {}, applied, ctx.schema, scope) as KubeObject;
  const others = list.filter((o) => o !== mine);
  // Shallow paths first: removing a list item before its fields keeps its key readable.
  const stale = [...previouslyApplied].sort((a, b) => splitPath(a).length - splitPath(b).length);
  for (const p of stale) {
    if (appliedLeaves.has(p)) continue;
    if (others.some((o) => [...o.fields].some((f) => f === p || f.startsWith(p + '\n')))) continue;
    merged = removePath(merged, splitPath(p), ctx.schema) as KubeObject;
  }
  mine.fields = new Set(appliedLeaves.keys());
  // Sharing a value is co-ownership: nothing to take from other managers when values agree.
  const serialised = serialise(list);
  merged.metadata = { ...(merged.metadata ?? {}) };
  if (serialised) merged.metadata.managedFields = serialised;
  else delete merged.metadata.managedFields;
  return merged;
}

function conflictError(conflicts: { manager: string; apiVersion: string; path: string }[]): ApiError {
  const byManager = new Map<string, { apiVersion: string; paths: string[] }>();
  for (const c of conflicts) {
    const m = byManager.get(c.manager) ?? { apiVersion: c.apiVersion, paths: [] };
    m.paths.push(describePath(c.path));
    byManager.set(c.manager, m);
  }
  const n = conflicts.length;
  const parts = [...byManager].map(([manager, m]) =>
    m.paths.length === 1
      ? `conflict with "${manager}" using ${m.apiVersion}: ${m.paths[0]}`
      : `conflicts with "${manager}" using ${m.apiVersion}:\n${m.paths.map((p) => `- ${p}`).join('\n')}`,
  );
  return new ApiError(
    409,
    'Conflict',
    `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${parts.join('\n')}`,
    {
      causes: conflicts.map((c) => ({
        type: 'FieldManagerConflict',
        message: `conflict with "${c.manager}" using ${c.apiVersion}`,
        field: describePath(c.path),
      })),
    },
  );
}

function mergeApplied(
  live: unknown,
  applied: unknown,
  s: KubeSchema | undefined,
  scope: Scope | 'nested',
): unknown {
  if (isObj(applied)) {
    if (s?.['x-kubernetes-map-type'] === 'atomic') return structuredClone(applied);
    const out: Obj = isObj(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(applied)) {
      if (scope === 'main' && k === 'status') continue;
      out[k] = mergeApplied(out[k], v, fieldSchema(s, k), 'nested');
    }
    return out;
  }
  if (Array.isArray(applied)) {
    const keys = listMapKeys(s);
    const liveList = Array.isArray(live) ? [...live] : [];
    if (keys && applied.every(isObj)) {
      const items = itemSchema(s);
      for (const item of applied) {
        const at = liveList.findIndex((l) => itemKey(l, keys) === itemKey(item, keys));
        if (at >= 0) liveList[at] = mergeApplied(liveList[at], item, items, 'nested');
        else liveList.push(structuredClone(item));
      }
      return liveList;
    }
    if (s?.['x-kubernetes-list-type'] === 'set') {
      for (const item of applied) if (!liveList.some((l) => isDeepStrictEqual(l, item))) liveList.push(item);
      return liveList;
    }
  }
  return structuredClone(applied);
}

function removePath(value: unknown, path: string[], s: KubeSchema | undefined): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return undefined;
  if (head.startsWith('f:') && isObj(value)) {
    const key = head.slice(2);
    const out = { ...value };
    const child = rest.length ? removePath(out[key], rest, fieldSchema(s, key)) : undefined;
    if (child === undefined || (isObj(child) && !Object.keys(child).length && rest.length)) delete out[key];
    else out[key] = child;
    return out;
  }
  if (head.startsWith('k:') && Array.isArray(value)) {
    const keys = listMapKeys(s) ?? [];
    const out: unknown[] = [];
    for (const item of value) {
      if (itemKey(item, keys) !== head) out.push(item);
      else if (rest.length) out.push(removePath(item, rest, itemSchema(s)));
    }
    return out.length ? out : undefined;
  }
  if (head.startsWith('v:') && Array.isArray(value)) {
    const target = JSON.parse(head.slice(2)) as unknown;
    const out = value.filter((v) => !isDeepStrictEqual(v, target));
    return out.length ? out : undefined;
  }
  return value;
}
