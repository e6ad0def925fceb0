/**
 * What `slipway` runs, over a catalogue of commands: all of them (./main.ts) or the offline ones
 * (./offline-main.ts, the entry of the bundled script bin/slipway runs for those).
 */

import { packageJson } from '../package.js';
import type { Command, CommanderError } from 'commander';
import { ClusterError } from '../cluster/cluster.js';
import { clusterProblem } from '../cluster/problem.js';
import { SandboxError } from '@slipway/sandbox/errors';
import { EXIT_BAD_INPUT, UserError } from '../errors.js';
import type { CommandContext } from './command.js';
import { commandsFor, type CommandEntry } from './commands/entries.js';
import type { Io } from './io.js';

/** The program with the commands of `catalogue` that `args` (the arguments after `slipway`) need; see commandsFor. */
export async function buildProgramOf(
  ctx: CommandContext,
  args: readonly string[],
  catalogue: readonly CommandEntry[],
): Promise<Command> {
  const { Command } = await import('commander');
  const program = new Command('slipway')
    .description('Describe an app once in slipway.yaml; render, check and deploy it to Kubernetes.')
    .version(packageJson().version, '-v, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) })
    .exitOverride();
  const registers = await Promise.all(commandsFor(args, catalogue).map((c) => c.load()));
  for (const register of registers) register(program, ctx);
  return program;
}

/** Runs the CLI and returns the exit code; never calls process.exit itself. */
export async function runCli(argv: string[], io: Io, catalogue: readonly CommandEntry[]): Promise<number> {
  let code = 0;
  const ctx: CommandContext = { io, argv, exit: (c) => void (code = c) };
  const args = argv.slice(2);
  // `slipway --version` answers before the argument parser loads (what commander would print).
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
    io.out(`${packageJson().version}\n`);
    return 0;
  }
  try {
    const program = await buildProgramOf(ctx, args, catalogue);
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    const { CommanderError } = await import('commander');
    return reportError(error, io, argv.includes('json'), CommanderError);
  }
}

function reportError(
  thrown: unknown,
  io: Io,
  json: boolean,
  CommanderErrorClass: typeof CommanderError,
): number {
  // An API server's refusal that got this far is the cluster needing attention (exit 3), not a bug.
  const error =
    thrown instanceof ClusterError
      ? clusterProblem(thrown)
      : thrown instanceof SandboxError
        ? new UserError(thrown.message, thrown)
        : thrown;
  if (error instanceof CommanderErrorClass) {
    // help and version exit through here with code 0
    return error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
  }
  if (error instanceof UserError) {
    if (json) io.out(JSON.stringify({ error: error.toJSON() }) + '\n');
    else io.err(`error: ${error.format()}\n`);
    return error.exitCode;
  }
  io.err(`slipway: internal error (this is a bug, please report it)\n`);
  io.err(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 70;
}
