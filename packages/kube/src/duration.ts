/**
 * Durations in Go's time.ParseDuration syntax, which Kubernetes objects, Argo Rollouts and
 * Slipway's spec all use: a sequence of decimal numbers with units, `300ms`, `1.5s`, `2h45m`.
 * Units: ns, us (µs), ms, s, m, h. A sign is accepted; `0` alone is the only unitless value.
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

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

/** Milliseconds, or undefined when `text` is not a duration. */
export function tryParseDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest.length > 0) {
    const m = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return sign * total;
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
