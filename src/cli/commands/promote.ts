/** `slipway promote --env ENV`: lets a deploy paused at a canary pause step (or a blue-green awaiting promotion) continue. */
import type { Command } from 'commander';
import { requestControl, controlRef } from '../../engine/control.js';
import { findInterrupted } from '../../engine/interrupted.js';
import { interruptedMessage } from '../../engine/status.js';
import { EXIT_BAD_INPUT, EXIT_NEEDS_ATTENTION, UserError } from '../../errors.js';
import { parseOutput, type CommandContext, type RegisterCommand } from '../command.js';
import { engineContext, loadTarget, targetOptions, type TargetFlags } from '../engine-context.js';

export const registerPromote: RegisterCommand = (program: Command, ctx: CommandContext) => {
  targetOptions(
    program
      .command('promote')
      .summary('let a paused deploy continue')
      .description('let the running deploy of one environment continue past its pause'),
  ).action(async (flags: TargetFlags) => promote(flags, ctx));
};

/** Names the pending revision in the control ConfigMap, which the running deploy watches. */
async function promote(flags: TargetFlags, ctx: CommandContext): Promise<void> {
  const app = await loadTarget(flags);
  const engine = engineContext(flags, ctx.io, app.namespace);
  const latest = await engine.store.latest(app.app, app.environment);
  if (latest?.phase !== 'pending') {
    throw new UserError(
      `no deploy of ${app.app} to ${app.environment} is in progress${latest ? ` (revision ${latest.revision} is ${latest.phase})` : ''}`,
      {
        code: 'promote-nothing',
        exitCode: EXIT_BAD_INPUT,
        hint: 'start one with slipway deploy',
      },
    );
  }
  // A deploy whose deployer is gone waits for nobody: promoting it would do nothing.
  const found = await findInterrupted(engine, app);
  if (found && 'pending' in found) {
    throw new UserError(
      `no deploy of ${app.app} to ${app.environment} is running: ${interruptedMessage(found.pending, found.holder, app.environment)}`,
      { code: 'promote-interrupted', exitCode: EXIT_NEEDS_ATTENTION },
    );
  }
  await requestControl(
    engine.cluster,
    controlRef(app.namespace, app.app, app.environment),
    'promote',
    latest.revision,
    engine.holder,
    engine.clock.now(),
  );
  const text = `promote requested for ${app.app} revision ${latest.revision} in ${app.environment}; the running deploy acts on it`;
  ctx.io.out(
    parseOutput(flags.output) === 'json'
      ? `${JSON.stringify({ action: 'promote', app: app.app, environment: app.environment, revision: latest.revision })}\n`
      : `${text}\n`,
  );
}
