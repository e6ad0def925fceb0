/**
 * The field-ownership arithmetic of server-side apply, small enough for the in-memory cluster:
 * an object is flattened into leaf paths (lists are atomic leaves, as for `x-kubernetes-list-type:
 * atomic`), each apply manager owns the leaves it last applied, a field another manager owns with a
 * different value is a conflict unless forced, and leaves a manager stops applying are removed
 * (https://kubernetes.io/docs/reference/using-api/server-side-apply/#merge-strategy).
 * Simplification: list-map merging by key (containers by name) is not modelled; whole lists
 * replace, which is what a full re-apply of a rendered object needs.
 */
import type { KubeObject } from '@slipway/kube';

export type Leaves = Map<string, string>;

/** Server-owned parts that apply never manages. */
const SERVER_METADATA = new Set([
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'managedFields',
  'selfLink',
]);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Paths are JSON arrays of keys so keys containing dots (label names) stay unambiguous. */
export function leavesOf(obj: KubeObject): Leaves {
  const out: Leaves = new Map();
  const walk = (value: unknown, path: string[]): void => {
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) {
        if (path.length === 0 && (k === 'status' || k === 'apiVersion' || k === 'kind')) continue;
        if (
          path.length === 1 &&
          path[0] === 'metadata' &&
          (SERVER_METADATA.has(k) || k === 'name' || k === 'namespace')
        )
          continue;
        walk(v, [...path, k]);
      }
      return;
    }
    if (value === undefined) return;
    out.set(JSON.stringify(path), JSON.stringify(value));
  };
  walk(obj, []);
  return out;
}

export function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** Removes a leaf and any maps it leaves empty. */
export function deletePath(target: Record<string, unknown>, path: string[]): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    delete target[head];
    return;
  }
  const child = target[head];
  if (!isPlainObject(child)) return;
  deletePath(child, rest);
  if (Object.keys(child).length === 0) delete target[head];
}

export interface ApplyMergeInput {
  live: KubeObject | undefined;
  applied: KubeObject;
  manager: string;
  force: boolean;
  /** Leaves each apply manager owns on the live object. */
  owners: Map<string, Leaves>;
}

export interface ApplyMergeResult {
  object: KubeObject;
  owners: Map<string, Leaves>;
  /** Fields another manager owns with a different value (empty when forced or none). */
  conflicts: Array<{ path: string; manager: string }>;
}

export function applyMerge({ live, applied, manager, force, owners }: ApplyMergeInput): ApplyMergeResult {
  const next = structuredClone(
    live ?? { apiVersion: applied.apiVersion, kind: applied.kind, metadata: {} },
  ) as KubeObject;
  next.metadata.name = applied.metadata.name;
  if (applied.metadata.namespace) next.metadata.namespace = applied.metadata.namespace;
  const appliedLeaves = leavesOf(applied);
  const newOwners = new Map<string, Leaves>();
  for (const [m, l] of owners) newOwners.set(m, new Map(l));
  const conflicts: Array<{ path: string; manager: string }> = [];

  for (const [path, value] of appliedLeaves) {
    for (const [other, leaves] of newOwners) {
      if (other === manager) continue;
      const owned = leaves.get(path);
      if (owned === undefined || owned === value) continue;
      if (force) leaves.delete(path);
      else conflicts.push({ path: JSON.parse(path).join('.'), manager: other });
    }
  }
  if (conflicts.length) return { object: next, owners, conflicts };

  const previous = newOwners.get(manager) ?? new Map<string, string>();
  for (const path of previous.keys()) {
    if (appliedLeaves.has(path)) continue;
    const sharedWithOther = [...newOwners].some(([m, l]) => m !== manager && l.has(path));
    if (!sharedWithOther) deletePath(next as Record<string, unknown>, JSON.parse(path) as string[]);
  }
  for (const [path, value] of appliedLeaves)
    setPath(next as Record<string, unknown>, JSON.parse(path) as string[], JSON.parse(value));
  newOwners.set(manager, appliedLeaves);
  return { object: next, owners: newOwners, conflicts };
}
