import type { Command } from 'commander';
import type { Io } from './io.js';

/** What every command's action receives besides its own arguments. */
export interface CommandContext {
  io: Io;
  /** The command line as given (`node slipway deploy ...`): recorded on the deploy Lease so others see what holds it. */
  argv?: readonly string[];
  /** Set the process exit code; the last call wins. */
  exit(code: number): void;
}

/** One file per command under src/cli/commands; each exports a `register`. */
export type RegisterCommand = (program: Command, ctx: CommandContext) => void;

/** `--output json` is on every command; this reads it uniformly. */
export type OutputFormat = 'text' | 'json';

export function parseOutput(value: string | undefined): OutputFormat {
  return value === 'json' ? 'json' : 'text';
}
