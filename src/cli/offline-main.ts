/**
 * The entry of dist/cli/offline.cjs (scripts/bundle-offline.mjs): the CLI with the offline commands
 * only (commands/entries.ts). `bin/slipway` runs it for a command line that names one of them
 * (./launch.ts); it behaves as ./main.ts does for those, and holds nothing else.
 */
import { offlineCommands } from './commands/entries.js';
import { processIo, type Io } from './io.js';
import { runCli } from './run.js';

/** Runs an offline command and returns the exit code, as ./main.ts would. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  return runCli(argv, io, offlineCommands);
}
