/**
 * What a Terraform expression of a module can be resolved from before a plan (its variables, its
 * locals, the iterators of the dynamic block or resource instance being converted, the literal
 * names of the module's kubernetes_* resources), and resolving it: the partial evaluator the
 * converter (terraform-kubernetes.ts) and the module instances use. What is not known stays
 * `{ expression }`.
 */
import type { Path } from '../types.js';
import { countOf } from './terraform-count.js';
import { isExpression, isPlain } from './terraform-values.js';

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
  /** `count.index` of the resource instance being converted, when its `count` is known. */
  countIndex?: number;
  names: Map<string, { name?: unknown; namespace?: unknown }>;
  dynamics: ReadonlyMap<string, DynamicBlock> | undefined;
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
/** `var.x` or `local.x`, and any attribute or index steps after it (`var.labels.app`, `local.ports[0]`). */
export const NAMED = /^(var|local)\.([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[\d+\]|\["[^"\\]*"\])*)$/;
const MEMBER = /\.([A-Za-z_][\w-]*)|\[(\d+)\]|\["([^"\\]*)"\]/g;
/** An iterator's `x.key` or `x.value`, and any member steps after the value (`each.value.image`, `rule.value["verbs"]`). */
export const ITERATOR = /^([A-Za-z_][\w-]*)\.(key|value)((?:\.[A-Za-z_][\w-]*|\[\d+\]|\["[^"\\]*"\])*)$/;
/** `for_each = toset(<expression>)`: a set of the list's strings. */
const TOSET = /^toset\((.*)\)$/s;
const INTERPOLATION = /\$\{([^{}]+)\}/g;

/** What `how` knows, before any resource's names or iterators are known. */
export function scopeOf(how: {
  variables?: Readonly<Record<string, unknown>>;
  locals?: Readonly<Record<string, unknown>>;
}): Scope {
  return {
    variables: how.variables ?? {},
    locals: { written: how.locals ?? {}, values: new Map() },
    iterators: {},
    names: new Map(),
    dynamics: undefined,
  };
}

/**
 * How many instances `for_each` or `count` (as written, on a resource or a module block) makes,
 * when known: the elements of a map, or of a set of strings (`toset(var.names)`, sorted as
 * Terraform orders a set), or a count. Undefined when neither is set or the value is unknown.
 */
export function repetition(
  forEach: unknown,
  count: unknown,
  scope: Scope,
): { each: Array<readonly [string, unknown]> } | { count: number } | undefined {
  if (forEach !== undefined) {
    const set = isExpression(forEach) ? TOSET.exec(forEach.expression) : null;
    const each = set ? setOf(set[1]!.trim(), scope) : evaluate(forEach, scope);
    if (isPlain(each) && !set) return { each: Object.entries(each) };
    if (Array.isArray(each) && each.every((v): v is string => typeof v === 'string'))
      return { each: [...new Set(each)].sort().map((v) => [v, v] as const) };
    return undefined;
  }
  const n = countValue(count, scope);
  return n === undefined ? undefined : { count: n };
}

/** The list in `toset(<list>)`: a literal one (the loader writes it as JSON), or an expression the scope knows. */
function setOf(list: string, scope: Scope): unknown {
  if (!list.startsWith('[')) return evaluate({ expression: list }, scope);
  try {
    return JSON.parse(list) as unknown;
  } catch {
    return undefined; // elements that are references: not known
  }
}

/** The steps of a member (`.app`, `[0]`, `["app.kubernetes.io/name"]`) as a path. */
export function steps(text: string): Path {
  return [...text.matchAll(MEMBER)].map((s) => s[1] ?? s[3] ?? Number(s[2]));
}

/** `count = 0`, or a switch (`var.drill == "" ? 0 : 1`) the scope decides to 0: the resource is not created. */
export function absent(count: unknown, scope: Scope): boolean {
  return countValue(count, scope) === 0;
}

/** A resource's `count` when known: a number, or an expression of the forms countOf reads with what the scope knows. */
export function countValue(count: unknown, scope: Scope): number | undefined {
  if (count === undefined) return undefined;
  if (typeof count === 'number') return count;
  if (!isExpression(count)) return undefined;
  const lookup = (reference: string) => {
    const v = evaluate({ expression: reference }, scope);
    return isExpression(v) ? undefined : v;
  };
  const known = evaluate(count, scope);
  return typeof known === 'number' ? known : countOf(count.expression, lookup);
}

/**
 * A value with what the scope knows put in: `var.x`, an iterator's `rule.value.verbs`, a literal
 * name of another resource, an interpolation of those; anything else stays an expression.
 */
export function evaluate(value: unknown, scope: Scope): unknown {
  if (Array.isArray(value)) return value.map((v) => evaluate(v, scope));
  if (isPlain(value)) {
    const out: Record<string, unknown> = {};
    for (const k in value) out[k] = evaluate(value[k], scope);
    return out;
  }
  if (!isExpression(value)) return value;
  const text = value.expression;
  const named = NAMED.exec(text);
  if (named) {
    const [, space, name, steps] = named as unknown as [string, string, string, string];
    const known =
      space === 'var'
        ? Object.hasOwn(scope.variables, name)
          ? scope.variables[name]
          : UNKNOWN
        : local(name, scope);
    const v = known === UNKNOWN ? undefined : member(known, steps);
    return v === undefined ? value : v;
  }
  const iterator = ITERATOR.exec(text);
  if (iterator && iterator[1]! in scope.iterators) {
    const it = scope.iterators[iterator[1]!]!;
    const steps = iterator[3]!;
    if (iterator[2] === 'key') return steps ? value : it.key;
    if (!steps) return it.value;
    return member(it.value, steps) ?? value;
  }
  if (text === 'count.index' && scope.countIndex !== undefined) return scope.countIndex;
  const reference = REFERENCE.exec(text);
  if (reference) {
    const known = scope.names.get(`${reference[1]}.${reference[2]}`)?.[reference[3] as 'name' | 'namespace'];
    return typeof known === 'string' ? known : value;
  }
  // "${var.deployer}-token": a template whose every interpolation is known.
  if (text.startsWith('"') && text.endsWith('"') && text.includes('${')) {
    let known = true;
    const out = text.slice(1, -1).replace(INTERPOLATION, (_, inner: string) => {
      const v = evaluate({ expression: inner.trim() }, scope);
      if (typeof v === 'string' || typeof v === 'number') return String(v);
      known = false;
      return '';
    });
    if (known && !/[$%]\{|\\/.test(out)) return out;
  }
  return value;
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
  const v = evaluate(written[name], { ...scope, iterators: {}, dynamics: undefined });
  const known = isExpression(v) ? UNKNOWN : v;
  values.set(name, known);
  return known;
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
      if (!Array.isArray(v)) return undefined;
      v = v[Number(step[2])];
    }
    if (v === undefined || isExpression(v)) return undefined;
  }
  return v;
}
