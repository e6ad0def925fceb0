/**
 * The two gates every strategy passes a new version through: its Deployments' rollouts complete
 * (kubectl rollout-status semantics, `../rollout.ts`) and its analyses pass. Each turns a miss into
 * a StrategyFailed carrying a reason a user can act on.
 */
import type { ObjectRef } from '@slipway/kube';
import type { AnalysisResult } from '../analysis/run.js';
import { DeadlineExceeded, LinkedSignal } from '../deadline.js';
import { diagnose, RolloutFailed, rolloutOptions, waitForRollouts } from '../rollout.js';
import { StrategyFailed, type Served, type StrategyRun } from './strategy.js';

/** Waits for the rollouts; a missed progress deadline or deploy timeout becomes StrategyFailed with the pods' reasons. */
export async function rolloutGate(
  run: StrategyRun,
  refs: ObjectRef[],
  wait: (signal: AbortSignal) => Promise<void> = (signal) =>
    waitForRollouts(run.ctx.cluster, refs, signal, rolloutOptions(run.app.deploy, run.ctx.clock)),
): Promise<void> {
  try {
    await wait(run.wait());
  } catch (err) {
    const why =
      err instanceof RolloutFailed
        ? err.message
        : err instanceof DeadlineExceeded
          ? `the rollout did not complete before ${err.message}`
          : undefined;
    if (why === undefined) throw err;
    // A failing pod already names itself; a deadline says nothing about the pods until asked.
    if (err instanceof RolloutFailed && err.podFailure) throw new StrategyFailed(why);
    const detail = (await Promise.all(refs.map((ref) => diagnose(run.ctx.cluster, ref).catch(() => ''))))
      .filter(Boolean)
      .join('; ');
    throw new StrategyFailed(detail ? `${why} (${detail})` : why);
  }
}

/** `errors failed (3 > 0), smoke successful (...)`: results as messages name them. */
function describe(list: AnalysisResult[]): string {
  return list.map((a) => `${a.name} ${a.phase} (${a.message})`).join(', ');
}

/**
 * Runs the named analyses as the `analyse` step (skipped, with the reason, when none apply). A
 * failed or error result fails the gate; an inconclusive one (no data, by default) pauses the
 * deploy until `slipway promote` (continue) or `slipway abort` (roll back) names this revision.
 */
export async function analysisGate(
  run: StrategyRun,
  names: string[],
  moment: string,
): Promise<AnalysisResult[]> {
  if (run.analysisSkipped || names.length === 0) {
    run.steps.skip('analyse', run.analysisSkipped ?? `no ${moment} analysis in deploy.analysis`);
    return [];
  }
  let results: AnalysisResult[] = [];
  await run.steps.run(
    'analyse',
    async () => {
      results = await run.analyse(names, run.wait());
      const bad = results.filter((a) => a.phase === 'failed' || a.phase === 'error');
      if (bad.length) throw new StrategyFailed(`${moment} analysis ${describe(bad)}`, results);
      const unsure = results.filter((a) => a.phase === 'inconclusive');
      if (unsure.length === 0) return;
      // Argo Rollouts pauses on an inconclusive run for a person to decide; so does Slipway, until
      // `slipway promote` / `slipway abort` or the deploy's timeout (which rolls back).
      const env = run.app.environment;
      run.ctx.emit({
        type: 'message',
        level: 'warn',
        text: `${moment} analysis ${describe(unsure)}: paused; \`slipway promote --env ${env}\` continues, \`slipway abort --env ${env}\` rolls back`,
        at: run.ctx.clock.now().toISOString(),
      });
      await run.promotion(run.wait());
    },
    `${moment}: ${names.join(', ')}`,
  );
  return results;
}

/**
 * Background analysis (Argo Rollouts' `analysis` beside a canary's steps), under every strategy:
 * the named analyses start with the strategy (before its first new pod) and run until `body` is
 * done; the first that fails or errs ends every wait of `body` at once with a StrategyFailed,
 * which the deploy turns into the strategy's revert (a rolling update undone mid-rollout, a
 * blue-green switched back, a canary withdrawn). An analysis with a count must finish its count
 * too; one without ends when `body` is done and is judged on what it measured.
 */
export async function withBackgroundAnalysis(
  outer: StrategyRun,
  names: string[],
  body: (run: StrategyRun) => Promise<Served>,
): Promise<Served> {
  const background = outer.analysisSkipped ? [] : names;
  if (background.length === 0) return body(outer);
  const stop = new AbortController();
  const failed = new AbortController();
  const watching = outer.analyse(background, outer.wait(), stop.signal).then((results) => {
    const bad = results.filter((a) => a.phase === 'failed' || a.phase === 'error');
    if (bad.length) failed.abort(new StrategyFailed(`background analysis ${describe(bad)}`, results));
    return results;
  });
  watching.catch(() => undefined);
  // A fresh signal per wait, as outer.wait() gives: one shared signal would collect a listener per wait.
  const waits: LinkedSignal[] = [];
  const run: StrategyRun = {
    ...outer,
    wait: () => {
      const linked = new LinkedSignal([outer.wait(), failed.signal]);
      waits.push(linked);
      return linked.signal;
    },
  };
  try {
    const served = await body(run).catch((err: unknown) => {
      // A wait the background failure ended says only "aborted": the failure is the reason.
      throw failed.signal.aborted ? failed.signal.reason : err;
    });
    stop.abort();
    const results = await watching;
    if (failed.signal.aborted) throw failed.signal.reason;
    const unsure = results.filter((a) => a.phase === 'inconclusive');
    if (unsure.length)
      outer.ctx.emit({
        type: 'message',
        level: 'warn',
        text: `background analysis ${describe(unsure)}`,
        at: outer.ctx.clock.now().toISOString(),
      });
    return { ...served, analysis: [...served.analysis, ...results] };
  } finally {
    stop.abort();
    for (const w of waits) w.dispose();
  }
}
