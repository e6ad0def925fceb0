/**
 * The value of a resource's `count` when the expression is one of the few forms a module uses to
 * switch a resource on or off (`var.x == "" ? 0 : 1`, `var.a || length(var.b) == 0 ? 0 : 1`,
 * `var.enabled ? 1 : 0`): conditionals, `||`, `&&`, `!`, `==`, `!=`, `length()`, parentheses,
 * numbers, strings without interpolation, booleans and references, whose values `lookup` gives.
 * Anything else, or a reference `lookup` does not know, is undefined: the resource is kept.
 */
export function countOf(text: string, lookup: (reference: string) => unknown): number | undefined {
  const v = operationOf(text, lookup);
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}

/** The value of `text` in the forms countOf reads (a number, a bool, a string...), undefined when not known. */
export function operationOf(text: string, lookup: (reference: string) => unknown): unknown {
  const tokens = text.match(/"(?:[^"\\$]|\\.)*"|\d+|[A-Za-z_][\w.-]*(?:\[\d+\])*|==|!=|\|\||&&|[?:!()]|\S/g);
  if (!tokens) return undefined;
  let at = 0;
  const UNKNOWN = Symbol('unknown');
  type Value = unknown;
  const peek = () => tokens[at];
  const next = () => tokens[at++];
  const known = (...vs: Value[]) => vs.every((v) => v !== UNKNOWN);

  function ternary(): Value {
    const cond = or();
    if (peek() !== '?') return cond;
    next();
    const a = ternary();
    if (next() !== ':') throw new Error('expected :');
    const b = ternary();
    if (cond === UNKNOWN) return UNKNOWN;
    return cond === true ? a : cond === false ? b : UNKNOWN;
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
      const right = operand();
      left =
        left === decides || right === decides
          ? decides
          : typeof left === 'boolean' && typeof right === 'boolean'
            ? !decides
            : UNKNOWN;
    }
    return left;
  }
  const or = (): Value => logical('||', and);
  const and = (): Value => logical('&&', equality);
  function equality(): Value {
    let left = unary();
    while (peek() === '==' || peek() === '!=') {
      const op = next();
      const right = unary();
      left = known(left, right)
        ? (JSON.stringify(left) === JSON.stringify(right)) === (op === '==')
        : UNKNOWN;
    }
    return left;
  }
  function unary(): Value {
    if (peek() === '!') {
      next();
      const v = unary();
      return typeof v === 'boolean' ? !v : UNKNOWN;
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
    if (/^\d+$/.test(t)) return Number(t);
    if (t.startsWith('"')) return JSON.parse(t) as string;
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'length' && peek() === '(') {
      next();
      const v = ternary();
      if (next() !== ')') throw new Error('expected )');
      if (typeof v === 'string' || Array.isArray(v)) return v.length;
      return v !== null && typeof v === 'object' ? Object.keys(v).length : UNKNOWN;
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
