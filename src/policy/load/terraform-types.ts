/**
 * What Terraform's types say of a value before a plan: a variable's value converted to its declared
 * primitive type, whether an expression is written as a set (iterated sorted) or surely as a list
 * or tuple (which `for_each` refuses), and that refusal as Terraform words it.
 * https://developer.hashicorp.com/terraform/language/expressions/type-constraints
 */
import { UserError } from '../../errors.js';
import { isExpression, NAMED, parsedOf, writtenAt } from './terraform-values.js';

/** What a module declares that types its values: each variable's `type`, the variables a call passed, its locals as written. */
export interface Declarations {
  types?: Readonly<Record<string, string | undefined>>;
  passed?: ReadonlySet<string>;
  locals: Readonly<Record<string, unknown>>;
}

/**
 * The variables with each value of a declared primitive type (`number`, `string`, `bool`)
 * converted to it, as Terraform converts an input variable ("3" for a `number` is 3, 3 for a
 * `string` is "3"); a value Terraform cannot convert (its error) is left out: unknown.
 */
export function typed(
  variables: Readonly<Record<string, unknown>>,
  types: Readonly<Record<string, string | undefined>> | undefined,
): Readonly<Record<string, unknown>> {
  if (!types) return variables;
  const out = { ...variables };
  for (const name of Object.keys(out)) {
    const type = Object.hasOwn(types, name) ? types[name]?.replace(/\s+/g, '') : undefined;
    const v = out[name];
    if (v === null || (type !== 'number' && type !== 'string' && type !== 'bool')) continue;
    const converted = primitive(v, type);
    if (converted === undefined) delete out[name];
    else out[name] = converted;
  }
  return out;
}

function primitive(v: unknown, type: 'number' | 'string' | 'bool'): unknown {
  if (type === 'string')
    return typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : undefined;
  if (type === 'number') {
    if (typeof v === 'number') return v;
    return typeof v === 'string' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v) ? Number(v) : undefined;
  }
  return typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : undefined;
}

/**
 * What a set is made of, when `value` is written as one: the argument of `toset(x)`, or `var.x`
 * itself when the variable's type is `set(...)` (Terraform converts its value to a set).
 */
export function setWritten(value: unknown, known: Declarations): unknown {
  const parsed = isExpression(value) ? parsedOf(value) : undefined;
  if (parsed && 'call' in parsed && parsed.call === 'toset' && parsed.args.length === 1)
    return parsed.args[0];
  const named = isExpression(value) && !parsed ? NAMED.exec(value.expression) : null;
  if (named?.[1] === 'var' && !named[3] && /^set\(/.test(declared(named[2]!, known) ?? '')) return value;
  return undefined;
}

/** A variable's declared type without spaces; undefined when it has none (or is not declared). */
function declared(name: string, known: Declarations): string | undefined {
  const { types } = known;
  return types && Object.hasOwn(types, name) ? types[name]?.replace(/\s+/g, '') : undefined;
}

/** The type of the list these functions return, whatever their arguments (a list or a tuple: it depends on them). */
const LIST_RESULTS: Readonly<Record<string, string>> = {
  keys: 'list of string',
  split: 'list of string',
  sort: 'list of string',
  compact: 'list of string',
  range: 'list of number',
  concat: 'list or tuple',
  flatten: 'list or tuple',
  values: 'list or tuple',
  tolist: 'list',
  distinct: 'list',
  reverse: 'list',
  slice: 'list or tuple',
};
const PRIMITIVE = /^(string|number|bool)$/;

/**
 * The type Terraform gives the value written as `written`, when it is surely a list or a tuple
 * whatever the values: a tuple written (`["a", "b"]`), `[for ...]`, a function returning a list, a
 * variable declared `list(...)` or `tuple(...)`, one without a type holding a literal value (not
 * a call's: the caller's value may be a set), a local written as one of those. Undefined otherwise.
 */
export function listType(
  written: unknown,
  known: Declarations,
  seen = new Set<string>(),
): string | undefined {
  if (Array.isArray(written)) return 'tuple';
  if (!isExpression(written)) return undefined;
  const parsed = parsedOf(written);
  if (parsed)
    return 'for' in parsed
      ? parsed.for.key === undefined
        ? 'tuple'
        : undefined
      : 'call' in parsed
        ? LIST_RESULTS[parsed.call]
        : undefined; // a template is a string
  const named = NAMED.exec(written.expression);
  if (!named || named[3]) return undefined;
  const name = named[2]!;
  if (named[1] === 'local') {
    if (!Object.hasOwn(known.locals, name) || seen.has(name)) return undefined;
    return listType(known.locals[name], known, seen.add(name));
  }
  if (!known.types || !Object.hasOwn(known.types, name)) return undefined;
  const type = declared(name, known);
  if (type === undefined || type === 'any') return known.passed?.has(name) ? undefined : 'tuple';
  const element = /^list\((.*)\)$/.exec(type)?.[1];
  if (element !== undefined) return PRIMITIVE.test(element) ? `list of ${element}` : 'list';
  return type.startsWith('tuple(') ? 'tuple' : undefined;
}

/** Terraform's "Invalid for_each argument" for a list or tuple, at the expression. */
export function forEachList(written: unknown, type: string): UserError {
  return new UserError(
    `Invalid for_each argument: the "for_each" argument must be a map, or set of strings, and you have provided a value of type ${type} (as terraform plan says)`,
    {
      code: 'check/terraform-invalid',
      ...(writtenAt(written) ? { location: writtenAt(written) } : {}),
      hint: `wrap it in toset() (for_each = toset(${isExpression(written) ? written.expression : '[...]'})) for one instance per string, as terraform plan asks`,
    },
  );
}
