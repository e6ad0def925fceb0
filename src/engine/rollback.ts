/**
 * `slipway rollback [--to N]`: decide, then act (Helm `pkg/action/rollback.go`: prepare picks the
 * target from history, perform deploys it). The target's recorded objects (releases/objects.ts,
 * not its spec rendered again), spec and overrides go out again
 * as a new revision that records `rollbackOf`, through the same deploy flow, so locking, records
 * and the way back on failure are the same. Analysis is skipped (the target already served), and
 * a canary target goes out rolling: the aim is to restore fast, not to test again. When blue-green
 * serves, the rollback is blue-green too: inside the scale-down delay the old colour is still warm,
 * so traffic moves back with one selector update.
 */
import { EXIT_BAD_INPUT, UserError } from '../errors.js';
import type { EngineContext } from './context.js';
import { deploy, type DeployResult } from './deploy.js';
import { findInterrupted, settleInterrupted, type Settled } from './interrupted.js';
import type { Release, Strategy } from './releases/release.js';
import { releaseObjects } from './releases/objects.js';

export interface RollbackRequest {
  app: string;
  environment: string;
  /** The revision to restore; default: the last successfully deployed one before what serves now. */
  to?: number;
  timeoutMs?: number;
  dryRun?: boolean;
  /** The app's namespace (default: the one the restored release recorded): where its deploy Lease lives. */
  namespace?: string;
  /** `--wait-for-lock`: queue behind a running deploy this long instead of failing at once. */
  waitForLockMs?: number;
  lockTtlSeconds?: number;
  /** The command settling an interrupted deploy, for its record (default `slipway rollback`). */
  by?: string;
}

export interface RollbackResult extends DeployResult {
  target: number;
  /** Set when the latest release was an interrupted deploy: it was recorded aborted first. */
  interrupted?: Settled;
}

/** The release to restore and the strategy to restore it with (pure over the history). */
export function rollbackTarget(
  releases: Release[],
  req: Pick<RollbackRequest, 'to' | 'environment'>,
): { target: Release; strategy: Strategy } {
  const serving = [...releases].reverse().find((r) => r.phase === 'deployed');
  const latest = releases[releases.length - 1];
  const unfinished = latest?.phase === 'pending' || latest?.phase === 'failed' ? latest : undefined;
  let target: Release | undefined;
  if (req.to !== undefined) {
    target = releases.find((r) => r.revision === req.to);
    if (!target)
      throw new UserError(`revision ${req.to} does not exist`, {
        code: 'rollback-revision',
        exitCode: EXIT_BAD_INPUT,
        path: '--to',
        hint: `revisions: ${releases.map((r) => r.revision).join(', ') || 'none'}; see \`slipway history --env ${req.environment}\``,
      });
    if (target.phase !== 'deployed' && target.phase !== 'superseded') {
      throw new UserError(`revision ${req.to} never served (it is ${target.phase})`, {
        code: 'rollback-revision',
        exitCode: EXIT_BAD_INPUT,
        path: '--to',
        hint: 'roll back to a revision whose phase is deployed or superseded',
      });
    }
  } else if (unfinished) {
    // The latest release never became the serving one (killed, or its way back failed): what served before it is what goes back.
    target = serving ?? [...releases].reverse().find((r) => r.phase === 'superseded');
    if (!target)
      throw new UserError(
        `revision ${unfinished.revision} (${unfinished.phase}) was the first release: nothing served before it`,
        {
          code: 'rollback-none',
          exitCode: EXIT_BAD_INPUT,
          hint: `fix it and run \`slipway deploy --env ${req.environment}\` again; \`slipway abort --env ${req.environment}\` records an interrupted one aborted`,
        },
      );
  } else {
    // A release still marked deployed below the serving one served too: a deploy killed between
    // recording itself deployed and superseding its predecessor leaves it so.
    target = [...releases]
      .reverse()
      .find(
        (r) =>
          (r.phase === 'superseded' || r.phase === 'deployed') && (!serving || r.revision < serving.revision),
      );
    if (!target)
      throw new UserError('there is no earlier release to roll back to', {
        code: 'rollback-none',
        exitCode: EXIT_BAD_INPUT,
        hint: `see \`slipway history --env ${req.environment}\`; use --to REVISION`,
      });
  }
  const strategy: Strategy = serving?.strategy === 'blue-green' ? 'blue-green' : 'rolling';
  return { target, strategy };
}

export async function rollback(ctx: EngineContext, req: RollbackRequest): Promise<RollbackResult> {
  const releases = await ctx.store.list(req.app, req.environment);
  if (releases.length === 0)
    throw new UserError(`${req.app} has no releases in ${req.environment}`, {
      code: 'rollback-none',
      exitCode: EXIT_BAD_INPUT,
      hint: 'deploy it first with slipway deploy',
    });
  const { target: restoring, strategy } = rollbackTarget(releases, req);
  // An interrupted deploy (its deployer gone) is settled first: lock taken over, record aborted, its canary and migration Job removed.
  const target = {
    app: req.app,
    environment: req.environment,
    namespace: req.namespace ?? restoring.spec.namespace,
  };
  const found = req.dryRun ? undefined : await findInterrupted(ctx, target);
  const settled =
    found && 'pending' in found
      ? await settleInterrupted(ctx, target, restoring, {
          by: req.by ?? '`slipway rollback`',
          waitForLockMs: req.waitForLockMs,
          lockTtlSeconds: req.lockTtlSeconds,
        })
      : undefined;
  // Exactly what the target applied, as its record kept it; an older record's spec is rendered again.
  const { objects, note } = releaseObjects(restoring);
  if (note) ctx.emit({ type: 'message', level: 'warn', text: note, at: ctx.clock.now().toISOString() });
  const result = await deploy(ctx, {
    app: restoring.spec,
    recorded: objects,
    overrides: restoring.overrides,
    strategy,
    timeoutMs: req.timeoutMs,
    dryRun: req.dryRun,
    skipAnalysis: true,
    rollbackOf: restoring.revision,
    waitForLockMs: req.waitForLockMs,
    lockTtlSeconds: req.lockTtlSeconds,
  });
  return { ...result, target: restoring.revision, ...(settled ? { interrupted: settled } : {}) };
}
