import type { SourceLocation } from '../../errors.js';
import type { Path } from '../types.js';

/**
 * A Terraform argument whose value is not a literal (a reference, a variable, a function call, an
 * interpolation): only its text is known until a plan runs.
 */
export interface TerraformExpression {
  expression: string;
}

/**
 * An HCL `for` expression as the loader parsed it from the tree (`{ for k, v in X : K => V if C }`,
 * `[for v in X : V if C]`), its parts as the loader reads values: what the evaluator
 * (terraform-scope.ts) computes it from once X is known.
 */
export interface ForExpression {
  /** The first of two symbols: a map's key, a list's index. */
  keySymbol?: string;
  /** The element: a map's value, a list's element. */
  valueSymbol: string;
  collection: unknown;
  /** `K =>` of the object form; absent in the tuple form. */
  key?: unknown;
  value: unknown;
  /** `if C`. */
  condition?: unknown;
  /** `V...`: the object form groups the values of one key in a list. */
  grouped: boolean;
}

/**
 * A function call as the loader parsed it from the tree (`lookup(var.images, "web", "nginx:latest")`):
 * the function's name and its arguments read as values, for the evaluator to compute the pure
 * functions it knows (terraform-functions.ts) once every argument is known.
 */
export interface FunctionCall {
  call: string;
  args: unknown[];
  /** `f(a, list...)`: the last argument's elements are the call's last arguments. */
  expanded?: boolean;
}

/**
 * A quoted template with interpolations (`"${var.name}-svc"`, `"${upper(var.x)}"`): its literal
 * text (escapes resolved) and its interpolations read as values, in order.
 */
export interface Template {
  template: unknown[];
}

/**
 * An operator and its operands as the loader parsed them from the tree (`var.base * 2`: `*` and
 * the two operands read as values; `!x`, `-x`: one; `c ? a : b`: `?:` and three), for the
 * evaluator to compute with Terraform's operators (terraform-operators.ts) once they are known.
 */
export interface Operation {
  operator: string;
  operands: unknown[];
}

/** What the loader parsed of an expression beside its text: a `for`, a function call, a template, an operation. */
export type ParsedExpression = { for: ForExpression } | FunctionCall | Template | { operation: Operation };

/**
 * The parse of expressions the loader made, by identity: an expression stays an object of one key
 * (`expression`), as rules and isExpression read it, and the evaluator finds its parse here.
 */
const PARSED = new WeakMap<TerraformExpression, ParsedExpression>();

/** The expression `text`, with what the loader parsed of it. */
export function parsedExpression(text: string, parsed: ParsedExpression): TerraformExpression {
  const expression: TerraformExpression = { expression: text };
  PARSED.set(expression, parsed);
  return expression;
}

export function parsedOf(expression: TerraformExpression): ParsedExpression | undefined {
  return PARSED.get(expression);
}

/** `var.x` or `local.x`, and any attribute or index steps after it (`var.labels.app`, `local.ports[0]`). */
export const NAMED = /^(var|local)\.([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[\d+\]|\["[^"\\]*"\])*)$/;

/** A member step after a reference: `.name`, `[0]`, `["app.kubernetes.io/name"]`. */
export const MEMBER = /\.([A-Za-z_][\w-]*)|\[(\d+)\]|\["([^"\\]*)"\]/g;

/** Where the reader found each tuple and expression of a .tf file, by identity: for Terraform's errors on them. */
const WRITTEN = new WeakMap<object, SourceLocation>();

export function markWritten(v: object, at: SourceLocation): void {
  WRITTEN.set(v, at);
}

/** Where a tuple or expression the reader made is written in its .tf file; undefined for values made by evaluating. */
export function writtenAt(v: unknown): SourceLocation | undefined {
  return typeof v === 'object' && v !== null ? WRITTEN.get(v) : undefined;
}

export function isExpression(v: unknown): v is TerraformExpression {
  return typeof v === 'object' && v !== null && 'expression' in v && Object.keys(v).length === 1;
}

/**
 * The lists that are Terraform sets (`toset(...)`'s results, a variable of type `set(...)`): a
 * set's elements are sorted and unique, and it has no index (`s[0]` is Terraform's error);
 * iterating one, each element is its own key.
 */
const SETS = new WeakSet<readonly unknown[]>();

/** `elements` as a set: duplicates once, strings in lexical order, numbers in numeric order. */
function setOf(elements: ReadonlyArray<string> | ReadonlyArray<number>): unknown[] {
  const unique = [...new Set<string | number>(elements)];
  const set = unique.every((e) => typeof e === 'number')
    ? unique.sort((a, b) => (a as number) - (b as number))
    : unique.sort();
  SETS.add(set);
  return set;
}

export function isSet(v: unknown): v is unknown[] {
  return Array.isArray(v) && SETS.has(v);
}

/**
 * A list as Terraform converts it to a set of `element` (`toset(x)`, a variable of type `set(x)`):
 * `string` and `number` convert each element; `any` (toset) unifies them, numbers alone a set of
 * numbers, beside a string all strings. Undefined when Terraform would refuse, or the set holds
 * what setOf does not order as Terraform does (bools, collections, expressions).
 */
export function setFrom(list: unknown, element: string): unknown[] | undefined {
  if (!Array.isArray(list)) return undefined;
  if (element === 'any') {
    if (isSet(list)) return list;
    if (list.every((e) => typeof e === 'number')) return setOf(list as number[]);
    if (!list.some((e) => typeof e === 'string')) return list.length ? undefined : setOf([]);
  } else if (element !== 'string' && element !== 'number') return undefined;
  const convert: (v: unknown) => string | number | undefined = element === 'number' ? numberOf : stringOf;
  const elements = list.map(convert);
  return elements.every((e) => e !== undefined) ? setOf(elements as string[] | number[]) : undefined;
}

/**
 * Terraform's conversion to string (a template's interpolation, `tostring`, a string beside a
 * number in `?:`): a string, a number as its digits, a bool as true or false; undefined for null,
 * a collection, or a number JavaScript writes with an exponent (Terraform writes every digit).
 */
export function stringOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
  const s = String(v);
  return /e/.test(s) ? undefined : s;
}

/** Terraform's conversion to number: a number, or a string that spells one (`"8080"`); undefined otherwise. */
export function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || !/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Terraform's conversion to bool: a bool, or the string "true" or "false"; undefined otherwise. */
export function boolOf(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : undefined;
}

/** A known object value (an HCL object or a block's body): not a list, not an expression. */
export function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isExpression(v);
}

/**
 * Whether `path` inside `body` reaches a Terraform expression: the value there, or one of its
 * parents, is unknown before a plan, so a rule's verdict on it would be about the expression's text.
 */
export function underExpression(body: unknown, path: Path): boolean {
  let v = body;
  for (let i = 0; ; i++) {
    if (isExpression(v)) return true;
    if (i === path.length || typeof v !== 'object' || v === null) return false;
    v = (v as Record<string | number, unknown>)[path[i]!];
  }
}

/**
 * A path as a map key: the loader's positions and dynamic blocks, the converter's sources. Names and
 * indexes hold no unit separator, so joining is exact, and cheaper than JSON.stringify.
 */
export const pathKey = (path: Path): string => path.join('\u001f');
