/**
 * The RFC 6902 operations that turn `from` into `to`. Maps are diffed key by key; lists of equal
 * length item by item; lists whose length changes are replaced whole (index-wise add/remove
 * would make each later op depend on the earlier ones, and a replaced list reads better in review).
 */
import { isDeepStrictEqual } from 'node:util';

export type PatchOp =
  { op: 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

export function jsonPatch(from: unknown, to: unknown): PatchOp[] {
  const ops: PatchOp[] = [];
  diff(from, to, '', ops);
  return ops;
}

function diff(from: unknown, to: unknown, path: string, ops: PatchOp[]): void {
  if (isDeepStrictEqual(from, to)) return;
  if (isMap(from) && isMap(to)) {
    for (const key of Object.keys(from))
      if (!(key in to)) ops.push({ op: 'remove', path: `${path}/${escape(key)}` });
    for (const [key, value] of Object.entries(to)) {
      if (key in from) diff(from[key], value, `${path}/${escape(key)}`, ops);
      else ops.push({ op: 'add', path: `${path}/${escape(key)}`, value });
    }
    return;
  }
  if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) {
    to.forEach((item, i) => diff(from[i], item, `${path}/${i}`, ops));
    return;
  }
  ops.push({ op: 'replace', path, value: to });
}

/** RFC 6901: `~` is `~0` and `/` is `~1` in a JSON pointer. */
function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
