/**
 * `slipway abort --env ENV`: a running deploy is asked to put the previous release back (it exits
 * 1); a deploy whose deployer is gone is finished here: its lock taken over, its release recorded
 * aborted, the serving release deployed again (exit 0). The work is `src/engine/abort.ts`.
 */
import type { Command } from 'commander';
import { abortDeploy, type AbortResult } from '../../engine/abort.js';
import { summary } from '../progress/json.js';
import { describeResult } from '../progress/result.js';
import { parseOutput, type CommandContext, type RegisterCommand } from '../command.js';
import {
  lockingContext,
  loadTarget,
  parseTimeout,
  parseWaitForLock,
  targetOptions,
  type TargetFlags,
} from '../engine-context.js';

interface AbortFlags extends TargetFlags {
  timeout?: string;
  waitForLock?: string;
}

export const registerAbort: RegisterCommand = (program: Command, ctx: CommandContext) => {
  targetOptions(
    program
      .command('abort')
      .summary('stop a deploy and roll back')
      .description(
        'stop the deploy of one environment and put the previous release back; a deploy whose deployer died is finished here',
      ),
  )
    .option(
      '--timeout <duration>',
      'for an interrupted deploy: give up putting the previous release back after this long, e.g. 5m',
    )
    .option(
      '--wait-for-lock <duration>',
      'for an interrupted deploy: if another command holds the lock, wait this long for it, e.g. 5m',
    )
    .action(async (flags: AbortFlags) => {
      const json = parseOutput(flags.output) === 'json';
      const waitForLockMs = parseWaitForLock(flags.waitForLock);
      const app = await loadTarget(flags);
      const write = (t: string) => ctx.io.out(t);
      const engine = lockingContext(flags, ctx.io, app.namespace, ctx.argv, json);
      const result = await abortDeploy(engine, {
        app: app.app,
        environment: app.environment,
        namespace: app.namespace,
        timeoutMs: parseTimeout(flags.timeout),
        waitForLockMs,
      });
      write(
        json
          ? `${JSON.stringify(abortSummary(result, app.app, app.environment))}\n`
          : describeAbort(result, app.app, app.environment),
      );
      ctx.exit(result.exitCode);
    });
};

function describeAbort(r: AbortResult, app: string, environment: string): string {
  if (r.outcome === 'requested')
    return `abort requested for ${app} revision ${r.revision} in ${environment}; the running deploy (${r.holder.identity}) puts the previous release back\n`;
  if (r.outcome === 'nothing-to-restore')
    return `aborted ${app} revision ${r.revision} in ${environment}: ${r.message}\n`;
  const lines = [
    `aborted ${app} revision ${r.revision} in ${environment} (its deploy was interrupted)${r.restore.interrupted?.removed.length ? `; cleaned up: ${r.restore.interrupted.removed.join(', ')}` : ''}`,
  ];
  lines.push(describeResult(r.restore).trimEnd());
  if (r.exitCode === 0)
    lines.push(`revision ${r.restore.target} serves again (as revision ${r.restore.release?.revision})`);
  return `${lines.join('\n')}\n`;
}

function abortSummary(r: AbortResult, app: string, environment: string): Record<string, unknown> {
  const base = {
    type: 'abort',
    app,
    environment,
    revision: r.revision,
    outcome: r.outcome,
    exitCode: r.exitCode,
  };
  if (r.outcome === 'requested') return { ...base, holder: r.holder.identity };
  if (r.outcome === 'nothing-to-restore') return { ...base, message: r.message };
  return {
    ...base,
    restored: r.restore.target,
    removed: r.restore.interrupted?.removed ?? [],
    restore: summary(r.restore, { rollbackOf: r.restore.target }),
  };
}
