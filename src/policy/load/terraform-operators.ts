import { callValue } from './terraform-functions.js';
import { boolOf, numberOf, stringOf } from './terraform-values.js';

/**
 * The value of an expression's `text` with Terraform's operators over known values: conditionals,
 * parentheses, calls of the functions terraform-functions.ts computes, numbers, strings without
 * interpolation, bools, null, and references whose values `lookup` gives (undefined: not known).
 * https://developer.hashicorp.com/terraform/language/expressions/operators
 * By precedence, highest first: `!` and unary `-`; `*` `/` `%`; `+` `-`; `>` `>=` `<` `<=`; `==`
 * `!=`; `&&`; `||`; then `c ? a : b`. Arithmetic and comparison take numbers, converting a string
 * that is one ("3") as Terraform converts it; `&&`, `||`, `!` and a condition take bools (or the
 * strings "true" and "false"); `==` compares type and value (`1 == "1"` is false). What Terraform
 * refuses (a word in arithmetic, a division by zero, a number beside a bool in `?:`), a list or
 * map compared, or a reference `lookup` does not know, is undefined.
 */
export function operationOf(text: string, lookup: (reference: string) => unknown): unknown {
  const tokens = text.match(
    /"(?:[^"\\$%]|[$%](?!\{)|\\.)*"|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\]|\["[^"\\]*"\])*|==|!=|<=|>=|\|\||&&|[?:!(),<>+\-*/%]|\S/g,
  );
  if (!tokens) return undefined;
  let at = 0;
  const UNKNOWN = Symbol('unknown');
  type Value = unknown;
  const peek = () => tokens[at];
  const next = () => tokens[at++];

  /** Terraform's conversions (terraform-values.ts), UNKNOWN where Terraform refuses them. */
  const number = (v: Value): number | typeof UNKNOWN => numberOf(v) ?? UNKNOWN;
  const bool = (v: Value): boolean | typeof UNKNOWN => boolOf(v) ?? UNKNOWN;
  const primitive = (v: Value) =>
    v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

  function ternary(): Value {
    const cond = or();
    if (peek() !== '?') return cond;
    next();
    const a = ternary();
    if (next() !== ':') throw new Error('expected :');
    const b = ternary();
    const chosen = bool(cond);
    if (chosen === UNKNOWN) return UNKNOWN;
    return unified(chosen ? a : b, chosen ? b : a);
  }
  /**
   * The chosen result of `?:` in the type both results share, as Terraform unifies them: beside a
   * string, a number or bool becomes its text; a number beside a bool is Terraform's error.
   */
  function unified(chosen: Value, other: Value): Value {
    if (chosen === UNKNOWN || chosen === null || other === null || other === UNKNOWN) return chosen;
    if (!primitive(chosen) || !primitive(other) || typeof chosen === typeof other) return chosen;
    if (typeof other === 'string') return stringOf(chosen) ?? UNKNOWN;
    return typeof chosen === 'string' ? chosen : UNKNOWN;
  }
  /**
   * `a || b` or `a && b`: an operand that decides alone (true for `||`, false for `&&`) decides
   * even beside an unknown one; two other booleans give the other value; anything else is unknown.
   */
  function logical(op: '||' | '&&', operand: () => Value): Value {
    const decides = op === '||';
    let left = operand();
    while (peek() === op) {
      next();
      const [a, b] = [bool(left), bool(operand())];
      left = a === decides || b === decides ? decides : a === UNKNOWN || b === UNKNOWN ? UNKNOWN : !decides;
    }
    return left;
  }
  const or = (): Value => logical('||', and);
  const and = (): Value => logical('&&', equality);
  function equality(): Value {
    let left = comparison();
    while (peek() === '==' || peek() === '!=') {
      const op = next();
      const right = comparison();
      left =
        left !== UNKNOWN && right !== UNKNOWN && primitive(left) && primitive(right)
          ? (left === right) === (op === '==')
          : UNKNOWN;
    }
    return left;
  }
  function comparison(): Value {
    let left = sum();
    while (['<', '>', '<=', '>='].includes(peek() ?? '')) {
      const op = next();
      const [a, b] = [number(left), number(sum())];
      left =
        typeof a !== 'number' || typeof b !== 'number'
          ? UNKNOWN
          : op === '<'
            ? a < b
            : op === '>'
              ? a > b
              : op === '<='
                ? a <= b
                : a >= b;
    }
    return left;
  }
  const sum = (): Value => binary(['+', '-'], product);
  const product = (): Value => binary(['*', '/', '%'], unary);
  /** A left-associative run of arithmetic operators `ops` over `operand`s, in numbers. */
  function binary(ops: readonly string[], operand: () => Value): Value {
    let left = operand();
    while (ops.includes(peek() ?? '')) {
      const op = next();
      const right = operand();
      if (left === UNKNOWN) continue;
      const [a, b] = [number(left), number(right)];
      left = typeof a !== 'number' || typeof b !== 'number' ? UNKNOWN : arithmetic(op!, a, b);
    }
    return left;
  }
  const arithmetic = (op: string, a: number, b: number): Value => decimalArithmetic(op, a, b) ?? UNKNOWN;
  function unary(): Value {
    if (peek() === '!') {
      next();
      const v = bool(unary());
      return typeof v === 'boolean' ? !v : UNKNOWN;
    }
    if (peek() === '-') {
      next();
      const v = number(unary());
      return typeof v === 'number' ? -v : UNKNOWN;
    }
    return primary();
  }
  function primary(): Value {
    const t = next();
    if (t === undefined) throw new Error('unexpected end');
    if (t === '(') {
      const v = ternary();
      if (next() !== ')') throw new Error('expected )');
      return v;
    }
    if (/^\d/.test(t)) return Number(t);
    if (t.startsWith('"')) return JSON.parse(t) as string;
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'null') return null;
    if (/^[A-Za-z_][\w-]*$/.test(t) && peek() === '(') {
      // A function call among operators (`length(var.names) > 1`): terraform-functions.ts computes it.
      next();
      const args: Value[] = [];
      while (peek() !== ')') {
        args.push(ternary());
        if (peek() === ',') next();
        else if (peek() !== ')') throw new Error('expected , or )');
      }
      next();
      if (args.includes(UNKNOWN)) return UNKNOWN;
      const v = callValue(t, args);
      return v === undefined ? UNKNOWN : v;
    }
    if (/^[A-Za-z_]/.test(t)) {
      const v = lookup(t);
      return v === undefined ? UNKNOWN : v;
    }
    throw new Error(`unexpected ${t}`);
  }

  try {
    const v = ternary();
    return at === tokens.length && v !== UNKNOWN ? v : undefined;
  } catch {
    return undefined;
  }
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
