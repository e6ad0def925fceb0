import { Document, isScalar, visit } from '#yaml';

/**
 * The one YAML serializer for everything render writes (manifests, Helm, kustomize, compose), so
 * a value reads back the same in every tool.
 */

/** Text every YAML reader, 1.1 or 1.2, takes as this very string when written unquoted. */
const PLAIN_SAFE = /^[A-Za-z_/][A-Za-z0-9_./:@+=-]*$/;
/** YAML 1.1 reads these as booleans or null (go-yaml v2, which helm and kubectl use). */
const YAML11_SPECIAL =
  /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;

export function isPlainSafe(text: string): boolean {
  return PLAIN_SAFE.test(text) && !text.endsWith(':') && !YAML11_SPECIAL.test(text);
}

/**
 * YAML the Go tools read the same way we do. Single-line strings are written plain only when
 * unambiguous and double-quoted otherwise: go-yaml is neither YAML 1.1 nor 1.2 (it reads `0o17`
 * as 15 through Go's strconv, and `on` as true), so "quote unless obviously a string" is the only
 * rule that holds for helm, kubectl and kustomize alike. No line folding; keys in object order.
 */
export function toYaml(value: unknown): string {
  return plainDataYaml(value) ?? libraryYaml(value);
}

export function toYamlStream(objects: unknown[]): string {
  return objects.map((o) => toYaml(o)).join('---\n');
}

/** The reference writer: the yaml library's Document with our quoting rule (exported for the test that compares). */
export function libraryYaml(value: unknown): string {
  const doc = new Document(value, { version: '1.1', aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_, node) {
      if (
        isScalar(node) &&
        typeof node.value === 'string' &&
        !node.value.includes('\n') &&
        !isPlainSafe(node.value)
      )
        node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0, minContentWidth: 0 });
}

/**
 * The same text as libraryYaml for the common case, written directly instead of through a node
 * tree (which made serialising the dominant cost of `slipway render`: 1.5 ms an object). It covers
 * plain objects, arrays, single-line strings, finite numbers, booleans and null; for anything else
 * (a multi-line string, a Date, a sparse array, a very long key) it returns undefined and the
 * library writes the value. test/render/yaml-writer.test.ts compares the two on generated values.
 */
function plainDataYaml(value: unknown): string | undefined {
  const out: string[] = [];
  try {
    if (isCollection(value) && !isEmpty(value)) block(value, '', out);
    else out.push(inline(value), '\n');
  } catch (error) {
    if (error === UNSUPPORTED) return undefined;
    throw error;
  }
  return out.join('');
}

const UNSUPPORTED = Symbol('unsupported by the direct writer');

/** Keys longer than this the library writes as explicit `? key` entries. */
const MAX_IMPLICIT_KEY = 1000;
/** A plain scalar YAML 1.1 reads as a float (`e5`), which the library quotes. */
const FLOAT_EXP = /^[eE][-+]?[0-9]+$/;

type Collection = unknown[] | Record<string, unknown>;

function isCollection(value: unknown): value is Collection {
  if (Array.isArray(value)) return true;
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw UNSUPPORTED;
  return true;
}

function isEmpty(value: Collection): boolean {
  if (Array.isArray(value)) return value.length === 0;
  for (const key in value) if (value[key] !== undefined) return false;
  return true;
}

/** A scalar or an empty collection, as written after `key: ` or `- `. */
function inline(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return scalarString(value);
    case 'number':
      if (!Number.isFinite(value)) throw UNSUPPORTED;
      return Object.is(value, -0) ? '-0' : JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return Array.isArray(value) ? '[]' : '{}';
    default:
      throw UNSUPPORTED;
  }
}

function scalarString(text: string): string {
  // `<<` is YAML 1.1's merge key, which the library writes with its own tag.
  if (text.includes('\n') || text === '<<') throw UNSUPPORTED;
  if (isPlainSafe(text)) {
    if (FLOAT_EXP.test(text)) throw UNSUPPORTED;
    return text;
  }
  // The library's double-quoted style is JSON's, except for \u escapes, which it writes as \x, \0, \e...
  const json = JSON.stringify(text);
  if (json.includes('\\u')) throw UNSUPPORTED;
  return json;
}

/** A non-empty collection, each line starting with `indent`. */
function block(value: Collection, indent: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw UNSUPPORTED;
      item(value[i], indent, out);
    }
    return;
  }
  for (const key in value) {
    const child = value[key];
    if (child === undefined) continue;
    if (key.length > MAX_IMPLICIT_KEY) throw UNSUPPORTED;
    out.push(indent, scalarString(key), ':');
    if (isCollection(child) && !isEmpty(child)) {
      out.push('\n');
      block(child, indent + '  ', out);
    } else out.push(' ', inline(child), '\n');
  }
}

/** One `- ` entry of a sequence: a nested collection starts on the dash's line. */
function item(value: unknown, indent: string, out: string[]): void {
  if (value === undefined) throw UNSUPPORTED;
  if (!isCollection(value) || isEmpty(value)) {
    out.push(indent, '- ', inline(value), '\n');
    return;
  }
  const start = out.length;
  block(value, indent + '  ', out);
  // block() starts with the nested indent (`indent` + two spaces); the dash takes those two spaces.
  out[start] = `${indent}- ${out[start]!.slice(indent.length + 2)}`;
}
