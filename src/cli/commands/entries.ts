import type { RegisterCommand } from '../command.js';
import { asksProgramHelp, commandNamed, OFFLINE_COMMANDS, type OfflineCommand } from './offline-names.js';

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
 * The commands that read and write local files only (no cluster or sandbox), the edit-validate-check
 * loop (`check` may run helm or kustomize for a chart). The build also joins them, with the spec,
 * the writers, the policy rules, zod, yaml and
 * commander, into one script with a V8 code cache (dist/cli/offline.cjs, scripts/bundle-offline.mjs)
 * that `bin/slipway` runs for them. In the order `slipway --help` lists them (./index.ts).
 */
const offlineLoaders: Record<OfflineCommand, CommandEntry['load']> = {
  init: async () => (await import('./init.js')).registerInit,
  validate: async () => (await import('./validate.js')).registerValidate,
  schema: async () => (await import('./schema.js')).registerSchema,
  render: async () => (await import('./render.js')).registerRender,
  check: async () => (await import('./check.js')).registerCheck,
};
export const offlineCommands: CommandEntry[] = OFFLINE_COMMANDS.map((name) => ({
  name,
  load: offlineLoaders[name],
}));

/**
 * The commands of `catalogue` a command line needs registered: the one it names, none for a bare
 * `--version`, and every one otherwise (`--help`, `help`, a typo that commander answers with a
 * suggestion, and `completion`, which writes its script from the whole tree). A help flag after an
 * option that comes before the command (`slipway --help validate`) prints the program's help too.
 */
export function commandsFor(args: readonly string[], catalogue: readonly CommandEntry[]): CommandEntry[] {
  if (asksProgramHelp(args)) return [...catalogue];
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
