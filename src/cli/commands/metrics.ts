/**
 * `slipway metrics -f FILE --env ENV|--all-envs --since 30d`: DORA delivery metrics from the
 * release records in the cluster (production by default), as a table or JSON; `slipway metrics
 * serve --address 127.0.0.1:9464` exports them for Prometheus. The arithmetic is src/metrics.
 */
import type { Command } from 'commander';
import type { Cluster } from '../../cluster/cluster.js';
import { KubeCluster } from '../../cluster/kube.js';
import { SecretReleaseStore } from '../../engine/releases/secrets.js';
import { UserError } from '../../errors.js';
import { metricsOf, readRecords, type MetricsTarget } from '../../metrics/collect.js';
import { TIER_REPORT } from '../../metrics/tiers.js';
import { metricsText } from '../../metrics/text.js';
import { parseSince } from '../../metrics/window.js';
import { parseAddress, startExporter } from '../../metrics/serve.js';
import { loadSpec } from '../load-spec.js';
import { environmentNames, resolveEnvironment } from '../../spec/resolve.js';
import { outputOption, parseOutput, type CommandContext, type RegisterCommand } from '../command.js';
import { kubeContext, type TargetFlags } from '../engine-context.js';
import { untilInterrupted, type Io } from '../io.js';

interface MetricsFlags extends Omit<TargetFlags, 'env'> {
  env?: string;
  allEnvs?: boolean;
  since: string;
}

interface ServeFlags extends MetricsFlags {
  address: string;
}

export const DEFAULT_ENVIRONMENT = 'production';

function selectionOptions(cmd: Command): Command {
  return cmd
    .option('-f, --file <path>', 'the spec', 'slipway.yaml')
    .option('-e, --env <name>', `one environment (default ${DEFAULT_ENVIRONMENT})`)
    .option('--all-envs', 'every environment of the spec, each on its own')
    .option('--since <window>', 'the window ending now: 30d, 2w, 12h', '30d')
    .option('--kubeconfig <file>', 'kubeconfig file (default $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--kube-context <name>', 'kubeconfig context (the same as --context, as helm spells it)')
    .option('-n, --namespace <name>', "override the environments' namespace");
}

export const registerMetrics: RegisterCommand = (program: Command, ctx: CommandContext) => {
  // `serve` is an argument, not a commander subcommand: a subcommand would share -f, --env and the
  // rest with its parent, and commander hands options after `serve` to the parent unless every
  // command up to the program turns positional options on.
  selectionOptions(
    program
      .command('metrics')
      .argument('[action]', '`serve`: export the metrics for Prometheus on --address')
      .summary('DORA metrics of deploys; serve: for Prometheus')
      .description(
        `deployment frequency, lead time, change failure rate, failed-deployment recovery time and rework rate of one environment (or all), from the release records in the cluster, with sample sizes and tiers of the ${TIER_REPORT}; \`slipway metrics serve\` exports them in the Prometheus text format on /metrics, read from the records at each scrape`,
      ),
  )
    .option('--address <host:port>', 'serve: where to listen', '127.0.0.1:9464')
    .addOption(outputOption(['text', 'json']))
    .action(async (action: string | undefined, flags: ServeFlags) => {
      if (action === 'serve') return serve(flags, ctx);
      if (action !== undefined)
        throw new UserError(`unknown action ${JSON.stringify(action)}`, {
          code: 'metrics-action',
          hint: '`slipway metrics` prints the metrics; `slipway metrics serve` exports them for Prometheus',
        });
      const sinceMs = parseSince(flags.since);
      const targets = await metricsTargets(flags, ctx.io);
      const all = metricsOf(await readRecords(targets), { now: new Date(), sinceMs });
      ctx.io.out(
        parseOutput(flags.output) === 'json'
          ? `${JSON.stringify({ tierReport: TIER_REPORT, environments: all }, null, 2)}\n`
          : metricsText(all),
      );
    });
};

async function serve(flags: ServeFlags, ctx: CommandContext): Promise<void> {
  const sinceMs = parseSince(flags.since);
  const { host, port } = parseAddress(flags.address);
  const targets = await metricsTargets(flags, ctx.io);
  const exporter = await startExporter({
    host,
    port,
    read: () => readRecords(targets),
    window: () => ({ now: new Date(), sinceMs }),
    onError: (err) => ctx.io.err(`scrape failed: ${err.message}\n`),
  });
  const names = targets.map((t) => t.environment).join(', ');
  ctx.io.out(`serving metrics of ${targets[0]?.app} (${names}) on ${exporter.url}/metrics\n`);
  await untilInterrupted();
  await exporter.close();
}

/** The environments asked for, each with the release store of its namespace. */
async function metricsTargets(flags: MetricsFlags, io: Io): Promise<MetricsTarget[]> {
  return (await selectedEnvironments(flags, io)).targets;
}

export interface SelectedEnvironments {
  cluster: Cluster;
  targets: Array<MetricsTarget & { namespace: string }>;
}

/** `--env`, `--all-envs` or production, resolved against the spec, with one cluster client and a store per namespace. */
export async function selectedEnvironments(
  flags: Omit<MetricsFlags, 'since'>,
  io: Io,
): Promise<SelectedEnvironments> {
  if (flags.env !== undefined && flags.allEnvs)
    throw new UserError('--env and --all-envs exclude each other', {
      code: 'metrics-environment',
      path: '--all-envs',
      hint: 'give one environment with --env, or --all-envs for every one',
    });
  const spec = await loadSpec(flags.file);
  const declared = environmentNames(spec);
  if (flags.env === undefined && !flags.allEnvs && !declared.includes(DEFAULT_ENVIRONMENT))
    throw new UserError(`${flags.file} declares no ${DEFAULT_ENVIRONMENT} environment, the default`, {
      code: 'metrics-environment',
      path: '--env',
      hint: `pick one with --env (${declared.join(', ')}) or use --all-envs`,
    });
  const names = flags.allEnvs ? declared : [flags.env ?? DEFAULT_ENVIRONMENT];
  const apps = names.map((name) => resolveEnvironment(spec, name, flags.file));
  const cluster = KubeCluster.fromKubeconfig(
    { kubeconfig: flags.kubeconfig, context: kubeContext(flags), namespace: flags.namespace },
    { lookup: io.lookup },
    io.env,
  );
  const stores = new Map<string, SecretReleaseStore>();
  const targets = apps.map((a) => {
    const namespace = flags.namespace ?? a.namespace;
    const store = stores.get(namespace) ?? new SecretReleaseStore(cluster, namespace);
    stores.set(namespace, store);
    return { app: a.app, environment: a.environment, namespace, store };
  });
  return { cluster, targets };
}
