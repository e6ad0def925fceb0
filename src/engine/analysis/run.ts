/**
 * An analysis run: take measurements with one provider at the spec's interval, and decide as
 * Argo Rollouts' AnalysisRun does (`analysis/analysis.go`, assessMetricStatus): the run fails as
 * soon as failures exceed failureLimit, is inconclusive once inconclusive measurements exceed
 * inconclusiveLimit, errs when consecutive provider errors exceed the error limit (Argo's default
 * 4), and succeeds when `count` measurements are taken without crossing a limit. Two deliberate
 * differences: when several limits are crossed the worst wins (failed, then error, then
 * inconclusive), and a run whose last measurement was an error never ends `successful`.
 * The result is plain data: the resolved query, every measurement, the decision and why.
 */
import type { Analysis } from '../../spec/schema.js';
import type { Clock } from '../clock.js';
import { LinkedSignal } from '../deadline.js';
import {
  ANALYSIS_CONSECUTIVE_ERROR_LIMIT,
  ANALYSIS_COUNT,
  ANALYSIS_FAILURE_LIMIT,
  ANALYSIS_INCONCLUSIVE_LIMIT,
  ANALYSIS_INTERVAL_SECONDS,
} from '../defaults.js';
import { parseDuration } from '../../spec/duration.js';
import type { AnalysisProvider, Measurement } from './provider.js';

export type AnalysisPhase = 'successful' | 'failed' | 'inconclusive' | 'error';

export interface AnalysisSettings {
  /** Measurements to take; undefined with an interval means until stopped (background analysis). */
  count?: number;
  /** Wait before the first measurement (Argo Rollouts' metric `initialDelay`). */
  initialDelayMs: number;
  intervalMs: number;
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
}

export interface AnalysisResult {
  name: string;
  provider: string;
  resolved: Record<string, unknown>;
  settings: AnalysisSettings;
  measurements: Measurement[];
  phase: AnalysisPhase;
  message: string;
}

export function settingsOf(spec: Analysis): AnalysisSettings {
  const bounded = spec.count !== undefined || spec.interval === undefined;
  return {
    count: bounded ? (spec.count ?? ANALYSIS_COUNT) : undefined,
    initialDelayMs: spec.initialDelay ? parseDuration(spec.initialDelay) : 0,
    intervalMs: spec.interval ? parseDuration(spec.interval) : ANALYSIS_INTERVAL_SECONDS * 1000,
    failureLimit: spec.failureLimit ?? ANALYSIS_FAILURE_LIMIT,
    inconclusiveLimit: spec.inconclusiveLimit ?? ANALYSIS_INCONCLUSIVE_LIMIT,
    consecutiveErrorLimit: ANALYSIS_CONSECUTIVE_ERROR_LIMIT,
  };
}

/** The decision over the measurements so far, or undefined while the run should go on. */
export function assess(
  measurements: Measurement[],
  s: AnalysisSettings,
  finished: boolean,
): { phase: AnalysisPhase; message: string } | undefined {
  const count = (phase: Measurement['phase']) => measurements.filter((m) => m.phase === phase).length;
  const failed = count('failed');
  const inconclusive = count('inconclusive');
  let consecutiveErrors = 0;
  for (let i = measurements.length - 1; i >= 0 && measurements[i]!.phase === 'error'; i--)
    consecutiveErrors++;
  if (failed > s.failureLimit)
    return { phase: 'failed', message: `failed (${failed}) > failureLimit (${s.failureLimit})` };
  if (consecutiveErrors > s.consecutiveErrorLimit)
    return {
      phase: 'error',
      message: `consecutive errors (${consecutiveErrors}) > limit (${s.consecutiveErrorLimit})`,
    };
  if (inconclusive > s.inconclusiveLimit)
    return {
      phase: 'inconclusive',
      message: `inconclusive (${inconclusive}) > inconclusiveLimit (${s.inconclusiveLimit})`,
    };
  const reachedCount = s.count !== undefined && measurements.length >= s.count;
  if (!reachedCount && !finished) return undefined;
  const last = measurements[measurements.length - 1];
  if (!last) return { phase: 'inconclusive', message: 'stopped before any measurement' };
  if (last.phase === 'error')
    return { phase: 'error', message: `the last measurement was an error: ${last.message}` };
  return {
    phase: 'successful',
    message: `${measurements.length} measurement(s), ${failed} failed, ${inconclusive} inconclusive, within limits`,
  };
}

export interface RunAnalysisInput {
  name: string;
  spec: Analysis;
  provider: AnalysisProvider;
  clock: Clock;
  /** Aborting cancels the run (the deploy was aborted): the promise rejects with the reason. */
  signal: AbortSignal;
  /** Ending a background run: assess what was measured and resolve. */
  stop?: AbortSignal;
  onMeasurement?: (m: Measurement, index: number) => void;
}

export async function runAnalysis(input: RunAnalysisInput): Promise<AnalysisResult> {
  const settings = settingsOf(input.spec);
  const measurements: Measurement[] = [];
  const result = (decision: { phase: AnalysisPhase; message: string }): AnalysisResult => ({
    name: input.name,
    provider: input.provider.kind,
    resolved: input.provider.resolved,
    settings,
    measurements,
    ...decision,
  });
  const sleep = async (ms: number) => {
    const wait = new LinkedSignal(input.stop ? [input.signal, input.stop] : [input.signal]);
    try {
      await input.clock.sleep(ms, wait.signal);
    } catch (err) {
      if (input.signal.aborted) throw err;
    } finally {
      wait.dispose();
    }
  };
  if (settings.initialDelayMs > 0) await sleep(settings.initialDelayMs);
  for (;;) {
    if (input.signal.aborted) throw input.signal.reason;
    if (input.stop?.aborted) return result(assess(measurements, settings, true)!);
    const m = await input.provider.measure(input.signal);
    measurements.push(m);
    input.onMeasurement?.(m, measurements.length - 1);
    const decision = assess(measurements, settings, false);
    if (decision) return result(decision);
    await sleep(settings.intervalMs);
  }
}
