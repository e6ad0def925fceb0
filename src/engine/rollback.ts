/**
 * `slipway rollback [--to N]`: decide, then act (Helm `pkg/action/rollback.go`: prepare picks the
 * target from history, perform deploys it). The target's recorded spec and overrides go out again
 * as a new revision that records `rollbackOf`, through the same deploy flow, so locking, records
 * and the way back on failure are the same. Analysis is skipped (the target already served), and
 * a canary target goes out rolling: the aim is to restore fast, not to test again. When blue-green
 * serves, the rollback is blue-green too: inside the scale-down delay the old colour is still warm,
 * so traffic moves back with one selector update.
 */
import { EXIT_BAD_INPUT, UserError } from '../errors.js';
import type { EngineContext } from './context.js';
import { deploy, type DeployResult } from './deploy.js';
import type { Release, Strategy } from './releases/release.js';

export interface RollbackRequest {
  app: string;
  environment: string;
  /** The revision to restore; default: the last successfully deployed one before what serves now. */
  to?: number;
  timeoutMs?: number;
  dryRun?: boolean;
}

/** The release to restore and the strategy to restore it with (pure over the history). */
export function rollbackTarget(
  releases: Release[],
  req: Pick<RollbackRequest, 'to' | 'environment'>,
): { target: Release; strategy: Strategy } {
  const serving = [...releases].reverse().find((r) => r.phase === 'deployed');
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
  } else {
    target = [...releases]
      .reverse()
      .find((r) => r.phase === 'superseded' && (!serving || r.revision < serving.revision));
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

export async function rollback(
  ctx: EngineContext,
  req: RollbackRequest,
): Promise<DeployResult & { target: number }> {
  const releases = await ctx.store.list(req.app, req.environment);
  if (releases.length === 0)
    throw new UserError(`${req.app} has no releases in ${req.environment}`, {
      code: 'rollback-none',
      exitCode: EXIT_BAD_INPUT,
      hint: 'deploy it first with slipway deploy',
    });
  const { target, strategy } = rollbackTarget(releases, req);
  const result = await deploy(ctx, {
    app: target.spec,
    overrides: target.overrides,
    strategy,
    timeoutMs: req.timeoutMs,
    dryRun: req.dryRun,
    skipAnalysis: true,
    rollbackOf: target.revision,
  });
  return { ...result, target: target.revision };
}
