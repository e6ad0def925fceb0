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

/** Every command, in the order `slipway --help` lists them. Adding a command means adding a line here. */
export const commands: CommandEntry[] = [
  { name: 'demo', load: async () => (await import('./demo.js')).registerDemo },
  { name: 'init', load: async () => (await import('./init.js')).registerInit },
  { name: 'validate', load: async () => (await import('./validate.js')).registerValidate },
  { name: 'schema', load: async () => (await import('./schema.js')).registerSchema },
  { name: 'render', load: async () => (await import('./render.js')).registerRender },
  { name: 'check', load: async () => (await import('./check.js')).registerCheck },
  { name: 'policy', load: async () => (await import('./policy.js')).registerPolicy },
  { name: 'sandbox', load: async () => (await import('./sandbox.js')).registerSandbox },
  { name: 'deploy', load: async () => (await import('./deploy.js')).registerDeploy },
  { name: 'status', load: async () => (await import('./status.js')).registerStatus },
  { name: 'history', load: async () => (await import('./history.js')).registerHistory },
  { name: 'metrics', load: async () => (await import('./metrics.js')).registerMetrics },
  { name: 'dashboard', load: async () => (await import('./dashboard.js')).registerDashboard },
  { name: 'rollback', load: async () => (await import('./rollback.js')).registerRollback },
  { name: 'promote', load: async () => (await import('./promote.js')).registerPromote },
  { name: 'abort', load: async () => (await import('./abort.js')).registerAbort },
  { name: 'secrets', load: async () => (await import('./secrets.js')).registerSecrets },
  { name: 'diff', load: async () => (await import('./diff.js')).registerDiff },
  { name: 'drift', load: async () => (await import('./drift.js')).registerDrift },
  { name: 'backup', load: async () => (await import('./backup.js')).registerBackup },
  { name: 'release', load: async () => (await import('./release.js')).registerRelease },
  { name: 'completion', load: async () => (await import('./completion.js')).registerCompletion },
];

/**
 * The commands a command line needs registered: the one it names, none for a bare `--version`, and
 * every one otherwise (`--help`, `help`, a typo that commander answers with a suggestion, and
 * `completion`, which writes its script from the whole tree).
 */
export function commandsFor(args: readonly string[]): CommandEntry[] {
  const first = args.find((a) => !a.startsWith('-'));
  const named = first === undefined ? undefined : commands.find((c) => c.name === first);
  // `completion` writes a script from the whole command tree.
  if (named) return named.name === 'completion' ? commands : [named];
  const versionOnly =
    first === undefined &&
    args.some((a) => a === '-v' || a === '--version') &&
    !args.some((a) => a === '-h' || a === '--help');
  return versionOnly ? [] : commands;
}
