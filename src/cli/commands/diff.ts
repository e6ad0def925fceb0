/** `slipway diff --env ENV`: what a deploy would create, change and delete (server-side dry run). */
import type { Command } from 'commander';
import { diff, type DiffResult } from '../../engine/diff.js';
import { parseOutput, structured, type CommandContext, type RegisterCommand } from '../command.js';
import { openDeploySecrets, withCredentialVersions, withSecretChecksums } from '../deploy-secrets.js';
import { engineContext, loadEnvironment, targetOptions, type TargetFlags } from '../engine-context.js';

export const registerDiff: RegisterCommand = (program: Command, ctx: CommandContext) => {
  targetOptions(
    program
      .command('diff')
      .summary('show what a deploy would change')
      .description('show what a deploy of one environment would create, change and delete'),
    ['text', 'json', 'yaml'],
  ).action(async (flags: TargetFlags) => {
    const { app: target, files } = await loadEnvironment(flags, 'diff');
    // The pod templates a deploy would apply carry the secrets' checksum: open them the same way.
    const opened = withSecretChecksums(target, await openDeploySecrets(target, flags.file, ctx.io));
    const engine = engineContext(flags, ctx.io, opened.namespace);
    const app = await withCredentialVersions(opened, engine.cluster);
    const result = await diff(engine, app, files);
    const format = parseOutput(flags.output);
    ctx.io.out(
      format === 'text'
        ? describeDiff(result)
        : structured(format, {
            app: app.app,
            environment: app.environment,
            revision: result.plan.revision,
            strategy: result.plan.strategy,
            changes: result.changes,
            unchanged: result.unchanged,
          }),
    );
    // Like `kubectl diff`: exit 1 when there are differences, so scripts can branch on it.
    ctx.exit(result.changes.length ? 1 : 0);
  });
};

function describeDiff(r: DiffResult): string {
  const lines = [
    `revision ${r.plan.revision} (${r.plan.strategy}) would change ${r.changes.length} object(s); ${r.unchanged} unchanged`,
  ];
  for (const c of r.changes) {
    const mark = { create: '+', update: '~', delete: '-' }[c.action];
    lines.push(
      `${mark} ${c.object}${c.fields ? `: ${c.fields.slice(0, 8).join(', ')}${c.fields.length > 8 ? `, … (${c.fields.length - 8} more)` : ''}` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
