import { Option, type Command } from 'commander';
import { stringify } from '#yaml';
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

/** `--output json` is on every command, `yaml` where a table is printed, `sarif` where findings are; this reads it uniformly. */
export type OutputFormat = 'text' | 'json' | 'yaml' | 'sarif';

/** text, json or yaml (a command offering sarif handles it before). */
export function parseOutput(value: string | undefined): 'text' | 'json' | 'yaml' {
  return value === 'json' || value === 'yaml' ? value : 'text';
}

/**
 * `-o, --output <format>` accepting only `formats`: anything else (`-o xml`) is refused by commander
 * before the command runs, exit 2, naming the allowed values; shell completion offers them.
 */
export function outputOption(
  formats: readonly OutputFormat[] = ['text', 'json'],
  fallback: OutputFormat | undefined = 'text',
  description = formats.join(', '),
): Option {
  const option = new Option('-o, --output <format>', description).choices(formats);
  return fallback ? option.default(fallback) : option;
}

/** Data as `--output json` or `--output yaml` prints it. */
export function structured(format: 'json' | 'yaml', data: unknown): string {
  return format === 'yaml' ? stringify(data) : `${JSON.stringify(data, null, 2)}\n`;
}
