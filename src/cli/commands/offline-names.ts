/**
 * The names of the offline commands (./entries.ts loads them), apart from their loaders so that
 * bin/slipway's launcher (../launch.ts) can tell an offline command line without loading any.
 */
export const OFFLINE_COMMANDS = ['init', 'validate', 'schema', 'render', 'check'] as const;

export type OfflineCommand = (typeof OFFLINE_COMMANDS)[number];

/**
 * The options of the program itself (../run.ts), the only ones commander reads before a command;
 * test/cli/offline-names.test.ts holds this list to the program's.
 */
export const PROGRAM_FLAGS = { version: ['-v', '--version'], help: ['-h', '--help'] } as const;

/** The command a command line names: its first word that is not an option. */
export function commandNamed(args: readonly string[]): string | undefined {
  return args.find((a) => !a.startsWith('-'));
}

/**
 * True when the command line starts with an option. commander then never runs the command it
 * names: an option before the command is the program's own, and the program has none but
 * --version and --help, so from an option it does not know on it takes every word as unknown.
 * `slipway -f x validate` and `slipway --output json render` end at "unknown option", whatever
 * commands are registered; `slipway --help validate` prints the program's help.
 */
export function leadsWithOption(args: readonly string[]): boolean {
  const first = args[0];
  return first !== undefined && first.startsWith('-') && first !== '--';
}

/**
 * True when commander answers the command line with the program's help, which lists every command:
 * it starts with an option and holds a help flag, and no version flag comes first (commander reads
 * `-v`, or `-v` leading a group such as `-vh`, wherever it is before a `--`, and prints the version).
 */
export function asksProgramHelp(args: readonly string[]): boolean {
  if (!leadsWithOption(args)) return false;
  const literal = args.indexOf('--');
  const options = literal < 0 ? args : args.slice(0, literal);
  const [short, long] = PROGRAM_FLAGS.version;
  if (options.some((a) => a === long || a.startsWith(short))) return false;
  return args.some((a) => (PROGRAM_FLAGS.help as readonly string[]).includes(a));
}

/**
 * True when the bundled offline script answers the command line as dist/'s modules would: it names
 * one of the offline commands, or it starts with an option and commander answers it without any
 * command (an unknown option or the version), but not the program's help, which lists every command.
 */
export function runsOffline(args: readonly string[]): boolean {
  if (leadsWithOption(args)) return !asksProgramHelp(args);
  const first = commandNamed(args);
  return OFFLINE_COMMANDS.some((name) => name === first);
}
