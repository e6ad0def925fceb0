/**
 * Resource quantities (k8s.io/apimachinery/pkg/api/resource): `500m`, `1.5Gi`, `2e3`.
 *
 * Canonical form, as k8s.io/apimachinery/pkg/api/resource/quantity.go
 * writes them back: `1000m` -> `1`, `0.5` -> `500m`, `1024Mi` -> `1Gi`. Template equality (new
 * ReplicaSet detection, `rollout undo`) and `kubectl diff` depend on the stored form being canonical.
 */
const BINARY: [string, bigint][] = [
  ['Ei', 1n << 60n],
  ['Pi', 1n << 50n],
  ['Ti', 1n << 40n],
  ['Gi', 1n << 30n],
  ['Mi', 1n << 20n],
  ['Ki', 1n << 10n],
];
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIX: [string, number][] = Object.entries(DECIMAL).sort((a, b) => b[1] - a[1]);
const NANO = 1_000_000_000n;

/**
 * Returns the canonical text, or the input unchanged when it is not a quantity. As apimachinery:
 * the value is kept to nanounits, a finer remainder rounding away from zero (`.000000000001Ki` ->
 * `2n`); the format of the suffix is kept (binary `Ki`..`Ei`, decimal `n`..`E`, or an `e`
 * exponent), except that a binary quantity below 1024 or not a whole number prints in decimal; and
 * the number is the smallest integer with a suffix that states the value exactly (`1000M` -> `1G`,
 * `1080m` stays, `.001e12` -> `1e9`, `2000` stays `2000` when written `1.953125Ki`).
 */
export function canonicalQuantity(input: string | number): string | number {
  const text = String(input).trim();
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/.exec(text);
  if (!m || (!m[2] && !m[3])) return input;
  const negative = m[1] === '-';
  const fraction = m[3] ?? '';
  const suffix = m[4] ?? '';
  // The magnitude is digits / 10^fraction.length, times the suffix's factor.
  let numerator = BigInt((m[2] || '0') + fraction) * NANO;
  let denominator = 10n ** BigInt(fraction.length);
  const binary = BINARY.find(([s]) => s === suffix);
  const exponent = /^[eE]/.test(suffix) ? Number(suffix.slice(1)) : (DECIMAL[suffix] ?? 0);
  if (binary) numerator *= binary[1];
  else if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
  else denominator *= 10n ** BigInt(-exponent);
  const magnitude = (numerator + denominator - 1n) / denominator; // nanounits, rounded up
  if (magnitude === 0n) return '0';
  const sign = negative ? '-' : '';
  if (binary && magnitude >= 1024n * NANO && magnitude % NANO === 0n) {
    const whole = magnitude / NANO;
    const [s, factor] = BINARY.find(([, f]) => whole % f === 0n) ?? ['', 1n];
    return `${sign}${whole / factor}${s}`;
  }
  return sign + formatDecimal(magnitude, /^[eE]/.test(suffix));
}

/** Nanounits as the smallest integer times a power of 1000: an SI suffix, or an `e` exponent. */
function formatDecimal(nanos: bigint, exponentForm: boolean): string {
  if (exponentForm) {
    // No largest suffix here: 10^21 prints `1e21`.
    let exp = -9;
    while (nanos % 10n ** BigInt(exp + 12) === 0n) exp += 3;
    return `${nanos / 10n ** BigInt(exp + 9)}${exp === 0 ? '' : `e${exp}`}`;
  }
  const [s, exp] = DECIMAL_SUFFIX.find(([, e]) => nanos % 10n ** BigInt(e + 9) === 0n)!; // `n` always fits
  return `${nanos / 10n ** BigInt(exp + 9)}${s}`;
}

/** A quantity's value as a number (`500m` → 0.5, `1Gi` → 1073741824), or undefined when it is not one. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(
    value.trim(),
  );
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  const binary = BINARY.find(([s]) => s === m[3]);
  return binary ? base * Number(binary[1]) : base * 10 ** (DECIMAL[m[3] ?? ''] ?? 0);
}
