/**
 * Strategic merge patch for built-in kinds, after k8s.io/apimachinery/pkg/util/strategicpatch:
 * lists whose schema says `x-kubernetes-patch-strategy: merge` merge by their
 * `x-kubernetes-patch-merge-key` (primitive lists by value), other lists are replaced; `null`
 * deletes a key; directives `$patch: replace|delete|merge`, `$retainKeys`,
 * `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>` are honoured.
 * Client-side `kubectl apply`, `diff`, `rollout restart` and client-node's default patch send it.
 */
import { isDeepStrictEqual } from 'node:util';
import { fieldSchema, itemSchema, type KubeSchema } from '../schema.js';
import { ApiError } from '../status.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

export function strategicMergePatch(
  original: unknown,
  patch: unknown,
  schema: KubeSchema | undefined,
): unknown {
  if (!isObj(patch)) throw new ApiError(400, 'BadRequest', 'a strategic merge patch must be a JSON object');
  return mergeMap(isObj(original) ? original : {}, patch, schema) ?? {};
}

function mergeMap(original: Obj, patch: Obj, schema: KubeSchema | undefined): Obj | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return stripDirectives(patch) as Obj;
  const result: Obj = { ...original };
  const orders: [string, unknown[]][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith(SET_ORDER)) {
      orders.push([key.slice(SET_ORDER.length), value as unknown[]]);
      continue;
    }
    if (key.startsWith(DELETE_PRIMITIVE)) {
      const field = key.slice(DELETE_PRIMITIVE.length);
      const current = result[field];
      if (Array.isArray(current))
        result[field] = current.filter((v) => !(value as unknown[]).some((d) => isDeepStrictEqual(d, v)));
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    const fs = fieldSchema(schema, key);
    if (Array.isArray(value))
      result[key] = mergeList(Array.isArray(original[key]) ? (original[key] as unknown[]) : [], value, fs);
    else if (isObj(value)) {
      const atomic = fs?.['x-kubernetes-map-type'] === 'atomic';
      const merged = atomic
        ? (stripDirectives(value) as Obj)
        : mergeMap(isObj(original[key]) ? (original[key] as Obj) : {}, value, fs);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else result[key] = value;
  }
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) for (const k of Object.keys(result)) if (!retain.includes(k)) delete result[k];
  for (const [field, order] of orders) {
    const list = result[field];
    if (Array.isArray(list))
      result[field] = reorder(list, order, fieldSchema(schema, field)?.['x-kubernetes-patch-merge-key']);
  }
  return result;
}

function mergeList(original: unknown[], patch: unknown[], schema: KubeSchema | undefined): unknown[] {
  const strategy = schema?.['x-kubernetes-patch-strategy'] ?? '';
  if (!strategy.split(',').includes('merge')) return patch.map(stripDirectives);
  if (patch.some((p) => isObj(p) && p.$patch === 'replace'))
    return patch.filter((p) => !(isObj(p) && p.$patch === 'replace')).map(stripDirectives);
  const mergeKey = schema?.['x-kubernetes-patch-merge-key'];
  if (!mergeKey || !patch.every(isObj)) {
    const out = [...original];
    for (const v of patch) if (!out.some((o) => isDeepStrictEqual(o, v))) out.push(v);
    return out;
  }
  const items = itemSchema(schema);
  const out: unknown[] = [...original];
  for (const p of patch as Obj[]) {
    const at = out.findIndex((o) => isObj(o) && o[mergeKey] === p[mergeKey]);
    if (p.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) {
      const merged = mergeMap(out[at] as Obj, p, items);
      if (merged === undefined) out.splice(at, 1);
      else out[at] = merged;
    } else out.push(stripDirectives(p));
  }
  return out;
}

/** Lists are ordered as `$setElementOrder` says; items it does not name keep their place after. */
function reorder(list: unknown[], order: unknown[], mergeKey: string | undefined): unknown[] {
  const keyOf = (v: unknown) => (mergeKey && isObj(v) ? v[mergeKey] : v);
  const orderKeys = order.map(keyOf);
  const rank = (v: unknown) => {
    const i = orderKeys.findIndex((k) => isDeepStrictEqual(k, keyOf(v)));
    return i < 0 ? orderKeys.length : i;
  };
  return list
    .map((v, i) => ({ v, i }))
    .sort((a, b) => rank(a.v) - rank(b.v) || a.i - b.i)
    .map((x) => x.v);
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObj(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith(SET_ORDER) || k.startsWith(DELETE_PRIMITIVE))
      continue;
    if (v !== null) out[k] = stripDirectives(v);
  }
  return out;
}
