/**
 * `slipway drift --env ENV [--fix [--prune]] [--watch [--metrics-address A]] [--output text|json|sarif]`:
 * does the cluster still hold the current release? Exit 0 in sync, 1 drift, 2 error; `--watch`
 * runs until interrupted and reports each change of the result.
 */
import type { Command } from 'commander';
import { driftCount, type ChangedField, type DriftReport } from '../../drift/check.js';
import { checkDrift } from '../../drift/check.js';
import { fixDrift, type FixResult } from '../../drift/fix.js';
import { parseOutput, structured, type CommandContext, type RegisterCommand } from '../command.js';
import { driftExposition } from '../../drift/metrics.js';
import { DRIFT_RULES, driftFindings } from '../../drift/sarif.js';
import { watchDrift, watchedTypes } from '../../drift/watch.js';
import type { EngineContext } from '../../engine/context.js';
import { UserError } from '../../errors.js';
import { parseAddress, startMetricsServer } from '../../metrics/serve.js';
import { packageJson } from '../../package.js';
import { formatSarif } from '../../policy/report/sarif.js';
import { specPlacer } from '../../policy/sources/spec-origins.js';
import { renderApp } from '../../render/index.js';
import { resolveEnvironment } from '../../spec/resolve.js';
import type { ResolvedApp } from '../../spec/resolved.js';
import { untilInterrupted } from '../io.js';
import { loadSpec } from '../load-spec.js';
import { sourceRoot } from '../source-root.js';
import { engineContext, loadEnvironment, targetOptions, type TargetFlags } from '../engine-context.js';

interface DriftFlags extends TargetFlags {
  fix?: boolean;
  prune?: boolean;
  watch?: boolean;
  metricsAddress?: string;
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
      .option('--prune', 'with --fix: delete orphans too')
      .option(
        '--watch',
        'keep watching and report every change of the result (no polling), until interrupted',
      )
      .option(
        '--metrics-address <host:port>',
        'with --watch: serve slipway_drift_objects and slipway_drift_last_check_timestamp_seconds for Prometheus',
      ),
    ['text', 'json', 'sarif'],
  ).action(async (flags: DriftFlags) => {
    const { app, files } = await loadEnvironment(flags, 'drift');
    const engine = engineContext(flags, ctx.io, app.namespace);
    if (flags.metricsAddress !== undefined && !flags.watch)
      throw new UserError('--metrics-address serves the figures of a running --watch', {
        code: 'drift-metrics-address',
        path: '--metrics-address',
        hint: 'add --watch',
      });
    if (flags.watch) {
      if (flags.fix || flags.output === 'sarif')
        throw new UserError(
          `--watch reports as it goes; ${flags.fix ? '--fix' : '--output sarif'} needs a single check`,
          {
            code: 'drift-watch-flags',
            path: '--watch',
            hint: 'run slipway drift once without --watch for that',
          },
        );
      return watch(flags, ctx, app, engine, files);
    }
    if (flags.output === 'sarif') {
      const report = await checkDrift(engine, app, files);
      ctx.io.out(await sarif(flags, ctx, report, files));
      ctx.exit(driftCount(report) ? 1 : 0);
      return;
    }
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

async function sarif(
  flags: DriftFlags,
  ctx: CommandContext,
  report: DriftReport,
  files: Record<string, string>,
): Promise<string> {
  const spec = await loadSpec(flags.file);
  const app = resolveEnvironment(spec, flags.env, flags.file);
  const origins = renderApp(app, { files }).origins;
  const findings = driftFindings(report, flags.file, origins, specPlacer(spec, flags.env, flags.file));
  return formatSarif(findings, DRIFT_RULES, {
    version: packageJson().version,
    fullName: 'Slipway drift',
    srcRoot: sourceRoot(ctx.io.cwd),
    cwd: ctx.io.cwd,
  });
}

async function watch(
  flags: DriftFlags,
  ctx: CommandContext,
  app: ResolvedApp,
  engine: EngineContext,
  files: Record<string, string>,
): Promise<void> {
  const json = flags.output === 'json';
  const kinds = (await watchedTypes(engine, app)).map((t) => t.kind);
  let last: { report: DriftReport; at: Date } | undefined;
  let previous = '';
  const exporter =
    flags.metricsAddress !== undefined
      ? await startMetricsServer({
          ...parseAddress(flags.metricsAddress, '--metrics-address'),
          flag: '--metrics-address',
          body: async () => (last ? driftExposition(last.report, kinds, last.at) : ''),
        })
      : undefined;
  const stop = new AbortController();
  void untilInterrupted().then(() => stop.abort());
  ctx.io.err(
    `watching ${app.app} in ${app.environment} (${kinds.length} kinds)${exporter ? `; metrics on ${exporter.url}/metrics` : ''}; Ctrl-C stops\n`,
  );
  await watchDrift(engine, app, {
    files,
    clock: engine.clock,
    signal: stop.signal,
    onReport: (report, at) => {
      last = { report, at };
      const text = describeDrift(report);
      // Only a changed result is news: an unchanged check prints nothing.
      if (text === previous) return;
      previous = text;
      ctx.io.out(
        json ? `${JSON.stringify({ at: at.toISOString(), ...report })}\n` : `[${at.toISOString()}] ${text}`,
      );
    },
    onError: (err) => ctx.io.err(`drift check failed: ${err.message}\n`),
  });
  await exporter?.close();
}
