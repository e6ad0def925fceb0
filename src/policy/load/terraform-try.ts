/**
 * Terraform's `try` and `can`, which read their arguments' errors: what the evaluator
 * (terraform-scope.ts, which passes itself in as an Evaluator) computes of them before a plan.
 */
import { isExpression, isPlain, isSet, MEMBER, parsedOf } from './terraform-values.js';

/** What try and can read of the evaluator. */
export interface Evaluator {
  /** A value with what the scope knows put in (an expression where unknown). */
  evaluate(value: unknown): unknown;
  /** The known value a reference (`var.ports[3]`) starts from and the member steps after it; undefined when not known. */
  referenced(text: string): { base: unknown; path: string } | undefined;
}

/**
 * `try(a, b, ...)`: the first argument whose value is known without an error; `can(x)`: whether x
 * has one. As in Terraform, an argument not known yet makes the whole call unknown (it may fail
 * later), and so does one whose error is not certain before a plan: a missing attribute of an
 * object may be an `optional()` one its variable's type fills in, which the evaluator does not
 * model. Errors read with certainty: an index past the end of a known list, an attribute of a
 * known list, string, number, bool or null.
 * https://developer.hashicorp.com/terraform/language/functions/try
 */
export function attempt(call: 'try' | 'can', args: readonly unknown[], on: Evaluator): unknown {
  for (const arg of args) {
    const v = on.evaluate(arg);
    const failed = isExpression(v) && fails(arg, on);
    if (call === 'can') {
      if (args.length !== 1) return undefined;
      return failed ? false : whollyKnown(v) ? true : undefined;
    }
    if (failed) continue;
    return whollyKnown(v) ? v : undefined;
  }
  return undefined;
}

/** A value with no expression in it, at any depth. */
function whollyKnown(v: unknown): boolean {
  if (isExpression(v)) return false;
  if (Array.isArray(v)) return v.every(whollyKnown);
  if (isPlain(v)) return Object.values(v).every(whollyKnown);
  return true;
}

/**
 * Whether evaluating `value` is certainly Terraform's error: a reference that takes an impossible
 * step (certainError), or a template or call (but try and can, which catch) with such an argument.
 */
function fails(value: unknown, on: Evaluator): boolean {
  if (Array.isArray(value)) return value.some((v) => fails(v, on));
  if (isPlain(value)) return Object.values(value).some((v) => fails(v, on));
  if (!isExpression(value)) return false;
  const parsed = parsedOf(value);
  if (parsed && 'template' in parsed) return parsed.template.some((p) => fails(p, on));
  if (parsed && 'call' in parsed)
    return parsed.call !== 'try' && parsed.call !== 'can' && parsed.args.some((a) => fails(a, on));
  if (parsed && 'operation' in parsed) return parsed.operation.operands.some((o) => fails(o, on));
  return !parsed && certainError(value.expression, on);
}

/**
 * Whether the reference `text` (`var.ports[3]`, `each.value.name.first`) takes a step that
 * Terraform refuses whatever the types say: an index past a known list's end (or into a set), an
 * attribute or index of a known string, number, bool or null, an attribute of a known list.
 */
function certainError(text: string, on: Evaluator): boolean {
  const ref = on.referenced(text);
  if (!ref) return false;
  let v = ref.base;
  for (const step of ref.path.matchAll(MEMBER)) {
    if (isExpression(v)) return false;
    const key = step[1] ?? step[3];
    if (v === null || typeof v !== 'object') return true;
    if (Array.isArray(v)) {
      if (key !== undefined || isSet(v) || Number(step[2]) >= v.length) return true;
      v = v[Number(step[2])];
    } else {
      // An object's attribute: missing may be an optional() one (unknown), a number is a key ("0").
      const k = key ?? step[2]!;
      if (!Object.hasOwn(v, k)) return false;
      v = (v as Record<string, unknown>)[k];
    }
  }
  return false;
}
