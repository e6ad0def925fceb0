/**
 * `slipway backup run|list|restore|drill --env ENV [DEPENDENCY]`: the backups `backups:` describes,
 * run as Jobs in the cluster (src/backup). `drill` exits 1 when a restore fails, a verification
 * fails or a target (`rto`, `rpo`) is missed.
 */
import type { Command } from 'commander';
import {
  drill,
  listBackups,
  restoreBackup,
  runBackups,
  type BackupEnv,
  type BackupManifest,
  type DrillResult,
} from '../../backup/backup.js';
import { UserError } from '../../errors.js';
import { formatDuration } from '../../spec/duration.js';
import { parseOutput, structured, type CommandContext, type RegisterCommand } from '../command.js';
import {
  engineContext,
  loadEnvironment,
  parseTimeout,
  targetOptions,
  type TargetFlags,
} from '../engine-context.js';

interface BackupFlags extends TargetFlags {
  timeout?: string;
}

interface RestoreFlags extends BackupFlags {
  backup?: string;
  toNamespace?: string;
  yes?: boolean;
}

const DEFAULT_TIMEOUT_MS = 30 * 60_000;

function withTarget(cmd: Command): Command {
  return targetOptions(cmd).option(
    '--timeout <duration>',
    'how long each backup Job (and a drill copy getting ready) may take',
    '30m',
  );
}

async function backupEnv(flags: BackupFlags, ctx: CommandContext): Promise<BackupEnv> {
  const { app, files } = await loadEnvironment(flags, 'backup');
  return {
    ctx: engineContext(flags, ctx.io, app.namespace),
    app,
    files,
    timeoutMs: parseTimeout(flags.timeout) ?? DEFAULT_TIMEOUT_MS,
  };
}

const bytes = (n: number) =>
  n >= 1 << 30
    ? `${(n / (1 << 30)).toFixed(1)} GiB`
    : n >= 1 << 20
      ? `${(n / (1 << 20)).toFixed(1)} MiB`
      : n >= 1 << 10
        ? `${(n / (1 << 10)).toFixed(1)} KiB`
        : `${n} B`;

const size = (m: BackupManifest) => m.files.reduce((sum, f) => sum + f.size, 0);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export const registerBackup: RegisterCommand = (program: Command, ctx: CommandContext) => {
  const backup = program
    .command('backup')
    .summary('back up, list, restore and drill backups')
    .description(
      'back up the dependencies that backups: names, list the backups, restore one, or drill a restore into a scratch namespace measuring RTO and RPO; everything runs as Jobs in the cluster',
    );

  withTarget(
    backup
      .command('run')
      .summary('back up now (a Job from the CronJob)')
      .argument('[dependency]', 'one dependency (default: every one with backups)'),
  ).action(async (dependency: string | undefined, flags: BackupFlags) => {
    const env = await backupEnv(flags, ctx);
    const runs = await runBackups(env, dependency);
    const format = parseOutput(flags.output);
    ctx.io.out(
      format === 'text'
        ? runs
            .map(
              (r) =>
                `${r.dependency}: backup ${r.backup.id}, ${bytes(size(r.backup))} in ${formatDuration(r.durationMs)} (${r.backup.tool})` +
                `\n  in ${r.location}` +
                r.backup.files.map((f) => `\n  ${f.name}  ${bytes(f.size)}  sha256:${f.sha256}`).join('') +
                (r.deleted.length
                  ? `\n  retention (keep ${env.app.backups[r.dependency]?.keep}): deleted ${r.deleted.join(', ')}`
                  : ''),
            )
            .join('\n') + '\n'
        : structured(format, { app: env.app.app, environment: env.app.environment, backups: runs }),
    );
  });

  withTarget(
    backup
      .command('list')
      .summary('list the backups kept')
      .argument('[dependency]', 'one dependency (default: every one with backups)'),
  ).action(async (dependency: string | undefined, flags: BackupFlags) => {
    const env = await backupEnv(flags, ctx);
    const lists = await listBackups(env, dependency);
    const format = parseOutput(flags.output);
    if (format !== 'text') {
      ctx.io.out(
        structured(format, { app: env.app.app, environment: env.app.environment, dependencies: lists }),
      );
      return;
    }
    const now = env.ctx.clock.now().getTime();
    const rows = [['DEPENDENCY', 'BACKUP', 'STARTED', 'AGE', 'SIZE', 'TOOL']];
    for (const l of lists)
      for (const m of [...l.backups].reverse())
        rows.push([
          l.dependency,
          m.id,
          m.started,
          formatDuration(Math.max(0, now - Date.parse(m.started))),
          bytes(size(m)),
          m.tool,
        ]);
    ctx.io.out(rows.length > 1 ? table(rows) : 'no backups yet\n');
  });

  withTarget(
    backup
      .command('restore')
      .summary('restore a backup in place or into a copy in another namespace')
      .argument('<dependency>', 'the dependency to restore')
      .option('--backup <id>', 'the backup to restore (default: the newest; see backup list)')
      .option(
        '--to-namespace <namespace>',
        'restore into a copy of the dependency in this namespace, leaving the live one alone',
      )
      .option('--yes', 'confirm an in-place restore: the live data is replaced by the backup'),
  ).action(async (dependency: string, flags: RestoreFlags) => {
    if (flags.toNamespace === undefined && !flags.yes)
      throw new UserError(`an in-place restore replaces the live data of ${dependency}`, {
        code: 'backup/confirm',
        path: '--yes',
        hint: 'add --yes to restore in place, or --to-namespace NS to restore into a copy',
      });
    const env = await backupEnv(flags, ctx);
    const r = await restoreBackup(env, dependency, {
      backupId: flags.backup,
      toNamespace: flags.toNamespace,
    });
    const format = parseOutput(flags.output);
    ctx.io.out(
      format === 'text'
        ? `${r.dependency}: restored backup ${r.backup.id} (${r.backup.started}) ${r.into === 'in place' ? 'in place' : `into ${r.into}`} in ${formatDuration(Date.parse(r.verifiedAt) - Date.parse(r.startedAt))}, verified\n${verificationLines(r.verification)}`
        : structured(format, r),
    );
  });

  withTarget(
    backup
      .command('drill')
      .summary('restore the newest backup into a scratch namespace, verify it, measure RTO and RPO')
      .description(
        'restore the newest backup of each dependency into a scratch namespace, verify it (rows and checksums, keys, integrity_check, the spec verify command), measure RTO (restore started → verified) and RPO (age of the backup) against backups.<dep>.rto and rpo, delete the scratch namespace and record the result on the current release; exit 1 when a restore or a target fails',
      )
      .argument('[dependency]', 'one dependency (default: every one with backups)'),
  ).action(async (dependency: string | undefined, flags: BackupFlags) => {
    const env = await backupEnv(flags, ctx);
    const { results, recordedOn } = await drill(env, dependency);
    const format = parseOutput(flags.output);
    ctx.io.out(
      format === 'text'
        ? results.map(describeDrill).join('') +
            (recordedOn !== undefined
              ? `recorded on revision ${recordedOn}\n`
              : `not recorded: ${env.app.environment} has no deployed release\n`)
        : structured(format, {
            app: env.app.app,
            environment: env.app.environment,
            drills: results,
            recordedOn,
          }),
    );
    ctx.exit(results.every((r) => r.result === 'passed') ? 0 : 1);
  });
};

function verificationLines(lines: Array<Record<string, unknown>>): string {
  return lines
    .map((v) =>
      'table' in v
        ? `  ${String(v.table)}: ${String(v.rows)} rows${v.checksum !== undefined ? `, checksum ${String(v.checksum)}` : ''}`
        : `  ${Object.entries(v)
            .map(([k, x]) => `${k} ${String(x)}`)
            .join(', ')}`,
    )
    .map((l) => `${l}\n`)
    .join('');
}

export function describeDrill(r: DrillResult): string {
  const head = `${r.dependency}: drill ${r.result.toUpperCase()}`;
  if (r.result === 'failed') return `${head}: ${r.message ?? ''}\n`;
  const rto = r.rtoMs !== undefined ? formatDuration(r.rtoMs) : 'n/a';
  const rpo = r.rpoMs !== undefined ? formatDuration(r.rpoMs) : 'n/a';
  return (
    `${head}: backup ${r.backup} restored into ${r.namespace}\n` +
    `  RTO ${rto}${r.rtoTarget ? ` (target ${r.rtoTarget})` : ''}, RPO ${rpo}${r.rpoTarget ? ` (target ${r.rpoTarget})` : ''}\n` +
    verificationLines(r.verification ?? []) +
    (r.message ? `  ${r.message}\n` : '')
  );
}
