/**
 * One interface for every source of evidence about a release, as Argo Rollouts has one metric
 * provider interface (`metricproviders/provider.go`) with a package per provider. A provider
 * takes one measurement; the runner (`run.ts`) decides when to measure and what the measurements
 * add up to. Adding a provider means adding a file and one entry in `registry.ts`.
 */
import type { Cluster } from '../../cluster/cluster.js';
import type { Analysis } from '../../spec/schema.js';
import type { Clock } from '../clock.js';

/** Argo's measurement phases, lower-cased; `error` means the provider could not measure. */
export type MeasurementPhase = 'successful' | 'failed' | 'inconclusive' | 'error';

export interface Measurement {
  phase: MeasurementPhase;
  /** The measured value(s): a number for a query or a latency, the HTTP status, a Job's outcome. */
  value?: number | number[] | string;
  startedAt: string;
  finishedAt: string;
  /** Why the phase is what it is, in words (`0.052 > max 0.01`, `query returned no data`). */
  message: string;
}

export interface AnalysisEnv {
  cluster: Cluster;
  clock: Clock;
  namespace: string;
  /** Default Prometheus base URL when a spec entry names no address (`--prometheus-url`). */
  prometheusAddress?: string;
  /** The spec's `deploy.prometheus`: used when neither the entry nor `--prometheus-url` names one. */
  prometheus?: { address?: string; service?: string };
  /** Substituted for `{{name}}` in queries, URLs and commands (service, namespace, revision, colour). */
  vars: Record<string, string>;
  /** Injectable for tests that need a custom dispatcher; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface AnalysisProvider {
  readonly kind: string;
  /** What will be measured, fully resolved, for the plan and the output (`{ query, address }`). */
  readonly resolved: Record<string, unknown>;
  measure(signal: AbortSignal): Promise<Measurement>;
}

export interface ProviderFactory {
  readonly kind: string;
  /** True when this spec entry asks for this provider (`prometheus:` set, ...). */
  matches(spec: Analysis): boolean;
  /** Throws a UserError naming `analysis.<name>` when the entry cannot be measured as written. */
  create(name: string, spec: Analysis, env: AnalysisEnv): AnalysisProvider;
}

/** The success condition: the spec's top-level max/min, or its successCondition block. */
export interface Condition {
  max?: number;
  min?: number;
}

export function conditionOf(spec: Analysis): Condition {
  return { max: spec.successCondition?.max ?? spec.max, min: spec.successCondition?.min ?? spec.min };
}

export function describeCondition(c: Condition): string {
  return [c.min !== undefined ? `>= ${c.min}` : undefined, c.max !== undefined ? `<= ${c.max}` : undefined]
    .filter(Boolean)
    .join(' and ');
}

/** Why a value misses the condition, or undefined when it meets it. */
export function violation(value: number, c: Condition): string | undefined {
  if (c.max !== undefined && value > c.max) return `${value} > max ${c.max}`;
  if (c.min !== undefined && value < c.min) return `${value} < min ${c.min}`;
  return undefined;
}
