/**
 * Terraform's pure functions the evaluator (terraform-scope.ts) computes before a plan, over
 * arguments it knows, as Terraform does:
 * https://developer.hashicorp.com/terraform/language/functions
 * A function not listed here, or arguments Terraform would refuse (a list where a map goes, a
 * missing key without a default, a format verb other than %s and %d), give undefined: the call
 * stays unknown. Members of an argument may be expressions; a function that reads them is unknown.
 */
import { isExpression, isPlain } from './terraform-values.js';

type Known = Record<string, unknown>;

/** A map's entries in lexical key order, as keys() and values() give them. */
const sortedKeys = (map: Known): string[] => Object.keys(map).sort();

/** Terraform's conversion of a primitive to a string: numbers and bools as their text. */
function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

const FUNCTIONS: Record<string, (args: unknown[]) => unknown> = {
  /** merge(map...): later maps win, shallow; a null is skipped. */
  merge: (args) => {
    const maps = args.filter((a) => a !== null);
    if (!maps.every(isPlain)) return undefined;
    // A Map, not an object: a key may be any text ("__proto__" too).
    const out = new Map<string, unknown>();
    for (const map of maps) for (const k of Object.keys(map)) out.set(k, map[k]);
    return Object.fromEntries(out);
  },
  /** lookup(map, key, default): the default when the key is missing; without one, Terraform's error. */
  lookup: (args) => {
    const [map, key, fallback] = args;
    const name = text(key);
    if (!isPlain(map) || name === undefined || args.length < 2 || args.length > 3) return undefined;
    if (Object.hasOwn(map, name)) return map[name];
    return args.length === 3 ? fallback : undefined;
  },
  keys: ([map, ...rest]) => (isPlain(map) && !rest.length ? sortedKeys(map) : undefined),
  values: ([map, ...rest]) => (isPlain(map) && !rest.length ? sortedKeys(map).map((k) => map[k]) : undefined),
  concat: (args) => (args.every((a) => Array.isArray(a)) ? args.flat(1) : undefined),
  /** flatten(list): nested lists into one; an unknown element could be a list: unknown. */
  flatten: ([list, ...rest]) => {
    if (!Array.isArray(list) || rest.length) return undefined;
    const out: unknown[] = [];
    const add = (v: unknown): boolean => {
      if (isExpression(v)) return false;
      if (Array.isArray(v)) return v.every(add);
      out.push(v);
      return true;
    };
    return list.every(add) ? out : undefined;
  },
  /** length(x): a list's elements, a map's keys, a string's characters (grapheme clusters, as Terraform counts). */
  length: ([x, ...rest]) => {
    if (rest.length) return undefined;
    if (Array.isArray(x)) return x.length;
    if (isPlain(x)) return Object.keys(x).length;
    if (typeof x === 'string') return [...GRAPHEMES.segment(x)].length;
    return undefined;
  },
  lower: ([s, ...rest]) => (typeof s === 'string' && !rest.length ? s.toLowerCase() : undefined),
  upper: ([s, ...rest]) => (typeof s === 'string' && !rest.length ? s.toUpperCase() : undefined),
  tostring: ([x, ...rest]) => (rest.length ? undefined : x === null ? null : text(x)),
  tonumber: ([x, ...rest]) => {
    if (rest.length) return undefined;
    if (x === null || typeof x === 'number') return x;
    if (typeof x === 'string' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(x)) return Number(x);
    return undefined;
  },
  format: ([spec, ...values]) => (typeof spec === 'string' ? format(spec, values) : undefined),
  /** join(separator, list): the list's elements as strings. */
  join: ([separator, ...lists]) => {
    if (typeof separator !== 'string' || !lists.length || !lists.every((l) => Array.isArray(l)))
      return undefined;
    const parts = lists.flat(1).map(text);
    return parts.every((p): p is string => p !== undefined) ? parts.join(separator) : undefined;
  },
  /** coalesce(...) of strings, numbers or bools: the first that is neither null nor an empty string. */
  coalesce: (args) =>
    args.every((a) => a === null || text(a) !== undefined)
      ? args.find((a) => a !== null && a !== '')
      : undefined,
};

/**
 * format(spec, values...) with the verbs %s (a string, number or bool) and %d (an integer) and %%;
 * any other verb, flag or width, or a count of values that does not match, is unknown.
 */
function format(spec: string, values: unknown[]): string | undefined {
  let next = 0;
  let known = true;
  const out = spec.replace(/%(.?)/g, (_, verb: string) => {
    if (verb === '%') return '%';
    const v = values[next++];
    if (verb === 's' && text(v) !== undefined) return text(v)!;
    if (verb === 'd') {
      const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
      if (typeof n === 'number' && Number.isInteger(n)) return String(n);
    }
    known = false;
    return '';
  });
  return known && next === values.length ? out : undefined;
}

/** The value of `name(args)` over known arguments, or undefined when the function or its arguments are not read. */
export function callValue(name: string, args: unknown[]): unknown {
  return Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name]!(args) : undefined;
}
