/**
 * What a deploy that failed does next, as the rest of the engine works: decide, then act.
 *   classifyFailure  which failures Slipway answers by putting the previous release back (a strategy
 *                    or migration that failed, a roll-out that did not converge, the deadline, an API
 *                    refusal that outlived its retries, `slipway abort`), and which it does not (the
 *                    lock lost to another deployer: put nothing back; a bug: let it surface);
 *   decideRecovery   pure: revert to the previous release, or, with none, record the failure;
 *   recover          acts on the decision: the revert runs as the `switch` step within its own budget
 *                    (the deploy's may be what ran out), then the release is recorded.
 */
import { isClusterError } from '../cluster/cluster.js';
import { EXIT_FAILED, EXIT_NEEDS_ATTENTION } from '../errors.js';
import { formatDuration } from '../spec/duration.js';
import type { AnalysisResult } from './analysis/run.js';
import { AbortRequested } from './control.js';
import { ROLLBACK_TIMEOUT_SECONDS } from './defaults.js';
import { Budget, DeadlineExceeded } from './deadline.js';
import { MigrationFailed } from './migrate.js';
import type { Release } from './releases/release.js';
import type { DeployResult } from './result.js';
import { RolloutFailed } from './rollout.js';
import { StrategyFailed, type DeployStrategy, type StrategyRun } from './strategies/index.js';

export interface Failure {
  reason: string;
  /** How the release is recorded when the previous one is back. */
  phase: 'rolled-back' | 'aborted';
  analysis: AnalysisResult[];
}

export type Recovery =
  | { action: 'revert'; failure: Failure; to: Release }
  /** The first release failed: nothing to go back to. */
  | { action: 'record-failed'; failure: Failure };

/** `undefined`: not a failure Slipway recovers from (the caller lets it surface). */
export function classifyFailure(
  err: unknown,
  abort: AbortSignal,
  lockLost: AbortSignal,
): Failure | undefined {
  const analysis = err instanceof StrategyFailed ? err.analysis : [];
  // With the lock lost another deploy may be acting: put nothing back, report it.
  if (lockLost.aborted) return undefined;
  if (err instanceof AbortRequested || abort.reason === err)
    return {
      reason: (abort.reason as Error | undefined)?.message ?? (err as Error).message,
      phase: 'aborted',
      analysis,
    };
  if (err instanceof StrategyFailed || err instanceof MigrationFailed || err instanceof RolloutFailed)
    return { reason: err.message, phase: 'rolled-back', analysis };
  // An API refusal that outlived the client's retries (a flaky or overloaded API server, an object
  // the server rejects): the previous release is put back rather than left half-applied and pending.
  if (isClusterError(err))
    return {
      reason: `the API server refused a write or read: ${err.message}`,
      phase: 'rolled-back',
      analysis,
    };
  if (err instanceof DeadlineExceeded)
    return {
      reason: `the deploy did not finish within its timeout of ${formatDuration(err.ms)} (--timeout or deploy.timeout)`,
      phase: 'rolled-back',
      analysis,
    };
  return undefined;
}

export function decideRecovery(failure: Failure, previous: Release | undefined): Recovery {
  return previous ? { action: 'revert', failure, to: previous } : { action: 'record-failed', failure };
}

export interface RecoveryContext {
  run: StrategyRun;
  strategy: DeployStrategy;
  lockLost: AbortSignal;
  /** Records the release in its final phase (with the step timings so far). */
  record: (phase: Release['phase'], extra: Partial<Release>) => Promise<Release>;
}

export async function recover(r: RecoveryContext, decision: Recovery): Promise<DeployResult> {
  const { run } = r;
  const { reason, phase, analysis } = decision.failure;
  const environment = run.app.environment;
  // Nothing serves as it should and nothing was put back: recorded failed, exit 3, and what to do.
  const needsAttention = async (recorded: string, message: string): Promise<DeployResult> => ({
    outcome: 'failed',
    exitCode: EXIT_NEEDS_ATTENTION,
    plan: run.plan,
    release: await r.record('failed', { message: recorded, analysis }),
    analysis,
    message,
  });
  if (decision.action === 'record-failed')
    return needsAttention(
      `${reason}; no previous release to roll back to`,
      `${reason}. This was the first release, so nothing was rolled back: fix it and run slipway deploy again.`,
    );
  const to = decision.to.revision;
  // The way back has its own budget: the deploy's may be what ran out.
  const budget = new Budget(run.ctx.clock, ROLLBACK_TIMEOUT_SECONDS * 1000, 'the rollback budget', [
    r.lockLost,
  ]);
  let failed: string | undefined;
  try {
    await run.steps.run(
      'switch',
      () => r.strategy.revert({ ...run, wait: () => budget.signal }),
      `roll back to revision ${to}`,
    );
  } catch (err) {
    failed = (err as Error).message;
  } finally {
    budget.dispose();
  }
  if (failed !== undefined)
    return needsAttention(
      `${reason}; the rollback to revision ${to} failed: ${failed}`,
      `${reason}, and rolling back to revision ${to} failed: ${failed}. Run \`slipway rollback --env ${environment} --to ${to}\` once the cluster is healthy.`,
    );
  const release = await r.record(phase, { message: reason, analysis });
  run.ctx.checkpoint?.(`recorded:${phase}`);
  return {
    outcome: phase,
    exitCode: EXIT_FAILED,
    plan: run.plan,
    release,
    analysis,
    message: `${reason}; rolled back to revision ${to}`,
  };
}
