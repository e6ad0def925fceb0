/**
 * `slipway abort`: stop the deploy of one environment and put the previous release back. A deploy
 * that is running (its Lease held by a live holder) is asked through the control ConfigMap and
 * runs its own way back (`control.ts`). A deploy whose deployer is gone can't be asked: abort
 * finishes it itself, as `slipway rollback` would (`interrupted.ts` settles the pending release,
 * then the serving release is re-deployed through rollback's flow).
 */
import { EXIT_BAD_INPUT, EXIT_NEEDS_ATTENTION, UserError } from '../errors.js';
import type { EngineContext } from './context.js';
import { controlRef, requestControl } from './control.js';
import { findInterrupted, settleInterrupted, type Settled } from './interrupted.js';
import type { LockHolder } from './lock-holder.js';
import { rollback, type RollbackResult } from './rollback.js';

export interface AbortRequest {
  app: string;
  environment: string;
  namespace: string;
  timeoutMs?: number;
  waitForLockMs?: number;
}

export type AbortResult =
  /** A live deploy was asked to stop; it rolls back and exits 1 itself. */
  | { outcome: 'requested'; revision: number; holder: LockHolder; exitCode: number }
  /** An interrupted deploy was recorded aborted and the serving release deployed again. */
  | { outcome: 'restored'; revision: number; restore: RollbackResult; exitCode: number }
  /** An interrupted first release: recorded aborted, nothing served before it to put back. */
  | { outcome: 'nothing-to-restore'; revision: number; settled?: Settled; exitCode: number; message: string };

export async function abortDeploy(ctx: EngineContext, req: AbortRequest): Promise<AbortResult> {
  const latest = await ctx.store.latest(req.app, req.environment);
  if (latest?.phase !== 'pending') {
    throw new UserError(
      `no deploy of ${req.app} to ${req.environment} is in progress${latest ? ` (revision ${latest.revision} is ${latest.phase})` : ''}`,
      {
        code: 'abort-nothing',
        exitCode: EXIT_BAD_INPUT,
        hint: `to undo a finished release run \`slipway rollback --env ${req.environment}\``,
      },
    );
  }
  const found = await findInterrupted(ctx, req);
  if (found && 'running' in found) {
    await requestControl(
      ctx.cluster,
      controlRef(req.namespace, req.app, req.environment),
      'abort',
      latest.revision,
      ctx.holder,
      ctx.clock.now(),
    );
    return { outcome: 'requested', revision: latest.revision, holder: found.running, exitCode: 0 };
  }
  const serving = await ctx.store.deployed(req.app, req.environment);
  if (!serving) {
    const settled = await settleInterrupted(ctx, req, undefined, {
      by: '`slipway abort`',
      waitForLockMs: req.waitForLockMs,
    });
    const message = `revision ${latest.revision} was the first release: it is recorded aborted and nothing served before it, so nothing was put back; its objects are left as they are. Fix it and run \`slipway deploy --env ${req.environment}\` again.`;
    return {
      outcome: 'nothing-to-restore',
      revision: latest.revision,
      ...(settled ? { settled } : {}),
      exitCode: EXIT_NEEDS_ATTENTION,
      message,
    };
  }
  const restore = await rollback(ctx, {
    app: req.app,
    environment: req.environment,
    namespace: req.namespace,
    timeoutMs: req.timeoutMs,
    waitForLockMs: req.waitForLockMs,
    by: '`slipway abort`',
  });
  return { outcome: 'restored', revision: latest.revision, restore, exitCode: restore.exitCode };
}
