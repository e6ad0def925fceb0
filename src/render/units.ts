/** Conversions of the spec's human units into what the Kubernetes API takes. */
import { parseDuration } from '@slipway/kube';

export { durationSeconds } from '@slipway/kube';

/** True when the duration is not a whole number of seconds (rounded by durationSeconds). */
export function hasSubSecond(duration: string): boolean {
  return parseDuration(duration) % 1000 !== 0;
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
