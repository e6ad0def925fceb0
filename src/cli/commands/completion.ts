/** `slipway completion bash|zsh|fish`: a completion script generated from the command tree. */
import { Argument, type Command } from 'commander';
import { completionScript, SHELLS, type Shell } from '../completion.js';
import type { CommandContext, RegisterCommand } from '../command.js';

export const registerCompletion: RegisterCommand = (program: Command, ctx: CommandContext) => {
  program
    .command('completion')
    .summary('print a shell completion script')
    .description(
      'print a completion script for bash, zsh or fish: source <(slipway completion bash), or slipway completion fish | source',
    )
    .addArgument(new Argument('<shell>', SHELLS.join(', ')).choices(SHELLS))
    .action((shell: Shell) => ctx.io.out(completionScript(shell, program)));
};
