/**
 * Running a set of analyses for a strategy gate: all at once, and the first one that does not pass
 * stops the others (Argo Rollouts terminates the remaining metrics of a failed run the same way),
 * so a rollback starts as soon as one verdict is in.
 */
import type { ResolvedApp } from '../../spec/resolved.js';
import type { AnalysisProvider } from '../analysis/provider.js';
import { runAnalysis, settingsOf, type AnalysisResult } from '../analysis/run.js';
import type { EngineContext } from '../context.js';
import { LinkedSignal } from '../deadline.js';

export async function runAnalyses(
  ctx: EngineContext,
  app: ResolvedApp,
  providers: Map<string, AnalysisProvider>,
  names: string[],
  signal: AbortSignal,
  stop?: AbortSignal,
): Promise<AnalysisResult[]> {
  const stopOthers = new AbortController();
  const runs = names.map(async (name): Promise<AnalysisResult> => {
    const provider = providers.get(name);
    const spec = app.deploy.analysis?.[name];
    if (!provider || !spec) throw new Error(`analysis ${name} has no provider`);
    const linked = new LinkedSignal([signal, stopOthers.signal]);
    try {
      const result = await runAnalysis({
        name,
        spec,
        provider,
        clock: ctx.clock,
        signal: linked.signal,
        ...(stop ? { stop } : {}),
        onMeasurement: (m, index) => ctx.emit({ type: 'measurement', analysis: name, index, measurement: m }),
      });
      if (result.phase !== 'successful') stopOthers.abort();
      return result;
    } catch (err) {
      if (!stopOthers.signal.aborted || signal.aborted) throw err;
      return {
        name,
        provider: provider.kind,
        resolved: provider.resolved,
        settings: settingsOf(spec),
        measurements: [],
        phase: 'inconclusive',
        message: 'stopped: another analysis did not pass',
      };
    } finally {
      linked.dispose();
    }
  });
  return Promise.all(runs);
}
