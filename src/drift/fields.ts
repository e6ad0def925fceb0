/**
 * `metadata.managedFields` read back into JSON pointers of the live object, so a drifted field can
 * name who set it. The FieldsV1 encoding (structured-merge-diff): `f:<name>` a map key,
 * `k:{"name":"web"}` a list item by its keys, `v:<json>` a set item by value, `i:<n>` an index,
 * `.` the node itself. A path that no longer resolves in the live object is dropped.
 */
import type { KubeObject } from '@slipway/kube';
import { isDeepStrictEqual } from 'node:util';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: unknown;
}

export interface OwnedFields {
  manager: string;
  operation: string;
  subresource?: string;
  /** Every node the manager owns (leaves and the maps and list items above them), as JSON pointers. */
  pointers: Set<string>;
  /** The nodes the manager owns as values: leaves, and list items it owns as a whole (`.`). */
  leaves: Set<string>;
  /** The manager's nodes in tree order: a parent before its children. */
  tree: FieldNode[];
}

export interface FieldNode {
  pointer: string;
  children: FieldNode[];
}

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function resolveKey(node: unknown, key: string): string | undefined {
  if (key.startsWith('f:')) {
    const name = key.slice(2);
    return node !== null && typeof node === 'object' && !Array.isArray(node) && name in node
      ? name
      : undefined;
  }
  if (!Array.isArray(node)) return undefined;
  if (key.startsWith('i:')) {
    const i = Number(key.slice(2));
    return i < node.length ? String(i) : undefined;
  }
  if (key.startsWith('k:')) {
    const wanted = JSON.parse(key.slice(2)) as Record<string, unknown>;
    const i = node.findIndex(
      (item) =>
        item !== null &&
        typeof item === 'object' &&
        Object.entries(wanted).every(([k, v]) => isDeepStrictEqual((item as Record<string, unknown>)[k], v)),
    );
    return i < 0 ? undefined : String(i);
  }
  if (key.startsWith('v:')) {
    const wanted: unknown = JSON.parse(key.slice(2));
    const i = node.findIndex((item) => isDeepStrictEqual(item, wanted));
    return i < 0 ? undefined : String(i);
  }
  return undefined;
}

function walk(
  fields: unknown,
  node: unknown,
  pointer: string,
  into: Set<string>,
  leaves: Set<string>,
): FieldNode[] {
  if (fields === null || typeof fields !== 'object') return [];
  const nodes: FieldNode[] = [];
  for (const [key, sub] of Object.entries(fields as Record<string, unknown>)) {
    if (key === '.') continue;
    const step = resolveKey(node, key);
    if (step === undefined) continue;
    const child = `${pointer}/${escape(step)}`;
    into.add(child);
    const value = (node as Record<string, unknown>)[step];
    const inner = sub !== null && typeof sub === 'object' ? Object.keys(sub) : [];
    if (inner.length === 0 || inner.includes('.')) leaves.add(child);
    nodes.push({ pointer: child, children: walk(sub, value, child, into, leaves) });
  }
  return nodes;
}

/** Each managedFields entry of `live` with the pointers it owns. */
export function ownedFields(live: KubeObject): OwnedFields[] {
  const entries = (live.metadata.managedFields ?? []) as ManagedFieldsEntry[];
  return entries.map((e) => {
    const pointers = new Set<string>();
    const leaves = new Set<string>();
    const tree = walk(e.fieldsV1, live, '', pointers, leaves);
    return {
      manager: e.manager ?? '(unknown)',
      operation: e.operation ?? 'Update',
      ...(e.subresource ? { subresource: e.subresource } : {}),
      pointers,
      leaves,
      tree,
    };
  });
}

/** True when `a` is `b`, or one contains the other. */
export function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/** The managers other than `self` owning `pointer`, a field inside it, or the (atomic) field it sits in. */
export function managersOf(owned: OwnedFields[], pointer: string, self: string): string[] {
  const names = owned
    .filter((o) => o.manager !== self && [...o.leaves].some((p) => overlaps(p, pointer)))
    .map((o) => o.manager);
  return [...new Set(names)].sort();
}
