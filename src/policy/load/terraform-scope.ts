/**
 * What a Terraform expression of a module can be resolved from before a plan (its variables, its
 * locals, the iterators of the dynamic block or resource instance being converted, the literal
 * names of the module's kubernetes_* resources, the symbols of a `for`), and resolving it: the
 * partial evaluator the converter (terraform-kubernetes.ts) and the module instances use. What is
 * not known stays `{ expression }`.
 */
import { UserError } from '../../errors.js';
import type { Path } from '../types.js';
import { operationValue } from './terraform-operators.js';
import { attempt } from './terraform-try.js';
import { callValue } from './terraform-functions.js';
import { forEachList, listType, typed, type Declarations } from './terraform-types.js';
import {
  boolOf,
  isExpression,
  isPlain,
  isSet,
  MEMBER,
  NAMED,
  parsedOf,
  stringOf,
  writtenAt,
  type ForExpression,
  type TerraformExpression,
} from './terraform-values.js';

/** `dynamic "x" { for_each = ...; iterator = ... }`, by the path of the `x` block it stands for. */
export interface DynamicBlock {
  forEach: unknown;
  iterator: string;
}

/** What an expression can be resolved from: variables, locals, dynamic iterators, the file's literal names. */
export interface Scope {
  variables: Readonly<Record<string, unknown>>;
  locals: Locals;
  iterators: Readonly<Record<string, { key: unknown; value: unknown }>>;
  /** The symbols of the `for` expressions being computed (`s` in `[for s in var.services : s.name]`). */
  symbols?: Readonly<Record<string, unknown>>;
  /** `count.index` of the resource instance being converted, when its `count` is known. */
  countIndex?: number;
  names: Map<string, { name?: unknown; namespace?: unknown }>;
  dynamics: ReadonlyMap<string, DynamicBlock> | undefined;
  /** Each variable the module declares, with its `type` as written (`list(string)`), undefined when none. */
  types?: Readonly<Record<string, string | undefined>>;
  /** The variables a module call passed: one without a type has the type of the caller's value. */
  passed?: ReadonlySet<string>;
  /**
   * Whether the values are the ones `terraform plan` would use (a root module's, or a call's from a
   * root): then an error Terraform raises on them stops the check (exit 2); else (one file read
   * alone, whose variables a call may set) the value is unknown.
   */
  planned?: boolean;
}

/** A module's locals as written, and each one's value once a reference asked for it (shared by the scopes of one module). */
interface Locals {
  written: Readonly<Record<string, unknown>>;
  /** A local not known yet, or being evaluated, is UNKNOWN: a cycle (which Terraform refuses) stays unknown. */
  values: Map<string, unknown>;
}
const UNKNOWN = Symbol('unknown');

const REFERENCE =
  /^(kubernetes_[a-z0-9_]+)\.([A-Za-z_][\w-]*)(?:\[0\])?\.metadata(?:\[0\]|\.0)\.(name|namespace)$/;
/** An iterator's `x.key` or `x.value`, and any member steps after the value (`each.value.image`, `rule.value["verbs"]`). */
export const ITERATOR = /^([A-Za-z_][\w-]*)\.(key|value)((?:\.[A-Za-z_][\w-]*|\[\d+\]|\["[^"\\]*"\])*)$/;
/** A `for` expression's symbol, and any member steps after it (`s.name`, `v["image"]`, `p.ports[0]`). */
const SYMBOL = /^([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[\d+\]|\["[^"\\]*"\])*)$/;

/** What `how` knows, before any resource's names or iterators are known. */
export function scopeOf(how: {
  variables?: Readonly<Record<string, unknown>>;
  locals?: Readonly<Record<string, unknown>>;
  types?: Readonly<Record<string, string | undefined>>;
  passed?: ReadonlySet<string>;
  planned?: boolean;
}): Scope {
  return {
    variables: typed(how.variables ?? {}, how.types),
    locals: { written: how.locals ?? {}, values: new Map() },
    iterators: {},
    names: new Map(),
    dynamics: undefined,
    ...(how.types ? { types: how.types } : {}),
    ...(how.passed ? { passed: how.passed } : {}),
    ...(how.planned ? { planned: true } : {}),
  };
}

/**
 * How many instances `for_each` or `count` (as written, on a resource or a module block) makes,
 * when known: the elements of a map (in lexical key order, as Terraform orders a map), or of a set
 * of strings (`toset(var.names)`, a variable of type `set(string)`, a local or a conditional
 * holding one: a set is never refused), or a count. Undefined when
 * neither is set or the value is unknown. A `for_each` that is a list or a tuple (`["a", "b"]`, a
 * variable of type `list(string)`, `[for ...]`) Terraform refuses: planned, that is the check's
 * error at the expression (exit 2); else unknown.
 */
export function repetition(
  forEach: unknown,
  count: unknown,
  scope: Scope,
): { each: Array<readonly [string, unknown]> } | { count: number } | undefined {
  if (forEach !== undefined) {
    const each = evaluate(forEach, scope);
    // A set (toset(...), a variable of type set(...)) is what for_each takes; a list or tuple it refuses.
    if (Array.isArray(each) && !isSet(each)) {
      const list = listType(forEach, declarations(scope));
      if (list && scope.planned) throw forEachList(forEach, list);
      if (list) return undefined;
    }
    const elements = Array.isArray(each) ? setElements(each) : mapElements(each);
    return elements && { each: elements };
  }
  const n = countValue(count, scope);
  return n === undefined ? undefined : { count: n };
}

/**
 * The elements a dynamic block's `for_each` or a `for` expression iterates, when known, as
 * Terraform iterates them: a set's (toset(...), a variable of type set(...)) sorted, each its own
 * key; a list's keyed by index; a map's in lexical key order.
 */
export function elementsOf(
  written: unknown,
  scope: Scope,
): Array<readonly [string | number, unknown]> | undefined {
  const value = evaluate(written, scope);
  if (isSet(value)) return value.map((v) => [v as string | number, v] as const);
  return Array.isArray(value) ? value.map((v, i) => [i, v] as const) : mapElements(value);
}

function mapElements(value: unknown): Array<readonly [string, unknown]> | undefined {
  if (!isPlain(value)) return undefined;
  return Object.keys(value)
    .sort()
    .map((k) => [k, value[k]] as const);
}

/** A set of strings' elements (duplicates once, sorted), each its own key; undefined for anything else. */
function setElements(value: unknown): Array<readonly [string, string]> | undefined {
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) return undefined;
  return [...new Set(value)].sort().map((v) => [v, v] as const);
}

const declarations = (scope: Scope): Declarations => ({
  ...(scope.types ? { types: scope.types } : {}),
  ...(scope.passed ? { passed: scope.passed } : {}),
  locals: scope.locals.written,
});

/** The steps of a member (`.app`, `[0]`, `["app.kubernetes.io/name"]`) as a path. */
export function steps(text: string): Path {
  return [...text.matchAll(MEMBER)].map((s) => s[1] ?? s[3] ?? Number(s[2]));
}

/** `count = 0`, or a switch (`var.drill == "" ? 0 : 1`) the scope decides to 0: the resource is not created. */
export function absent(count: unknown, scope: Scope): boolean {
  return countValue(count, scope) === 0;
}

/** A resource's `count` when known: a whole number not below zero, written or computed (evaluate). */
function countValue(count: unknown, scope: Scope): number | undefined {
  const known = evaluate(count, scope);
  return typeof known === 'number' && Number.isInteger(known) && known >= 0 ? known : undefined;
}

/**
 * A value with what the scope knows put in: `var.x`, an iterator's `rule.value.verbs`, a `for`
 * expression's symbol and its result, a call of a function terraform-functions.ts computes over
 * known arguments, a literal name of another resource, an interpolation of those, Terraform's
 * operators and conditionals over them (operationValue); anything else stays an expression.
 */
export function evaluate(value: unknown, scope: Scope): unknown {
  // A set's elements are known strings or numbers: it stays the set it is.
  if (isSet(value)) return value;
  if (Array.isArray(value)) return value.map((v) => evaluate(v, scope));
  if (isPlain(value)) {
    const out: Record<string, unknown> = {};
    for (const k in value) out[k] = evaluate(value[k], scope);
    return out;
  }
  if (!isExpression(value)) return value;
  const parsed = parsedOf(value);
  if (parsed && 'for' in parsed) return forValue(parsed.for, value, scope) ?? value;
  if (parsed && 'call' in parsed) {
    // try and can read each argument as written: an expanded one (`try(local.options...)`) is not read.
    if (parsed.call === 'try' || parsed.call === 'can')
      return parsed.expanded
        ? value
        : (attempt(parsed.call, parsed.args, {
            evaluate: (v) => evaluate(v, scope),
            referenced: (text) => referenced(text, scope),
          }) ?? value);
    // Every argument known (its members may be unknown: the function decides), else the call is unknown.
    const args = parsed.args.map((a) => evaluate(a, scope));
    if (args.some(isExpression)) return value;
    // `f(a, list...)`: a list's (or a set's) elements are the last arguments; anything else is Terraform's error.
    if (parsed.expanded && !Array.isArray(args.at(-1))) return value;
    const v = callValue(
      parsed.call,
      parsed.expanded ? [...args.slice(0, -1), ...(args.at(-1) as unknown[])] : args,
    );
    return v === undefined ? value : v;
  }
  if (parsed && 'template' in parsed) return templateValue(parsed.template, scope) ?? value;
  if (parsed && 'operation' in parsed) {
    const { operator, operands } = parsed.operation;
    const v = operationValue(
      operator,
      operands.map((o) => evaluate(o, scope)),
    );
    return v === undefined ? value : v;
  }
  const text = value.expression;
  const ref = referenced(text, scope);
  if (ref) {
    const v = member(ref.base, ref.path);
    return v === undefined ? value : v;
  }
  if (text === 'count.index' && scope.countIndex !== undefined) return scope.countIndex;
  const reference = REFERENCE.exec(text);
  if (reference) {
    const known = scope.names.get(`${reference[1]}.${reference[2]}`)?.[reference[3] as 'name' | 'namespace'];
    return typeof known === 'string' ? known : value;
  }
  return value;
}

/**
 * `"${var.name}-svc"`: a template whose every interpolation is a known string, number or bool
 * (converted to text as Terraform converts them); undefined (unknown) otherwise: null or a
 * collection there is Terraform's error. A template that is one interpolation alone (`"${var.n}"`)
 * is its value, not converted, as HCL unwraps it.
 */
function templateValue(parts: readonly unknown[], scope: Scope): unknown {
  if (parts.length === 1 && typeof parts[0] !== 'string') {
    const v = evaluate(parts[0], scope);
    return isExpression(v) ? undefined : v;
  }
  let out = '';
  for (const part of parts) {
    const v = typeof part === 'string' ? part : stringOf(evaluate(part, scope));
    if (v === undefined) return undefined;
    out += v;
  }
  return out;
}

/**
 * The known value a reference starts from, and the member steps written after it (`.ports[0]`):
 * a `for`'s symbol, `var.x`, `local.x`, a dynamic block's or resource's iterator (`each.value`,
 * `rule.key`). Undefined when the scope does not know it, or for any other text.
 */
function referenced(text: string, scope: Scope): { base: unknown; path: string } | undefined {
  const symbol = scope.symbols && SYMBOL.exec(text);
  if (symbol && Object.hasOwn(scope.symbols!, symbol[1]!))
    return { base: scope.symbols![symbol[1]!], path: symbol[2]! };
  const named = NAMED.exec(text);
  if (named) {
    const [, space, name, path] = named as unknown as [string, string, string, string];
    const base =
      space === 'local'
        ? local(name, scope)
        : Object.hasOwn(scope.variables, name)
          ? scope.variables[name]
          : UNKNOWN;
    return base === UNKNOWN ? undefined : { base, path };
  }
  const iterator = ITERATOR.exec(text);
  if (!iterator || !(iterator[1]! in scope.iterators)) return undefined;
  const it = scope.iterators[iterator[1]!]!;
  // A key is a string or number: no member of it is known.
  if (iterator[2] === 'key') return iterator[3] ? undefined : { base: it.key, path: '' };
  return { base: it.value, path: iterator[3]! };
}

/**
 * The value of `local.<name>`: its expression evaluated once per module (with no iterator: a local
 * cannot see a dynamic block's); UNKNOWN when it is not known or refers back to itself.
 */
function local(name: string, scope: Scope): unknown {
  const { written, values } = scope.locals;
  if (!Object.hasOwn(written, name)) return UNKNOWN;
  if (values.has(name)) return values.get(name);
  values.set(name, UNKNOWN);
  const v = evaluate(written[name], { ...scope, iterators: {}, symbols: {}, dynamics: undefined });
  const known = isExpression(v) ? UNKNOWN : v;
  values.set(name, known);
  return known;
}

/**
 * A `for` expression's value, as Terraform computes it: over a list (a tuple) one symbol is the
 * element, two are its index and the element; over a map (an object) one is the value, two the key
 * and the value, in lexical order of the keys; over a set of strings (`toset(...)`, a variable of
 * type `set(string)`) each element sorted, the key symbol the element too. `if` drops the elements
 * it is false for; the object form's keys are strings (a number or bool as its text), and one key
 * twice is Terraform's error ("Duplicate object key": planned, the check's error at the expression,
 * exit 2; else unknown) unless `...` groups the values. Undefined (unknown) when the collection, or
 * any key, value or condition, is not known.
 * https://developer.hashicorp.com/terraform/language/expressions/for
 */
function forValue(
  f: ForExpression,
  written: TerraformExpression,
  scope: Scope,
): unknown[] | Record<string, unknown> | undefined {
  const elements = elementsOf(f.collection, scope);
  if (!elements) return undefined;
  const tuple: unknown[] = [];
  // A Map, not an object: a key may be any text ("__proto__" too).
  const object = new Map<string, unknown>();
  for (const [k, v] of elements) {
    const symbols = { ...scope.symbols, ...(f.keySymbol ? { [f.keySymbol]: k } : {}), [f.valueSymbol]: v };
    const inner: Scope = { ...scope, symbols };
    if (f.condition !== undefined) {
      // A bool, or "true" or "false", as Terraform converts them (`s.port >= 1024`, `!s.internal`).
      const keep = boolOf(evaluate(f.condition, inner));
      if (keep === undefined) return undefined;
      if (!keep) continue;
    }
    const value = evaluate(f.value, inner);
    if (isExpression(value)) return undefined;
    if (f.key === undefined) {
      tuple.push(value);
      continue;
    }
    const key = evaluate(f.key, inner);
    if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') return undefined;
    const name = String(key);
    if (f.grouped) object.set(name, [...((object.get(name) as unknown[] | undefined) ?? []), value]);
    else if (object.has(name)) {
      if (scope.planned) throw duplicateKey(written, name);
      return undefined;
    } else object.set(name, value);
  }
  return f.key === undefined ? tuple : Object.fromEntries(object);
}

/** Terraform's "Duplicate object key" of a `for` without `...`, at the expression. */
function duplicateKey(written: TerraformExpression, key: string): UserError {
  return new UserError(
    `Duplicate object key: two elements of this for expression give the key ${JSON.stringify(key)}`,
    {
      code: 'check/terraform-invalid',
      ...(writtenAt(written) ? { location: writtenAt(written) } : {}),
      hint: 'make the keys unique, or write ... after the value (k => v...) to group the values of a key in a list, as terraform plan asks',
    },
  );
}

/** `steps` (`.app`, `[0]`, `["app.kubernetes.io/name"]`) taken into a known value; undefined where one is missing. */
function member(value: unknown, steps: string): unknown {
  let v = value;
  for (const step of steps.matchAll(MEMBER)) {
    const key = step[1] ?? step[3];
    if (key !== undefined) {
      if (!isPlain(v) || !Object.hasOwn(v, key)) return undefined;
      v = v[key];
    } else {
      // A set has no index: `s[0]` is Terraform's error.
      if (!Array.isArray(v) || isSet(v)) return undefined;
      v = v[Number(step[2])];
    }
    if (v === undefined || isExpression(v)) return undefined;
  }
  return v;
}
