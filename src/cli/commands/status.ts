/** `slipway status --env ENV`: what serves now, the latest release, the lock, each Deployment's readiness. */
import type { Command } from 'commander';
import { status, type AppStatus } from '../../engine/status.js';
import { parseOutput, structured, type CommandContext, type RegisterCommand } from '../command.js';
import { engineContext, loadEnvironment, targetOptions, type TargetFlags } from '../engine-context.js';

export const registerStatus: RegisterCommand = (program: Command, ctx: CommandContext) => {
  targetOptions(
    program
      .command('status')
      .summary('show what serves in one environment')
      .description(
        'show the serving release, the latest one, the deploy lock and the Deployments of one environment',
      ),
    ['text', 'json', 'yaml'],
  ).action(async (flags: TargetFlags) => {
    const { app, files } = await loadEnvironment(flags, 'status');
    const s = await status(engineContext(flags, ctx.io, app.namespace), app, { files });
    const format = parseOutput(flags.output);
    ctx.io.out(format === 'text' ? describeStatus(s) : structured(format, s));
    // Something left needing attention is the documented exit code 3, so scripts can tell.
    if (s.attention.length) ctx.exit(3);
  });
};

function describeStatus(s: AppStatus): string {
  const lines = [`${s.app} in ${s.environment} (namespace ${s.namespace})`];
  const d = s.deployed;
  lines.push(
    d
      ? `serving: revision ${d.revision} (${d.strategy}) ${Object.entries(d.images)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}, deployed ${d.updatedAt}`
      : 'serving: no deployed release',
  );
  if (s.latest && s.latest.revision !== d?.revision)
    lines.push(
      `latest:  revision ${s.latest.revision} ${s.latest.phase}${s.latest.message ? `: ${s.latest.message.split('\n')[0]}` : ''}`,
    );
  if (Object.keys(s.activeColours).length)
    lines.push(
      `active colour: ${Object.entries(s.activeColours)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
    );
  if (s.lock && !s.lock.gone)
    lines.push(
      `deploy in progress: ${s.lock.holder}${s.lock.command ? `, \`${s.lock.command}\`` : ''} (lock renewed ${s.lock.renewTime ?? '?'})`,
    );
  if (s.lock?.gone)
    lines.push(
      `deploy lock: left by ${s.lock.holder}, ${s.lock.gone === 'process-gone' ? 'whose process is gone' : `whose lease expired at ${s.lock.expiresAt ?? '?'}`}; the next deploy, rollback or abort takes it over`,
    );
  for (const w of s.deployments)
    lines.push(
      `  ${w.complete ? '✓' : '…'} Deployment ${w.name}: ${w.ready}/${w.replicas} ready, ${w.updated} updated${w.image ? `, ${w.image}` : ''}`,
    );
  // Each line names what needs attention first (`interrupted:`, `failed:`) and ends with the command that resolves it.
  lines.push(...s.attention);
  return `${lines.join('\n')}\n`;
}
