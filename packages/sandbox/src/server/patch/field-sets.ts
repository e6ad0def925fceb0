/**
 * Field sets for managedFields, in the FieldsV1 encoding structured-merge-diff uses
 * (sigs.k8s.io/structured-merge-diff/fieldpath): `f:<field>` for struct and map keys,
 * `k:{"name":"web"}` for list-map items, `v:<json>` for set items, `.` for an owned element that
 * also has owned children. A path is its elements joined by "\n" (never raw in an element: keys are JSON).
 */
import { fieldSchema, itemSchema, type KubeSchema } from '../schema.js';

type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const SEP = '\n';
/** Top-level and metadata fields the apiserver never attributes to a manager. */
const UNTRACKED_TOP = new Set(['apiVersion', 'kind']);
const UNTRACKED_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
]);

/**
 * List-map keys a client may omit because the server defaults them; matching treats the default as
 * present, as the apiserver does after defaulting the applied configuration (`protocol: TCP` on ports).
 */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

export function listMapKeys(s: KubeSchema | undefined): string[] | undefined {
  if (!s) return undefined;
  if (s['x-kubernetes-list-type'] === 'map')
    return (
      s['x-kubernetes-list-map-keys'] ??
      (s['x-kubernetes-patch-merge-key'] ? [s['x-kubernetes-patch-merge-key']] : undefined)
    );
  if (!s['x-kubernetes-list-type'] && s['x-kubernetes-patch-merge-key'])
    return [s['x-kubernetes-patch-merge-key']];
  return undefined;
}

export function itemKey(item: unknown, keys: string[]): string {
  const o = isObj(item) ? item : {};
  const key: Obj = {};
  for (const k of [...keys].sort()) {
    const v = o[k] ?? KEY_DEFAULTS[k];
    if (v !== undefined) key[k] = v;
  }
  return `k:${JSON.stringify(key)}`;
}

/** Which top-level scope a write touches: the main resource excludes status, /status only has it. */
export type Scope = 'main' | 'status';

/** Leaf paths of `value` with their JSON-encoded values. */
export function leafValues(obj: unknown, root: KubeSchema | undefined, scope: Scope): Map<string, string> {
  const out = new Map<string, string>();
  if (!isObj(obj)) return out;
  for (const [k, v] of Object.entries(obj)) {
    if (
      UNTRACKED_TOP.has(k) ||
      (scope === 'main' && k === 'status') ||
      (scope === 'status' && k !== 'status')
    )
      continue;
    if (k === 'metadata' && isObj(v)) {
      const meta = Object.fromEntries(Object.entries(v).filter(([mk]) => !UNTRACKED_META.has(mk)));
      if (Object.keys(meta).length) walk(meta, fieldSchema(root, k), [`f:${k}`], out);
      continue;
    }
    walk(v, fieldSchema(root, k), [`f:${k}`], out);
  }
  return out;
}

function walk(value: unknown, s: KubeSchema | undefined, path: string[], out: Map<string, string>): void {
  if (value === undefined || value === null) return;
  if (isObj(value)) {
    if (s?.['x-kubernetes-map-type'] === 'atomic' || Object.keys(value).length === 0) {
      out.set(path.join(SEP), JSON.stringify(value));
      return;
    }
    for (const [k, v] of Object.entries(value)) walk(v, fieldSchema(s, k), [...path, `f:${k}`], out);
    return;
  }
  if (Array.isArray(value)) {
    const keys = listMapKeys(s);
    const type = s?.['x-kubernetes-list-type'];
    if (keys && value.every(isObj)) {
      const items = itemSchema(s);
      for (const item of value) {
        const el = [...path, itemKey(item, keys)];
        out.set(el.join(SEP), '.');
        for (const [k, v] of Object.entries(item as Obj))
          walk(v, fieldSchema(items, k), [...el, `f:${k}`], out);
      }
      return;
    }
    if (type === 'set') {
      for (const item of value)
        out.set([...path, `v:${JSON.stringify(item)}`].join(SEP), JSON.stringify(item));
      return;
    }
  }
  out.set(path.join(SEP), JSON.stringify(value));
}

export function splitPath(path: string): string[] {
  return path.split(SEP);
}

/** FieldsV1 JSON from a set of paths. */
export function encodeFields(paths: Iterable<string>): Obj {
  const root: Obj = {};
  const all = new Set(paths);
  const hasChildren = new Set<string>();
  for (const p of all) {
    const parts = splitPath(p);
    for (let i = 1; i < parts.length; i++) hasChildren.add(parts.slice(0, i).join(SEP));
  }
  for (const p of all) {
    let node = root;
    const parts = splitPath(p);
    parts.forEach((el, i) => {
      const here = parts.slice(0, i + 1).join(SEP);
      // An owned element that also has owned children is marked with "." (written first, as the apiserver does).
      const marked = all.has(here) && hasChildren.has(here);
      const existing = node[el] as Obj | undefined;
      if (!existing) node[el] = marked ? { '.': {} } : {};
      else if (marked && !('.' in existing)) node[el] = { '.': {}, ...existing };
      node = node[el] as Obj;
    });
  }
  return root;
}

export function decodeFields(fields: unknown, prefix: string[] = [], out = new Set<string>()): Set<string> {
  if (!isObj(fields)) return out;
  for (const [k, child] of Object.entries(fields)) {
    if (k === '.') {
      if (prefix.length) out.add(prefix.join(SEP));
      continue;
    }
    const path = [...prefix, k];
    if (!isObj(child) || Object.keys(child).length === 0) out.add(path.join(SEP));
    else decodeFields(child, path, out);
  }
  return out;
}

/** `.spec.replicas` / `.spec.template.spec.containers[name="web"].image`: how conflict messages name a path. */
export function describePath(path: string): string {
  return splitPath(path)
    .map((el) => {
      if (el.startsWith('f:')) return `.${el.slice(2)}`;
      if (el.startsWith('k:')) {
        const key = JSON.parse(el.slice(2)) as Obj;
        return `[${Object.entries(key)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')}]`;
      }
      if (el.startsWith('v:')) return `[${el.slice(2)}]`;
      return el;
    })
    .join('');
}
