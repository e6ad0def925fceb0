/** `slipway drift --env ENV [--fix [--prune]]`: does the cluster still hold the current release? Exit 0 in sync, 1 drift, 2 error. */
import type { Command } from 'commander';
import { driftCount, type ChangedField, type DriftReport } from '../../drift/check.js';
import { checkDrift } from '../../drift/check.js';
import { fixDrift, type FixResult } from '../../drift/fix.js';
import { parseOutput, structured, type CommandContext, type RegisterCommand } from '../command.js';
import { engineContext, loadEnvironment, targetOptions, type TargetFlags } from '../engine-context.js';

interface DriftFlags extends TargetFlags {
  fix?: boolean;
  prune?: boolean;
}

export const registerDrift: RegisterCommand = (program: Command, ctx: CommandContext) => {
  targetOptions(
    program
      .command('drift')
      .summary('compare the cluster with the current release')
      .description(
        "compare the live objects with what the environment's current release applied: changed fields (with the manager that changed them), missing objects and orphans; exit 0 in sync, 1 drift found, 2 error",
      )
      .option(
        '--fix',
        "apply the release's objects again and remove fields other managers added, then check again",
      )
      .option('--prune', 'with --fix: delete orphans too'),
  ).action(async (flags: DriftFlags) => {
    const { app, files } = await loadEnvironment(flags, 'drift');
    const engine = engineContext(flags, ctx.io, app.namespace);
    const report = await checkDrift(engine, app, files);
    const fixed =
      flags.fix && driftCount(report)
        ? await fixDrift(engine, app, report, { prune: !!flags.prune, files })
        : undefined;
    const final = fixed?.after ?? report;
    const format = parseOutput(flags.output);
    ctx.io.out(
      format === 'text'
        ? describeDrift(report) + (fixed ? describeFix(fixed) : '')
        : structured(format, fixed ? { ...report, fix: { ...fixed } } : report),
    );
    ctx.exit(driftCount(final) ? 1 : 0);
  });
};

const value = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));

function fieldLine(f: ChangedField): string {
  const who = f.managers.length ? f.managers.join(', ') : 'unknown manager';
  return f.change === 'added'
    ? `  + ${f.path}: added by ${who}: ${value(f.live)}`
    : `  ~ ${f.path}: live ${value(f.live)}, released ${value(f.released)} (set by ${who})`;
}

export function describeDrift(r: DriftReport): string {
  const n = r.changed.length + r.missing.length + r.orphans.length;
  const lines = [
    n
      ? `${r.app} in ${r.environment} drifted from revision ${r.revision}: ${r.changed.length} field(s) changed, ${r.missing.length} object(s) missing, ${r.orphans.length} orphan(s); ${r.checked} object(s) checked`
      : `${r.app} in ${r.environment} matches revision ${r.revision}: ${r.checked} object(s) checked`,
  ];
  const objects = [...new Set(r.changed.map((f) => `${f.kind} ${f.namespace ?? ''}/${f.name}`))];
  for (const o of objects) {
    lines.push(`~ ${o}`);
    for (const f of r.changed.filter((c) => `${c.kind} ${c.namespace ?? ''}/${c.name}` === o))
      lines.push(fieldLine(f));
  }
  for (const m of r.missing) lines.push(`- ${m.kind} ${m.namespace ?? ''}/${m.name}: missing`);
  for (const o of r.orphans)
    lines.push(
      `? ${o.kind} ${o.namespace ?? ''}/${o.name}: orphan, no release applied it (managers: ${o.managers.join(', ') || 'none'})`,
    );
  for (const note of r.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}

function describeFix(f: FixResult): string {
  return `fixed: ${f.applied} object(s) applied again, ${f.removed} field(s) removed, ${f.pruned} orphan(s) deleted\n${describeDrift(f.after)}`;
}
