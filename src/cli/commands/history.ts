/** `slipway history --env ENV`: every recorded revision, oldest first (text table or JSON). */
import type { Command } from 'commander';
import { history, type HistoryEntry } from '../../engine/history.js';
import { parseOutput, structured, type CommandContext, type RegisterCommand } from '../command.js';
import { engineContext, loadTarget, targetOptions, type TargetFlags } from '../engine-context.js';

export const registerHistory: RegisterCommand = (program: Command, ctx: CommandContext) => {
  targetOptions(
    program
      .command('history')
      .summary('list the releases of one environment')
      .description('list the recorded releases of one environment, oldest first'),
    ['text', 'json', 'yaml'],
  ).action(async (flags: TargetFlags) => {
    const app = await loadTarget(flags);
    const entries = await history(engineContext(flags, ctx.io, app.namespace), app.app, app.environment);
    const format = parseOutput(flags.output);
    ctx.io.out(
      format === 'text'
        ? historyTable(entries)
        : structured(format, { app: app.app, environment: app.environment, releases: entries }),
    );
  });
};

export function historyTable(entries: HistoryEntry[]): string {
  if (entries.length === 0) return 'no releases\n';
  const rows = entries.map((e) => [
    String(e.revision),
    e.createdAt.replace(/\.\d+Z$/, 'Z'),
    e.phase,
    e.strategy,
    Object.entries(e.images)
      .map(([s, i]) => `${s}=${i}`)
      .join(' '),
    e.durationMs !== undefined ? `${(e.durationMs / 1000).toFixed(1)}s` : '',
    [
      e.rollbackOf !== undefined ? `rollback to ${e.rollbackOf}` : '',
      e.rotated ? `rotated ${e.rotated.join(', ')}` : '',
      e.message?.split('\n')[0] ?? '',
    ]
      .filter(Boolean)
      .join('; '),
  ]);
  const head = ['REVISION', 'CREATED', 'PHASE', 'STRATEGY', 'IMAGES', 'DURATION', 'DESCRIPTION'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return (
    [head, ...rows]
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
