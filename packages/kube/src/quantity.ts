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

/** Returns the canonical text, or the input unchanged when it is not a quantity. */
export function canonicalQuantity(input: string | number): string | number {
  const text = String(input).trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/.exec(text);
  if (!m || (!m[2] && !m[3])) return input;
  const sign = m[1] === '-' ? -1n : 1n;
  const whole = m[2] || '0';
  const frac = (m[3] ?? '').slice(0, 9).padEnd(9, '0');
  let nanos = (BigInt(whole) * NANO + BigInt(frac)) * sign;
  const suffix = m[4] ?? '';
  const binary = BINARY.find(([s]) => s === suffix);
  if (binary) {
    nanos *= binary[1];
    for (const [s, factor] of BINARY)
      if (nanos % (factor * NANO) === 0n) return `${nanos / (factor * NANO)}${s}`;
    return formatDecimal(nanos);
  }
  const exp =
    suffix.startsWith('e') || suffix.startsWith('E') ? Number(suffix.slice(1)) : (DECIMAL[suffix] ?? 0);
  nanos = exp >= 0 ? nanos * 10n ** BigInt(exp) : nanos / 10n ** BigInt(-exp);
  return formatDecimal(nanos);
}

function formatDecimal(nanos: bigint): string {
  if (nanos === 0n) return '0';
  for (const [s, exp] of DECIMAL_SUFFIX) {
    const unit = exp + 9 >= 0 ? 10n ** BigInt(exp + 9) : 1n;
    if (nanos % unit === 0n) return `${nanos / unit}${s}`;
  }
  return `${nanos}n`;
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
