import { isObj } from '../access.js';
import type { Path } from '../types.js';
import { ENUMS } from './enums.js';
import type { SchemaNode, SchemaTable } from './types.js';

/**
 * Strict structural validation of one object against the generated table, the way kubeconform's
 * strict mode and `kubectl apply --validate=strict` read a manifest: unknown fields, wrong JSON types,
 * missing required fields, and (for the curated enums) values outside the allowed set. `null` is
 * accepted anywhere (the decoder treats it as unset).
 */
export type SchemaProblemKind = 'unknown-field' | 'type' | 'required' | 'enum';

export interface SchemaProblem {
  kind: SchemaProblemKind;
  path: Path;
  message: string;
}

const TYPE_NAMES: Record<string, string> = { s: 'a string', i: 'an integer', n: 'a number', b: 'a boolean', o: 'an object', a: 'a list', ios: 'an integer or a string', q: 'a quantity (string or number)' };

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? `the number ${value}` : `the number ${value}`;
  if (typeof value === 'string') return `the string "${value.length > 30 ? `${value.slice(0, 30)}...` : value}"`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 's':
      return typeof v === 'string';
    case 'i':
      return typeof v === 'number' && Number.isInteger(v);
    case 'n':
      return typeof v === 'number';
    case 'b':
      return typeof v === 'boolean';
    case 'o':
      return isObj(v);
    case 'a':
      return Array.isArray(v);
    case 'ios':
      return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
    case 'q':
      return typeof v === 'string' || typeof v === 'number';
    default:
      return true;
  }
}

export function validateObject(table: SchemaTable, apiVersion: string, kind: string, body: unknown): SchemaProblem[] | undefined {
  const def = table.kinds[`${apiVersion}/${kind}`];
  if (!def) return undefined;
  const problems: SchemaProblem[] = [];
  walk(table, { ref: def }, body, [], problems, def);
  return problems;
}

/** ENUMS by definition name, then field: looked up for every field of every object walked. */
let enumsByDefinition: Map<string, Map<string, readonly string[]>> | undefined;

function enumsOf(name: string): Map<string, readonly string[]> | undefined {
  if (!enumsByDefinition) {
    enumsByDefinition = new Map();
    for (const [id, allowed] of Object.entries(ENUMS)) {
      const dot = id.lastIndexOf('.');
      const def = id.slice(0, dot);
      let fields = enumsByDefinition.get(def);
      if (!fields) enumsByDefinition.set(def, (fields = new Map()));
      fields.set(id.slice(dot + 1), allowed);
    }
  }
  return enumsByDefinition.get(name);
}

/**
 * `path` is the walk's own stack (pushed and popped around each child, copied into a problem only):
 * the walk visits every field of every object, and a path array per field was most of its cost.
 */
function walk(table: SchemaTable, node: SchemaNode, value: unknown, path: Array<string | number>, out: SchemaProblem[], defName: string | undefined): void {
  if (value === null || value === undefined) return;
  let current = node;
  let name = defName;
  while (current.ref) {
    name = current.ref;
    const next = table.definitions[current.ref];
    if (!next) return;
    current = next;
  }
  const t = current.t ?? 'any';
  if (t === 'any') return;
  if (!typeOk(t, value)) {
    out.push({ kind: 'type', path: [...path], message: `${fieldName(path)} must be ${TYPE_NAMES[t] ?? t}, not ${describe(value)}` });
    return;
  }
  if (current.e && typeof value === 'string' && !current.e.includes(value)) {
    out.push({ kind: 'enum', path: [...path], message: `${fieldName(path)} must be one of ${current.e.join(', ')}, not "${value}"` });
    return;
  }
  if (t === 'a' && current.i && Array.isArray(value)) {
    const item = current.i;
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      walk(table, item, value[i], path, out, undefined);
      path.pop();
    }
    return;
  }
  if (t !== 'o' || !isObj(value)) return;
  // Indexed, and no empty array for a node without required fields: this runs for every object walked.
  const required = current.r;
  if (required)
    for (let i = 0; i < required.length; i++) {
      const req = required[i]!;
      if (value[req] === undefined || value[req] === null) out.push({ kind: 'required', path: [...path, req], message: `${fieldName([...path, req])} is required` });
    }
  const enums = name ? enumsOf(name) : undefined;
  // for-in, not Object.keys: no array per object walked (plain data: own keys only, in the same order).
  for (const key in value) {
    const child = value[key];
    const prop = current.p?.[key];
    path.push(key);
    if (prop) {
      const allowed = enums?.get(key);
      if (allowed && typeof child === 'string' && !allowed.includes(child))
        out.push({ kind: 'enum', path: [...path], message: `${fieldName(path)} must be one of ${allowed.join(', ')}, not "${child}"` });
      else walk(table, prop, child, path, out, undefined);
    } else if (current.m) walk(table, current.m, child, path, out, undefined);
    else out.push({ kind: 'unknown-field', path: [...path], message: `unknown field ${fieldName(path)}` });
    path.pop();
  }
}

function fieldName(path: Path): string {
  return path.length ? path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[') : 'the object';
}
