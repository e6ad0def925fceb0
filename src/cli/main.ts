import type { Command } from 'commander';
import type { CommandContext } from './command.js';
import { commands } from './commands/index.js';
import { processIo, type Io } from './io.js';
import { buildProgramOf, runCli } from './run.js';

/** The program with the commands `args` (the arguments after `slipway`) need; see commandsFor. */
export async function buildProgram(ctx: CommandContext, args: readonly string[] = []): Promise<Command> {
  return buildProgramOf(ctx, args, commands);
}

/** Runs the CLI and returns the exit code; never calls process.exit itself. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  return runCli(argv, io, commands);
}
