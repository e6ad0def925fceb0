/**
 * `slipway deploy -f FILE --env ENV`: parses flags, builds the engine context and prints what the
 * engine reports. Text: a line per step with its duration; `--output json`: one JSON event per
 * line, then a summary object. The work itself is `src/engine/deploy.ts`.
 */
import type { Command } from 'commander';
import { KubeCluster } from '../../cluster/kube.js';
import { systemClock } from '../../engine/clock.js';
import type { DeployEvent } from '../../engine/context.js';
import { deploy, type DeployResult } from '../../engine/deploy.js';
import { parseDuration } from '../../engine/duration.js';
import { defaultHolderIdentity } from '../../engine/lock.js';
import { applyOverrides } from '../../engine/overrides.js';
import { SecretReleaseStore } from '../../engine/releases/secrets.js';
import { UserError } from '../../errors.js';
import { loadSpec } from '../../spec/load.js';
import { resolveEnvironment } from '../../spec/resolve.js';
import { parseOutput, type CommandContext, type RegisterCommand } from '../command.js';

interface DeployFlags {
  file: string;
  env: string;
  setImage: string[];
  set: string[];
  strategy?: string;
  timeout?: string;
  output?: string;
  dryRun?: boolean;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  prometheusUrl?: string;
  skipAnalysis?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];
const STRATEGIES = ['rolling', 'blue-green', 'canary'] as const;

export const registerDeploy: RegisterCommand = (program: Command, ctx: CommandContext) => {
  program
    .command('deploy')
    .description('deploy one environment to the cluster of the kubeconfig context, rolling back automatically when it fails')
    .requiredOption('-e, --env <name>', 'the environment to deploy')
    .option('-f, --file <path>', 'the spec', 'slipway.yaml')
    .option('--set-image <service=image>', 'the image of one service for this deploy (repeatable)', collect, [])
    .option('--set <path=value>', 'override one spec field for this deploy, recorded in the release (repeatable)', collect, [])
    .option('--strategy <strategy>', `override deploy.strategy: ${STRATEGIES.join(', ')}`)
    .option('--timeout <duration>', 'give up (and roll back) after this long, e.g. 5m (default deploy.timeout or 15m)')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--kubeconfig <file>', 'kubeconfig file (default $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('-n, --namespace <name>', "override the environment's namespace")
    .option('--prometheus-url <url>', 'Prometheus for analyses that name no address')
    .option('--skip-analysis', 'do not run deploy.analysis (recorded in the release steps)')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (flags: DeployFlags) => {
      ctx.exit(await runDeploy(flags, ctx));
    });
};

async function runDeploy(flags: DeployFlags, ctx: CommandContext): Promise<number> {
  const json = parseOutput(flags.output) === 'json';
  if (flags.strategy !== undefined && !(STRATEGIES as readonly string[]).includes(flags.strategy)) {
    throw new UserError(`--strategy must be one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(flags.strategy)}`, { code: 'deploy-strategy', path: '--strategy' });
  }
  let timeoutMs: number | undefined;
  try {
    timeoutMs = flags.timeout === undefined ? undefined : parseDuration(flags.timeout);
  } catch (err) {
    throw new UserError(`--timeout: ${(err as Error).message}`, { code: 'deploy-timeout', path: '--timeout' });
  }
  const spec = await loadSpec(flags.file);
  const resolved = resolveEnvironment(spec, flags.env, flags.file);
  const { app, overrides } = applyOverrides(flags.namespace ? { ...resolved, namespace: flags.namespace } : resolved, flags.set, flags.setImage);
  const envKubeconfig = ctx.io.env.KUBECONFIG;
  const kubeconfig = flags.kubeconfig ?? (envKubeconfig && !envKubeconfig.includes(':') ? envKubeconfig : undefined);
  const cluster = KubeCluster.fromKubeconfig({ kubeconfig, context: flags.context, namespace: app.namespace });
  const emit = (event: DeployEvent): void => {
    if (json) ctx.io.out(`${JSON.stringify(event)}\n`);
    else ctx.io.out(describeEvent(event));
  };
  const result = await deploy(
    { cluster, store: new SecretReleaseStore(cluster, app.namespace), clock: systemClock, holder: defaultHolderIdentity(), emit },
    { app, overrides, strategy: flags.strategy as (typeof STRATEGIES)[number] | undefined, timeoutMs, dryRun: flags.dryRun, skipAnalysis: flags.skipAnalysis, prometheusAddress: flags.prometheusUrl },
  );
  ctx.io.out(json ? `${JSON.stringify(summary(result))}\n` : describeResult(result));
  return result.exitCode;
}

function describeEvent(e: DeployEvent): string {
  if (e.type === 'message') return `  ${e.level === 'warn' ? 'warning: ' : ''}${e.text}\n`;
  if (e.type === 'measurement') return `    ${e.analysis} #${e.index + 1}: ${e.measurement.phase} (${e.measurement.message.split('\n')[0]})\n`;
  if (e.status === 'started') return '';
  const mark = { ok: '✓', failed: '✗', skipped: '-' }[e.status];
  const time = e.durationMs !== undefined ? ` ${(e.durationMs / 1000).toFixed(1)}s` : '';
  return `${mark} ${e.step.padEnd(12)}${time}${e.detail ? `  ${e.detail}` : ''}\n`;
}

function describeResult(r: DeployResult): string {
  if (r.outcome === 'dry-run') {
    const p = r.plan;
    const lines = [`plan: ${p.app} revision ${p.revision} to ${p.environment} (${p.strategy}${p.strategyNote ? `; ${p.strategyNote}` : ''})`];
    for (const s of p.steps) lines.push(`  ${s.name.padEnd(12)} ${s.skipped ? `skipped: ${s.skipped}` : s.summary}`);
    for (const g of p.apply) lines.push(`  apply ${g.phase}: ${g.objects.map((o) => `${o.kind}/${o.name}`).join(', ')}`);
    if (p.prune.length) lines.push(`  delete: ${p.prune.map((o) => `${o.kind}/${o.name}`).join(', ')}`);
    return `${lines.join('\n')}\n`;
  }
  const rel = r.release;
  const head = `${r.outcome} ${rel?.app} revision ${rel?.revision} to ${rel?.environment} (${rel?.strategy})`;
  return `${head}${r.message ? `: ${r.message}` : ''}\n`;
}

function summary(r: DeployResult): Record<string, unknown> {
  if (r.outcome === 'dry-run') return { type: 'summary', outcome: 'dry-run', plan: r.plan };
  const rel = r.release;
  return {
    type: 'summary',
    outcome: r.outcome,
    exitCode: r.exitCode,
    release: rel?.app,
    environment: rel?.environment,
    revision: rel?.revision,
    strategy: rel?.strategy,
    phase: rel?.phase,
    message: r.message,
    steps: (rel?.steps ?? []).map((s) => ({ step: s.step, outcome: s.outcome, durationMs: s.durationMs, detail: s.detail })),
    analysis: r.analysis.map((a) => ({ name: a.name, provider: a.provider, resolved: a.resolved, phase: a.phase, message: a.message, measurements: a.measurements })),
  };
}
