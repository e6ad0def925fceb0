import { boolOf, isExpression, numberOf, stringOf } from './terraform-values.js';

/**
 * The value of an operation over its operands' values (an operand not known is a Terraform
 * expression), with Terraform's operators:
 * https://developer.hashicorp.com/terraform/language/expressions/operators
 * The loader reads precedence and parentheses from the parse tree (`!` and unary `-`; `*` `/` `%`;
 * `+` `-`; `>` `>=` `<` `<=`; `==` `!=`; `&&`; `||`; then `c ? a : b`). Arithmetic and
 * comparison take numbers, converting a string that is one ("3") as Terraform converts it; `&&`,
 * `||`, `!` and a condition take bools (or the strings "true" and "false"); `==` compares type and
 * value (`1 == "1"` is false). What Terraform refuses (a word in arithmetic, a division by zero, a
 * number beside a bool in `?:`), a list or map compared, or an operand not known, is undefined.
 */
export function operationValue(operator: string, operands: readonly unknown[]): unknown {
  if (operator === '?:') {
    const [condition, a, b] = operands;
    const chosen = boolOf(condition);
    return chosen === undefined ? undefined : unified(chosen ? a : b, chosen ? b : a);
  }
  if (operands.length === 1) {
    const [v] = operands;
    if (operator === '!') return negation(boolOf(v));
    const n = operator === '-' ? numberOf(v) : undefined;
    return n === undefined ? undefined : -n;
  }
  const [a, b] = operands;
  if (operator === '||' || operator === '&&') return logical(operator === '||', boolOf(a), boolOf(b));
  if (operator === '==' || operator === '!=')
    return primitive(a) && primitive(b) ? (a === b) === (operator === '==') : undefined;
  const [x, y] = [numberOf(a), numberOf(b)];
  if (x === undefined || y === undefined) return undefined;
  if (operator === '<') return x < y;
  if (operator === '>') return x > y;
  if (operator === '<=') return x <= y;
  if (operator === '>=') return x >= y;
  return decimalArithmetic(operator, x, y);
}

const negation = (v: boolean | undefined): boolean | undefined => (v === undefined ? undefined : !v);

const primitive = (v: unknown): v is string | number | boolean | null =>
  v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * The chosen result of `?:` in the type both results share, as Terraform unifies them: beside a
 * string, a number or bool becomes its text (stringOf); a number beside a bool is Terraform's error.
 */
function unified(chosen: unknown, other: unknown): unknown {
  if (isExpression(chosen)) return undefined;
  if (chosen === null || other === null || isExpression(other)) return chosen;
  if (!primitive(chosen) || !primitive(other) || typeof chosen === typeof other) return chosen;
  if (typeof other === 'string') return stringOf(chosen);
  return typeof chosen === 'string' ? chosen : undefined;
}

/**
 * `a || b` (`decides` true) or `a && b` (false): an operand that decides alone decides even beside
 * an unknown one; two other bools give the other value; anything else is unknown.
 */
function logical(decides: boolean, a: boolean | undefined, b: boolean | undefined): boolean | undefined {
  if (a === decides || b === decides) return decides;
  return a === undefined || b === undefined ? undefined : !decides;
}

/** `n` as an integer and a count of decimals (2.5: 25n and 1), when its text has no exponent. */
function decimal(n: number): readonly [bigint, number] | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(n));
  return m ? [BigInt(`${m[1]}${m[2]}${m[3] ?? ''}`), (m[3] ?? '').length] : undefined;
}

/**
 * `a op b` in exact decimals, as Terraform computes numbers (arbitrary precision: 0.1 + 0.2 is
 * 0.3), when the result is a number JavaScript writes the same; undefined otherwise (a division
 * that does not end, by zero, a result beyond a double's digits).
 */
function decimalArithmetic(op: string, a: number, b: number): number | undefined {
  const x = decimal(a);
  const y = decimal(b);
  if (!x || !y) return undefined;
  const scale = Math.max(x[1], y[1]);
  const xs = x[0] * 10n ** BigInt(scale - x[1]);
  const ys = y[0] * 10n ** BigInt(scale - y[1]);
  let digits: bigint;
  let decimals = scale;
  if (op === '+') digits = xs + ys;
  else if (op === '-') digits = xs - ys;
  else if (op === '*') [digits, decimals] = [x[0] * y[0], x[1] + y[1]];
  else if (ys === 0n) return undefined;
  // Go's and Terraform's remainder keeps the dividend's sign (-5 % 3 is -2), as BigInt's does.
  else if (op === '%') digits = xs % ys;
  else {
    const k = [...Array(21).keys()].find((i) => (xs * 10n ** BigInt(i)) % ys === 0n);
    if (k === undefined) return undefined;
    [digits, decimals] = [(xs * 10n ** BigInt(k)) / ys, k];
  }
  const negative = digits < 0n;
  const text = (negative ? -digits : digits).toString().padStart(decimals + 1, '0');
  const written = `${negative ? '-' : ''}${text.slice(0, text.length - decimals)}${decimals ? `.${text.slice(-decimals)}` : ''}`;
  const n = Number(written);
  const plain = /\./.test(written) ? written.replace(/\.?0+$/, '') : written;
  return String(n) === plain.replace(/^-0$/, '0') ? n : undefined;
}
