/** `slipway rollback --env ENV [--to REVISION]`: re-deploy an earlier release as a new revision. */
import type { Command } from 'commander';
import { summary } from '../progress/json.js';
import { describeResult } from '../progress/result.js';
import { rollback } from '../../engine/rollback.js';
import { UserError } from '../../errors.js';
import { parseOutput, type CommandContext, type RegisterCommand } from '../command.js';
import {
  lockingContext,
  loadTarget,
  parseTimeout,
  parseWaitForLock,
  targetOptions,
  type TargetFlags,
} from '../engine-context.js';

interface RollbackFlags extends TargetFlags {
  to?: string;
  timeout?: string;
  dryRun?: boolean;
  waitForLock?: string;
}

export const registerRollback: RegisterCommand = (program: Command, ctx: CommandContext) => {
  targetOptions(
    program
      .command('rollback')
      .summary('deploy an earlier release again')
      .description('deploy an earlier release again (default: the one before what serves now)'),
  )
    .option('--to <revision>', 'the revision to restore (see slipway history)')
    .option('--timeout <duration>', 'give up after this long, e.g. 5m')
    .option('--dry-run', 'print the plan and change nothing')
    .option(
      '--wait-for-lock <duration>',
      'if another deploy holds the lock, wait this long for it (e.g. 5m) instead of failing at once',
    )
    .action(async (flags: RollbackFlags) => {
      const to = flags.to === undefined ? undefined : Number(flags.to);
      if (to !== undefined && (!Number.isInteger(to) || to < 1))
        throw new UserError(`--to expects a revision number, got ${JSON.stringify(flags.to)}`, {
          code: 'rollback-revision',
          path: '--to',
          hint: 'see slipway history',
        });
      const json = parseOutput(flags.output) === 'json';
      const waitForLockMs = parseWaitForLock(flags.waitForLock);
      const app = await loadTarget(flags);
      const write = (t: string) => ctx.io.out(t);
      const engine = lockingContext(flags, ctx.io, app.namespace, ctx.argv, json);
      const result = await rollback(engine, {
        app: app.app,
        environment: app.environment,
        namespace: app.namespace,
        to,
        timeoutMs: parseTimeout(flags.timeout),
        dryRun: flags.dryRun,
        waitForLockMs,
      });
      if (result.interrupted && !json)
        write(
          `revision ${result.interrupted.aborted.revision} was interrupted; recorded aborted${result.interrupted.removed.length ? `; cleaned up: ${result.interrupted.removed.join(', ')}` : ''}\n`,
        );
      write(
        json
          ? `${JSON.stringify(summary(result, { rollbackOf: result.target, ...(result.interrupted ? { aborted: result.interrupted.aborted.revision, removed: result.interrupted.removed } : {}) }))}\n`
          : describeResult(result),
      );
      ctx.exit(result.exitCode);
    });
};
