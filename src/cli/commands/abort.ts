/** `slipway abort --env ENV`: the running deploy puts the previous release back and exits 1. */
import type { Command } from 'commander';
import type { CommandContext, RegisterCommand } from '../command.js';
import { targetOptions, type TargetFlags } from '../engine-context.js';
import { controlCommand } from './promote.js';

export const registerAbort: RegisterCommand = (program: Command, ctx: CommandContext) => {
  targetOptions(
    program
      .command('abort')
      .summary('stop a running deploy and roll back')
      .description('stop the running deploy of one environment and put the previous release back'),
  ).action(async (flags: TargetFlags) => controlCommand('abort', flags, ctx));
};
