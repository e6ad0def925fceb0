/**
 * How an environment overlay changes the top level (docs/spec.md, "Environments"):
 * - mappings deep-merge, key by key;
 * - scalars replace;
 * - lists replace, except lists whose items all carry a `name` (volumes, ports): those merge item
 *   by item, matched by name; new names are appended in overlay order;
 * - `null` removes the key (or, inside a keyed list, nothing: give the full list to drop items).
 * The same rules as Helm's values coalescing for maps and `null` (helm.sh/docs/chart_template_guide/values_files,
 * "deleting a default key"), plus Kubernetes' strategic-merge idea of lists keyed by a merge key.
 */
import type { PathSegment } from './source.js';

type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isNamed(v: unknown): v is Plain & { name: string } {
  return isPlain(v) && typeof v.name === 'string';
}

export function isKeyedListValue(base: unknown, overlay: unknown): boolean {
  return (
    Array.isArray(base) &&
    Array.isArray(overlay) &&
    base.every(isNamed) &&
    overlay.every(isNamed) &&
    overlay.length > 0
  );
}

export function mergeOverlay(base: unknown, overlay: unknown): unknown {
  if (overlay === undefined) return base;
  if (isPlain(base) && isPlain(overlay)) {
    const out: Plain = { ...base };
    for (const [key, value] of Object.entries(overlay)) {
      if (value === null) delete out[key];
      else if (value !== undefined) out[key] = mergeOverlay(base[key], value);
    }
    return out;
  }
  if (isKeyedListValue(base, overlay)) {
    const items = (base as Plain[]).map((item) => ({ ...item }));
    for (const change of overlay as Array<Plain & { name: string }>) {
      const index = items.findIndex((item) => item.name === change.name);
      if (index >= 0) items[index] = mergeOverlay(items[index], change) as Plain;
      else items.push(stripNulls(change) as Plain);
    }
    return items;
  }
  return stripNulls(overlay);
}

/** A value that came only from the overlay: its `null`s mean "not set". */
function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (!isPlain(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, stripNulls(v)]),
  );
}

/** A path into merged data, with list indexes of named items turned into `{ name }` (so it finds the item in the overlay too). */
export function namedPath(data: unknown, path: readonly PathSegment[]): PathSegment[] {
  const out: PathSegment[] = [];
  let value = data;
  for (const segment of path) {
    if (Array.isArray(value) && typeof segment === 'number') {
      const item: unknown = value[segment];
      out.push(isNamed(item) ? { name: item.name } : segment);
      value = item;
    } else {
      out.push(segment);
      value = isPlain(value) && typeof segment === 'string' ? value[segment] : undefined;
    }
  }
  return out;
}
