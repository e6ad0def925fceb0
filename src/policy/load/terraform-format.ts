/**
 * Terraform's format(spec, values...), as go-cty's stdlib computes it (Terraform's own function):
 * https://developer.hashicorp.com/terraform/language/functions/format
 * A verb is `%` flags (`-+ 0#`), a width, a precision (`.2`), and a letter. Computed here: `%%`,
 * `%s`, `%q`, `%v`, `%#v` of a string, number, bool or null, `%t`, `%d` `%b` `%o` `%x` `%X`, `%f`,
 * with the flags, width and precision those take. Anything else (`%e`, `%g`, `%[2]s`, `%*d`, `%#v`
 * of a collection, a value Terraform would not convert, a count of values that does not match)
 * gives undefined: the call stays unknown, never a string Terraform would not make.
 */
import { numberOf, stringOf } from './terraform-values.js';

const VERB = /%([-+ 0#]*)([1-9]\d*)?(?:\.(\d*))?([A-Za-z%])/g;
/** Made on first use: a Segmenter loads ICU's break rules, which every `slipway check` would pay at start-up. */
let segmenter: Intl.Segmenter | undefined;

interface Verb {
  flags: string;
  width?: number;
  precision?: number;
  letter: string;
}

export function format(spec: string, values: readonly unknown[]): string | undefined {
  let next = 0;
  let known = true;
  let end = 0;
  let out = '';
  for (const m of spec.matchAll(VERB)) {
    const literal = spec.slice(end, m.index);
    // A `%` that does not start a verb this reads (`%[1]s`, `%*d`, a `%` at the end): unknown.
    if (literal.includes('%')) return undefined;
    out += literal;
    end = m.index + m[0].length;
    const [all, flags, width, precision, letter] = m as unknown as [
      string,
      string,
      string | undefined,
      string | undefined,
      string,
    ];
    if (all === '%%') {
      out += '%';
      continue;
    }
    // `%.d` (a period and no digits) is Terraform's error; so is a missing value.
    if (precision === '' || next >= values.length) return undefined;
    const verb: Verb = {
      flags,
      ...(width ? { width: Number(width) } : {}),
      ...(precision ? { precision: Number(precision) } : {}),
      letter,
    };
    const text = formatted(verb, values[next++]);
    if (text === undefined) known = false;
    else out += text;
  }
  if (spec.slice(end).includes('%')) return undefined;
  return known && next === values.length ? out + spec.slice(end) : undefined;
}

function formatted(verb: Verb, value: unknown): string | undefined {
  if (value === null) return verb.letter === 'v' ? pad(verb, 'null') : undefined;
  switch (verb.letter) {
    case 'v':
      if (verb.flags.includes('#')) return pad(verb, json(value));
      if (typeof value === 'string') return pad(verb, value);
      if (typeof value === 'number')
        return general(value) === undefined ? undefined : pad(verb, general(value)!);
      return pad(verb, json(value));
    case 't':
      // go-cty writes true or false with no padding.
      if (typeof value === 'boolean') return String(value);
      return value === 'true' || value === 'false' ? value : undefined;
    case 's':
    case 'q': {
      const s = stringOf(value);
      if (s === undefined) return undefined;
      // A precision keeps that many characters of the value (0 keeps all, as go-cty does).
      const kept = verb.precision ? graphemes(s).slice(0, verb.precision).join('') : s;
      return pad(verb, verb.letter === 's' ? kept : json(kept));
    }
    case 'd':
    case 'b':
    case 'o':
    case 'x':
    case 'X':
      return integer(verb, numberOf(value));
    case 'f':
    case 'F':
      return fixed(verb, numberOf(value));
    default:
      return undefined;
  }
}

/** go-cty's padding of strings and %v: to the width in characters, with spaces (zeros with `0`), on the right with `-`. */
function pad(verb: Verb, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const missing = (verb.width ?? 0) - graphemes(text).length;
  if (missing <= 0) return text;
  const fill = (verb.flags.includes('0') ? '0' : ' ').repeat(missing);
  return verb.flags.includes('-') ? text + fill : fill + text;
}

/** A string's characters as Terraform counts them: grapheme clusters. */
export const graphemes = (s: string): string[] =>
  [...(segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' })).segment(s)].map(
    (g) => g.segment,
  );

/** %v of a number: Go's %g with the shortest digits (an exponent from 1e+06, or below 1e-04). */
function general(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  if (n === 0) return '0';
  const [mantissa, exponent] = n.toExponential().split('e') as [string, string];
  const exp = Number(exponent);
  if (exp < -4 || exp >= 6)
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return stringOf(n);
}

/** JSON of a string, number, bool as go-cty writes it (Go escapes <, >, & and U+2028/9); undefined for collections. */
function json(value: unknown): string | undefined {
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : undefined;
  if (typeof value !== 'string') return undefined;
  // Control characters Go and JavaScript may escape differently, and lone surrogates: unknown.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|\p{Cs}/u.test(value)) return undefined;
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const BASES: Record<string, number> = { d: 10, b: 2, o: 8, x: 16, X: 16 };

/** %d %b %o %x %X of an integer, as Go formats a big.Int: sign, then zeros or spaces to the width. */
function integer(verb: Verb, n: number | undefined): string | undefined {
  if (n === undefined || !Number.isSafeInteger(n) || verb.precision !== undefined || verb.flags.includes('#'))
    return undefined;
  let digits = Math.abs(n).toString(BASES[verb.letter]);
  if (verb.letter === 'X') digits = digits.toUpperCase();
  return signed(verb, n < 0 ? '-' : '', digits, true);
}

/**
 * %f of a number with the precision's decimals (6 by default), as Go formats a big.Float: rounded
 * to nearest. A value exactly half-way (2.675 to 2 places) is unknown: Terraform holds the number
 * in 512 bits, and which way its approximation of the decimal rounds is not known here.
 */
function fixed(verb: Verb, n: number | undefined): string | undefined {
  if (n === undefined || !Number.isFinite(n) || verb.flags.includes('#')) return undefined;
  const places = verb.precision ?? 6;
  const written = stringOf(Math.abs(n));
  // Beyond 15 digits a double's rounding may differ from the decimal's.
  if (written === undefined || places > 15 || Math.abs(n) * 10 ** places >= 1e15) return undefined;
  const fraction = written.split('.')[1] ?? '';
  if (fraction.length > places && /^50*$/.test(fraction.slice(places))) return undefined;
  const digits = Math.abs(n).toFixed(places);
  return signed(verb, Object.is(n, -0) || n < 0 ? '-' : '', digits, false);
}

/**
 * The sign (`-`, `+` with the flag, a space with ` `) and the width: Go's big.Int puts `-` first
 * (spaces on the right), then `0` (zeros after the sign); big.Float puts `0` first.
 */
function signed(verb: Verb, minus: string, digits: string, intLike: boolean): string {
  const sign = minus || (verb.flags.includes('+') ? '+' : verb.flags.includes(' ') ? ' ' : '');
  const missing = Math.max(0, (verb.width ?? 0) - sign.length - digits.length);
  const left = verb.flags.includes('-');
  const zero = verb.flags.includes('0');
  if (zero && !(intLike && left)) return sign + '0'.repeat(missing) + digits;
  if (left) return sign + digits + ' '.repeat(missing);
  return ' '.repeat(missing) + sign + digits;
}
