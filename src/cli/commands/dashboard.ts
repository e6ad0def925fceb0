/**
 * `slipway dashboard -f FILE [--env ENV] [--address 127.0.0.1:8080] [--token T]`: a read-only web
 * page of every environment's releases and delivery metrics, from the release records through the
 * user's kubeconfig, updated live by a watch on those records. The page and server are
 * src/dashboard; this file wires the cluster in.
 */
import type { KubeObject } from '@slipway/kube';
import type { Command } from 'commander';
import type { Cluster } from '../../cluster/cluster.js';
import { LABEL_APP, LABEL_OWNER } from '../../engine/releases/secrets.js';
import { dashboardView, type WorkloadReadiness } from '../../dashboard/view.js';
import { startDashboard } from '../../dashboard/server.js';
import { parseAddress } from '../../metrics/serve.js';
import { parseSince } from '../../metrics/window.js';
import type { CommandContext, RegisterCommand } from '../command.js';
import { selectedEnvironments } from './metrics.js';
import { untilInterrupted } from '../io.js';

interface DashboardFlags {
  file: string;
  env?: string;
  kubeconfig?: string;
  context?: string;
  kubeContext?: string;
  namespace?: string;
  address: string;
  token?: string;
  since: string;
}

export const registerDashboard: RegisterCommand = (program: Command, ctx: CommandContext) => {
  program
    .command('dashboard')
    .summary('a live web page of releases and delivery metrics')
    .description(
      'serve a read-only web page of every environment (or one): what serves now, the release timeline with steps and analyses, delivery metrics with trends; updated live from a watch on the release records',
    )
    .option('-f, --file <path>', 'the spec', 'slipway.yaml')
    .option('-e, --env <name>', 'one environment (default: every environment of the spec)')
    .option(
      '--address <host:port>',
      'where to listen; any address but loopback needs --token',
      '127.0.0.1:8080',
    )
    .option('--token <token>', 'required on any address but loopback: open the page with ?token=<token>')
    .option('--since <window>', 'the metrics window ending now: 30d, 2w, 12h', '30d')
    .option('--kubeconfig <file>', 'kubeconfig file (default $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--kube-context <name>', 'kubeconfig context (the same as --context, as helm spells it)')
    .option('-n, --namespace <name>', "override the environments' namespace")
    .action(async (flags: DashboardFlags) => serve(flags, ctx));
};

async function serve(flags: DashboardFlags, ctx: CommandContext): Promise<void> {
  const sinceMs = parseSince(flags.since);
  const { host, port } = parseAddress(flags.address);
  const { cluster, targets } = await selectedEnvironments(
    { ...flags, allEnvs: flags.env === undefined },
    ctx.io,
  );
  const app = targets[0]!.app;
  const load = async () =>
    dashboardView(
      app,
      await Promise.all(
        targets.map(async (t) => ({
          environment: t.environment,
          namespace: t.namespace,
          releases: await t.store.list(t.app, t.environment),
          workloads: await workloads(cluster, t.namespace, app),
        })),
      ),
      new Date(),
      sinceMs,
    );
  const dashboard = await startDashboard({
    host,
    port,
    token: flags.token,
    load,
    watch: (changed, signal) => {
      for (const namespace of new Set(targets.map((t) => t.namespace)))
        void watchRecords(cluster, namespace, app, changed, signal, (err) =>
          ctx.io.err(`watch of the release records in ${namespace} failed, retrying: ${err.message}\n`),
        );
    },
    onError: (err) => ctx.io.err(`reading the release records failed: ${err.message}\n`),
  });
  ctx.io.out(`dashboard of ${app} on ${dashboard.url}${flags.token ? '?token=<token>' : ''}\n`);
  await untilInterrupted();
  await dashboard.close();
}

/** Every change to the app's release Secrets calls `changed`; a watch that breaks is started again. */
async function watchRecords(
  cluster: Cluster,
  namespace: string,
  app: string,
  changed: () => void,
  signal: AbortSignal,
  report: (err: Error) => void,
): Promise<void> {
  while (!signal.aborted) {
    try {
      await cluster.watchList(
        { apiVersion: 'v1', kind: 'Secret', namespace },
        { labelSelector: { [LABEL_OWNER]: 'slipway', [LABEL_APP]: app } },
        () => {
          changed();
          return false;
        },
        signal,
      );
    } catch (err) {
      if (signal.aborted) return;
      report(err as Error);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function workloads(cluster: Cluster, namespace: string, app: string): Promise<WorkloadReadiness[]> {
  const found: WorkloadReadiness[] = [];
  for (const kind of ['Deployment', 'StatefulSet']) {
    const { items } = await cluster.list<
      KubeObject & { spec?: { replicas?: number }; status?: { readyReplicas?: number } }
    >({ apiVersion: 'apps/v1', kind, namespace }, { labelSelector: { 'app.kubernetes.io/instance': app } });
    for (const o of items)
      found.push({
        kind,
        name: o.metadata.name ?? '',
        ready: o.status?.readyReplicas ?? 0,
        desired: o.spec?.replicas ?? 1,
      });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}
