/** Narrow `unknown` YAML data without casts scattered through the rules. */
export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function obj(value: unknown): Obj | undefined {
  return isObj(value) ? value : undefined;
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function objs(value: unknown): Obj[] {
  return arr(value).filter(isObj);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

type Key = string | number;

/**
 * `get(o, 'spec', 'template', 'spec')`: undefined as soon as a step is missing. Keys as parameters,
 * not a rest array: the rules call it for nearly every field they read, and an array per call was a
 * good part of check's garbage. getPath takes a path.
 */
export function get(
  value: unknown,
  k1: Key,
  k2?: Key,
  k3?: Key,
  k4?: Key,
  k5?: Key,
  k6?: Key,
  k7?: Key,
  k8?: Key,
): unknown {
  let v = step(value, k1);
  if (k2 === undefined || v === undefined) return v;
  v = step(v, k2);
  if (k3 === undefined || v === undefined) return v;
  v = step(v, k3);
  if (k4 === undefined || v === undefined) return v;
  v = step(v, k4);
  if (k5 === undefined || v === undefined) return v;
  v = step(v, k5);
  if (k6 === undefined || v === undefined) return v;
  v = step(v, k6);
  if (k7 === undefined || v === undefined) return v;
  v = step(v, k7);
  if (k8 === undefined || v === undefined) return v;
  return step(v, k8);
}

/** get along a path held in an array. */
export function getPath(value: unknown, path: ReadonlyArray<Key>): unknown {
  let current = value;
  for (let i = 0; i < path.length; i++) {
    current = step(current, path[i]!);
    if (current === undefined) return undefined;
  }
  return current;
}

/** One step of get: a key of a mapping or an index of a sequence, else undefined. */
function step(current: unknown, key: Key): unknown {
  if (current === null || typeof current !== 'object') return undefined;
  if (Array.isArray(current) !== (typeof key === 'number')) return undefined;
  return (current as Record<Key, unknown>)[key];
}

export function strMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(value)) return out;
  // for-in, not Object.entries: no array of pairs per map (YAML mappings have no inherited keys).
  for (const k in value) {
    const v = value[k];
    if (v !== null && v !== undefined) out[k] = String(v);
  }
  return out;
}

const IDENTIFIER = /^[A-Za-z_][\w-]*$/;

/** `spec.template.spec.containers[0].resources` for messages and JSON output. */
export function dotted(path: ReadonlyArray<string | number>): string {
  // Parts joined once: one flat string, not a chain of concatenations (findings keep these).
  const parts: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (typeof seg === 'number') parts.push(`[${seg}]`);
    else if (IDENTIFIER.test(seg)) parts.push(parts.length ? `.${seg}` : seg);
    else parts.push(`[${JSON.stringify(seg)}]`);
  }
  return parts.join('');
}
