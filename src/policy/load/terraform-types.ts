/**
 * What Terraform's types say of a value before a plan: a variable's value converted to its declared
 * primitive or set type, whether an expression is surely a list or tuple (which `for_each`
 * refuses), and that refusal as Terraform words it.
 * https://developer.hashicorp.com/terraform/language/expressions/type-constraints
 */
import { UserError } from '../../errors.js';
import {
  boolOf,
  isExpression,
  isSet,
  NAMED,
  numberOf,
  parsedOf,
  setFrom,
  stringOf,
  writtenAt,
} from './terraform-values.js';

/** What a module declares that types its values: each variable's `type`, the variables a call passed, its locals as written. */
export interface Declarations {
  types?: Readonly<Record<string, string | undefined>>;
  passed?: ReadonlySet<string>;
  locals: Readonly<Record<string, unknown>>;
}

/**
 * The variables with each value converted to its declared type, as Terraform converts an input
 * variable (conversion); a value Terraform cannot convert (its error), or one this does not, is
 * left out: unknown.
 */
export function typed(
  variables: Readonly<Record<string, unknown>>,
  types: Readonly<Record<string, string | undefined>> | undefined,
): Readonly<Record<string, unknown>> {
  if (!types) return variables;
  const out = { ...variables };
  for (const name of Object.keys(out)) {
    const type = Object.hasOwn(types, name) ? types[name]?.replace(/\s+/g, '') : undefined;
    if (out[name] === null || type === undefined) continue;
    const v = conversion(out[name], type);
    if (v === undefined) delete out[name];
    else out[name] = v;
  }
  return out;
}

/**
 * `v` converted to `type` (written without spaces): a primitive (`number`, `string`, `bool`: "3"
 * for a `number` is 3, 3 for a `string` is "3"); a set (`set(string)`: the list ["b", "a", "b"] is
 * the set {"a", "b"}, iterated sorted, each element its own key; undefined for a set setFrom does
 * not order, `set(object(...))`); a list (`list(string)`: a set a call passes is a list of its
 * elements, which for_each refuses). Any other type leaves the value as it is.
 */
function conversion(v: unknown, type: string): unknown {
  if (type === 'number') return numberOf(v);
  if (type === 'string') return stringOf(v);
  if (type === 'bool') return boolOf(v);
  const element = /^set\((.*)\)$/.exec(type)?.[1];
  if (element !== undefined) return setFrom(v, element);
  return type.startsWith('list(') && isSet(v) ? [...v] : v;
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
