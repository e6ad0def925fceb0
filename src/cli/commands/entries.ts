import type { RegisterCommand } from '../command.js';

/**
 * A command's name and how to load its module. Loading is deferred so that a run pays only for the
 * command it runs: `slipway validate` never loads the cluster client, the sandbox or the policy
 * catalog (test/cli/import-graph.test.ts holds that).
 */
export interface CommandEntry {
  name: string;
  load: () => Promise<RegisterCommand>;
}

/**
 * The commands that read and write local files only (no cluster, sandbox or policy catalog), the
 * edit-validate loop. The build also joins them, with the spec, the writers, zod, yaml and
 * commander, into one script with a V8 code cache (dist/cli/offline.cjs, scripts/bundle-offline.mjs)
 * that `bin/slipway` runs for them. In the order `slipway --help` lists them (./index.ts).
 */
export const offlineCommands: CommandEntry[] = [
  { name: 'init', load: async () => (await import('./init.js')).registerInit },
  { name: 'validate', load: async () => (await import('./validate.js')).registerValidate },
  { name: 'schema', load: async () => (await import('./schema.js')).registerSchema },
  { name: 'render', load: async () => (await import('./render.js')).registerRender },
];

/** The command a command line names: its first word that is not an option. */
export function commandNamed(args: readonly string[]): string | undefined {
  return args.find((a) => !a.startsWith('-'));
}

/** True when the command line names one of the offline commands. */
export function runsOffline(args: readonly string[]): boolean {
  const first = commandNamed(args);
  return offlineCommands.some((c) => c.name === first);
}

/**
 * The commands of `catalogue` a command line needs registered: the one it names, none for a bare
 * `--version`, and every one otherwise (`--help`, `help`, a typo that commander answers with a
 * suggestion, and `completion`, which writes its script from the whole tree).
 */
export function commandsFor(args: readonly string[], catalogue: readonly CommandEntry[]): CommandEntry[] {
  const first = commandNamed(args);
  const named = first === undefined ? undefined : catalogue.find((c) => c.name === first);
  // `completion` writes a script from the whole command tree.
  if (named) return named.name === 'completion' ? [...catalogue] : [named];
  const versionOnly =
    first === undefined &&
    args.some((a) => a === '-v' || a === '--version') &&
    !args.some((a) => a === '-h' || a === '--help');
  return versionOnly ? [] : [...catalogue];
}
