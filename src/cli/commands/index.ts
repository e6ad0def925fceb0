import { offlineCommands, type CommandEntry } from './entries.js';

export type { CommandEntry } from './entries.js';

/** Every command, in the order `slipway --help` lists them. Adding a command means adding a line here. */
export const commands: CommandEntry[] = [
  { name: 'demo', load: async () => (await import('./demo.js')).registerDemo },
  ...offlineCommands, // init, validate, schema, render, check
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
