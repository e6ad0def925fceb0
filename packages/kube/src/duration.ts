/**
 * Durations in Go's time.ParseDuration syntax, which Kubernetes objects, Argo Rollouts and
 * Slipway's spec all use: a sequence of decimal numbers with units, `300ms`, `1.5s`, `2h45m`.
 * Units: ns, us (µs), ms, s, m, h. A sign is accepted; `0` alone is the only unitless value.
 */
export class DurationError extends Error {
  constructor(readonly text: string) {
    super(`"${text}" is not a duration such as 30s, 5m or 1h30m`);
    this.name = 'DurationError';
  }
}

/** Milliseconds; throws DurationError for anything Go's parser refuses. */
export function parseDuration(text: string): number {
  const ms = tryParseDuration(text);
  if (ms === undefined) throw new DurationError(text);
  return ms;
}

/** Nanoseconds per unit, as Go's time package names them. */
const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5
  μs: 1_000n, // U+03BC
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
// A time.Duration is an int64 of nanoseconds: the magnitude may reach 2^63 only when negative.
const MAX_NS = 1n << 63n;
const INT64_MAX = MAX_NS - 1n;

/**
 * Milliseconds, or undefined when `text` is not a duration. Follows time.ParseDuration: the sum
 * is counted in whole nanoseconds (a fraction finer than 1ns is dropped) and must fit an int64
 * nanosecond count, so `2562047h47m16.854775807s` is the longest duration and one more is refused.
 */
export function tryParseDuration(text: string): number | undefined {
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0n;
  while (rest.length > 0) {
    const m = /^([0-9]*)(?:\.([0-9]*))?([^0-9.]*)/.exec(rest)!;
    const [all, whole = '', fraction, unitName = ''] = m;
    if (whole === '' && !fraction) return undefined; // no digits: `.s`, `-.s`
    const unit = UNIT_NS[unitName];
    if (unit === undefined) return undefined; // missing or unknown unit
    let ns = BigInt(whole) * unit;
    if (fraction) {
      // As Go: the fraction's leading digits while they fit an int64, scaled in float64, truncated.
      let f = 0n;
      let scale = 1;
      for (const d of fraction) {
        if (f > INT64_MAX / 10n) break;
        const next = f * 10n + BigInt(d);
        if (next > MAX_NS) break;
        f = next;
        scale *= 10;
      }
      ns += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
    }
    total += ns;
    if (total > MAX_NS) return undefined;
    rest = rest.slice(all.length);
  }
  if (!negative && total === MAX_NS) return undefined;
  if (total === 0n) return 0;
  const ms = Number(total) / 1e6;
  return negative ? -ms : ms;
}

/** Whole seconds, sub-second remainders rounded up (a probe timeout never shrinks). */
export function durationSeconds(text: string): number {
  return Math.ceil(parseDuration(text) / 1000);
}

/** The inverse for messages: 120000 → `2m`, 90000 → `1m30s`, 1500 → `1.5s`, 250 → `250ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms % 1000 !== 0 || ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
