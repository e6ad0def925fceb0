/**
 * The names of the offline commands (./entries.ts loads them), apart from their loaders so that
 * bin/slipway's launcher (../launch.ts) can tell an offline command line without loading any.
 */
export const OFFLINE_COMMANDS = ['init', 'validate', 'schema', 'render'] as const;

export type OfflineCommand = (typeof OFFLINE_COMMANDS)[number];

/** The command a command line names: its first word that is not an option. */
export function commandNamed(args: readonly string[]): string | undefined {
  return args.find((a) => !a.startsWith('-'));
}

/** True when the command line names one of the offline commands. */
export function runsOffline(args: readonly string[]): boolean {
  const first = commandNamed(args);
  return OFFLINE_COMMANDS.some((name) => name === first);
}
