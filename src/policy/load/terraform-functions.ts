/**
 * Terraform's pure functions the evaluator (terraform-scope.ts) computes before a plan, over
 * arguments it knows, as Terraform (go-cty's stdlib and Terraform's own) computes them:
 * https://developer.hashicorp.com/terraform/language/functions
 * A function not listed here, or arguments Terraform would refuse (a list where a map goes, a
 * missing key without a default, a format verb terraform-format.ts does not read), give
 * undefined: the call stays unknown. Members of an argument may be expressions; a function that
 * reads them is unknown. `try` and `can` read their arguments' errors: the evaluator computes them.
 */
import { format, graphemes } from './terraform-format.js';
import { isExpression, isPlain, isSet, numberOf, setFrom, stringOf } from './terraform-values.js';

type Known = Record<string, unknown>;

/** A map's entries in lexical key order, as keys() and values() give them. */
const sortedKeys = (map: Known): string[] => Object.keys(map).sort();

const integer = (v: unknown): number | undefined => {
  const n = numberOf(v);
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
};

/** Elements that are all strings, all numbers or all bools: Terraform compares those by value (anything else: undefined). */
function primitives(list: unknown): Array<string | number | boolean> | undefined {
  if (!Array.isArray(list) || !list.length) return Array.isArray(list) ? [] : undefined;
  const kind = typeof list[0];
  if (kind !== 'string' && kind !== 'number' && kind !== 'boolean') return undefined;
  return list.every((e) => typeof e === kind) ? (list as Array<string | number | boolean>) : undefined;
}

/** A list's elements as strings (Terraform's list(string) conversion); undefined with a null or a collection. */
function strings(list: unknown): string[] | undefined {
  if (!Array.isArray(list)) return undefined;
  const out = list.map(stringOf);
  return out.every((s): s is string => s !== undefined) ? out : undefined;
}

/** Go's string order (bytes of UTF-8, which is code point order), not JavaScript's UTF-16 units. */
const byCodePoint = (a: string, b: string): number => {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++)
    if (x[i] !== y[i]) return x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
  return x.length - y.length;
};

/** Go's strings.TrimSpace: Unicode white space (U+0085 and U+00A0 too; not U+FEFF, which JavaScript's trim takes). */
const SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const EDGE_SPACE = new RegExp(`^${SPACE}+|${SPACE}+$`, 'g');

const str = (v: unknown): v is string => typeof v === 'string';

type Fn = (args: unknown[]) => unknown;

/** A function of exactly `n` strings: undefined for any other arguments. */
const overStrings =
  (n: number, f: (...s: string[]) => unknown): Fn =>
  (args) =>
    args.length === n && args.every(str) ? f(...(args as string[])) : undefined;

const STRING_FUNCTIONS: Record<string, Fn> = {
  trimspace: overStrings(1, (s) => s.replace(EDGE_SPACE, '')),
  trimprefix: overStrings(2, (s, prefix) => (s.startsWith(prefix!) ? s.slice(prefix!.length) : s)),
  trimsuffix: overStrings(2, (s, suffix) => (s.endsWith(suffix!) && suffix ? s.slice(0, -suffix.length) : s)),
  startswith: overStrings(2, (s, prefix) => s.startsWith(prefix!)),
  endswith: overStrings(2, (s, suffix) => s.endsWith(suffix!)),
  /**
   * replace(string, substring, replacement): every occurrence, left to right. A substring in
   * slashes is an RE2 regular expression, which is not computed; nor is an empty one.
   */
  replace: overStrings(3, (s, sub, by) =>
    !sub || (sub.length > 1 && sub.startsWith('/') && sub.endsWith('/')) ? undefined : s.split(sub).join(by),
  ),
  /** split(separator, string): Go's strings.Split (an empty separator, which splits characters, is not computed). */
  split: overStrings(2, (separator, s) => (separator ? s.split(separator) : undefined)),
  /**
   * substr(string, offset, length) in characters (grapheme clusters): a negative offset counts
   * from the end, a negative length takes the rest; an offset past the end gives "".
   */
  substr: ([s, offsetArg, lengthArg, ...rest]) => {
    let offset = integer(offsetArg);
    const length = integer(lengthArg);
    // A length of 0 is go-cty's edge case (it loops to the end); an offset before the start is unclear.
    if (!str(s) || offset === undefined || length === undefined || length === 0 || rest.length)
      return undefined;
    const characters = graphemes(s);
    if (offset < 0) offset += characters.length;
    if (offset < 0) return undefined;
    return characters.slice(offset, length < 0 ? undefined : offset + length).join('');
  },
};

const COLLECTION_FUNCTIONS: Record<string, Fn> = {
  /** contains(list or set, value): elements and value of one primitive type, compared by value. */
  contains: ([list, value, ...rest]) => {
    const elements = primitives(list);
    if (!elements || rest.length || primitives([...elements, value]) === undefined) return undefined;
    return elements.includes(value as string);
  },
  /** element(list, index): the index wraps around the list's length, a negative one from the end; a set has no index. */
  element: ([list, index, ...rest]) => {
    const i = integer(index);
    if (!Array.isArray(list) || isSet(list) || !list.length || i === undefined || rest.length)
      return undefined;
    return list[((i % list.length) + list.length) % list.length];
  },
  /** distinct(list): the first of each value, in order (of primitives of one type). */
  distinct: ([list, ...rest]) => {
    const elements = primitives(list);
    return elements && !rest.length ? [...new Set(elements)] : undefined;
  },
  /** reverse(list): a list or tuple backwards; a set cannot be reversed. */
  reverse: ([list, ...rest]) =>
    Array.isArray(list) && !isSet(list) && !rest.length ? [...list].reverse() : undefined,
  /** sort(list): the elements as strings, in lexical order (Go's, by code point); a null is Terraform's error. */
  sort: ([list, ...rest]) => (rest.length ? undefined : strings(list)?.sort(byCodePoint)),
  /** compact(list): its strings without the empty ones and nulls. */
  compact: ([list, ...rest]) => {
    if (!Array.isArray(list) || rest.length) return undefined;
    const kept = strings(list.filter((e) => e !== null));
    return kept?.filter((s) => s !== '');
  },
  /** zipmap(keys, values): a map of keys[i] to values[i]; a later key twice wins. */
  zipmap: ([keys, values, ...rest]) => {
    const names = strings(keys);
    // The values are a list or tuple; a set is Terraform's error.
    if (!names || !Array.isArray(values) || isSet(values) || names.length !== values.length || rest.length)
      return undefined;
    const out = new Map<string, unknown>();
    names.forEach((k, i) => out.set(k, values[i]));
    return Object.fromEntries(out);
  },
  /** toset(list): a set, sorted and unique; mixed strings and numbers or bools are strings, as Terraform unifies them. */
  toset: ([list, ...rest]) => (rest.length ? undefined : setFrom(list, 'any')),
  min: (args) => extreme(args, Math.min),
  max: (args) => extreme(args, Math.max),
  abs: ([n, ...rest]) => {
    const v = numberOf(n);
    return v === undefined || rest.length ? undefined : Math.abs(v);
  },
};

/** min(numbers...) or max(numbers...): at least one number (or a string of one). */
function extreme(args: unknown[], pick: (...n: number[]) => number): number | undefined {
  const numbers = args.map(numberOf);
  return numbers.length && numbers.every((n): n is number => n !== undefined) ? pick(...numbers) : undefined;
}

const FUNCTIONS: Record<string, Fn> = {
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
    const name = stringOf(key);
    if (!isPlain(map) || name === undefined || args.length < 2 || args.length > 3) return undefined;
    if (Object.hasOwn(map, name)) return map[name];
    return args.length === 3 ? fallback : undefined;
  },
  keys: ([map, ...rest]) => (isPlain(map) && !rest.length ? sortedKeys(map) : undefined),
  values: ([map, ...rest]) => (isPlain(map) && !rest.length ? sortedKeys(map).map((k) => map[k]) : undefined),
  /** concat(list...): lists and tuples only (a set is Terraform's error). */
  concat: (args) => (args.every((a) => Array.isArray(a) && !isSet(a)) ? args.flat(1) : undefined),
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
    if (typeof x === 'string') return graphemes(x).length;
    return undefined;
  },
  lower: ([s, ...rest]) => (typeof s === 'string' && !rest.length ? s.toLowerCase() : undefined),
  upper: ([s, ...rest]) => (typeof s === 'string' && !rest.length ? s.toUpperCase() : undefined),
  tostring: ([x, ...rest]) => (rest.length ? undefined : x === null ? null : stringOf(x)),
  tonumber: ([x, ...rest]) => (rest.length ? undefined : x === null ? null : numberOf(x)),
  format: ([spec, ...values]) => (typeof spec === 'string' ? format(spec, values) : undefined),
  ...STRING_FUNCTIONS,
  ...COLLECTION_FUNCTIONS,
  /** join(separator, list): the list's elements as strings. */
  join: ([separator, ...lists]) => {
    if (typeof separator !== 'string' || !lists.length || !lists.every((l) => Array.isArray(l)))
      return undefined;
    const parts = lists.flat(1).map(stringOf);
    return parts.every((p): p is string => p !== undefined) ? parts.join(separator) : undefined;
  },
  /** coalesce(...) of strings, numbers or bools: the first that is neither null nor an empty string. */
  coalesce: (args) =>
    args.every((a) => a === null || stringOf(a) !== undefined)
      ? args.find((a) => a !== null && a !== '')
      : undefined,
};

/** The value of `name(args)` over known arguments, or undefined when the function or its arguments are not read. */
export function callValue(name: string, args: unknown[]): unknown {
  return Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name]!(args) : undefined;
}
