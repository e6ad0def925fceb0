/** Conversions of the spec's human units into what the Kubernetes API takes. */

const DURATION_PART = /(\d+)(ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `1h30m` -> 5400. Sub-second remainders round up (a probe timeout never shrinks). */
export function durationSeconds(duration: string): number {
  let ms = 0;
  for (const m of duration.matchAll(DURATION_PART)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000);
  return Math.ceil(ms / 1000);
}

/** True when the duration is not a whole number of seconds (rounded by durationSeconds). */
export function hasSubSecond(duration: string): boolean {
  let ms = 0;
  for (const m of duration.matchAll(DURATION_PART)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000);
  return ms % 1000 !== 0;
}

/** A CPU amount (0.5, 2 or "500m", "1.5") in millicores. */
export function cpuMillis(cpu: number | string): number {
  if (typeof cpu === 'number') return Math.round(cpu * 1000);
  if (cpu.endsWith('m')) return Number(cpu.slice(0, -1));
  return Math.round(Number(cpu) * 1000);
}

/** Millicores as the API server would print them: whole cores as integers, else `NNNm`. */
export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** A spec CPU value as a Kubernetes quantity string. */
export function cpuQuantity(cpu: number | string): string {
  return typeof cpu === 'number' ? formatCpu(cpuMillis(cpu)) : cpu;
}
