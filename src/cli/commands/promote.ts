/** `slipway promote --env ENV`: lets a deploy paused at a canary pause step (or a blue-green awaiting promotion) continue. */
import type { Command } from 'commander';
import { requestControl, controlRef } from '../../engine/control.js';
import { EXIT_BAD_INPUT, UserError } from '../../errors.js';
import { parseOutput, type CommandContext, type RegisterCommand } from '../command.js';
import { engineContext, loadTarget, targetOptions, type TargetFlags } from '../engine-context.js';

export const registerPromote: RegisterCommand = (program: Command, ctx: CommandContext) => {
  targetOptions(
    program
      .command('promote')
      .summary('let a paused deploy continue')
      .description('let the running deploy of one environment continue past its pause'),
  ).action(async (flags: TargetFlags) => controlCommand('promote', flags, ctx));
};

/** Shared by promote and abort: both name the pending revision in the control ConfigMap. */
export async function controlCommand(
  action: 'promote' | 'abort',
  flags: TargetFlags,
  ctx: CommandContext,
): Promise<void> {
  const app = await loadTarget(flags);
  const engine = engineContext(flags, ctx.io, app.namespace);
  const latest = await engine.store.latest(app.app, app.environment);
  if (latest?.phase !== 'pending') {
    throw new UserError(
      `no deploy of ${app.app} to ${app.environment} is in progress${latest ? ` (revision ${latest.revision} is ${latest.phase})` : ''}`,
      {
        code: `${action}-nothing`,
        exitCode: EXIT_BAD_INPUT,
        hint:
          action === 'abort'
            ? `to undo a finished release run \`slipway rollback --env ${app.environment}\``
            : 'start one with slipway deploy',
      },
    );
  }
  await requestControl(
    engine.cluster,
    controlRef(app.namespace, app.app, app.environment),
    action,
    latest.revision,
    engine.holder,
    engine.clock.now(),
  );
  const text = `${action} requested for ${app.app} revision ${latest.revision} in ${app.environment}; the running deploy acts on it`;
  ctx.io.out(
    parseOutput(flags.output) === 'json'
      ? `${JSON.stringify({ action, app: app.app, environment: app.environment, revision: latest.revision })}\n`
      : `${text}\n`,
  );
}
