/**
 * `slipway status`: what serves an app in one environment now, read from the cluster only: the
 * deployed release, the latest record (a pending one means a deploy is running or was killed), the
 * deploy lock's holder, and each Deployment's rollout state with its ready replicas.
 */
import type { KubeObject } from '../cluster/cluster.js';
import type { ResolvedApp } from '../spec/resolved.js';
import type { EngineContext } from './context.js';
import { historyEntry, type HistoryEntry } from './history.js';
import { liveColours } from './live.js';
import type { Lease } from './lock.js';
import { lockName } from './lock.js';
import { renderObjects } from './prepare.js';
import type { Colour } from './releases/release.js';
import { rolloutComplete, type Deployment } from './rollout.js';

export interface WorkloadStatus {
  name: string;
  replicas: number;
  ready: number;
  updated: number;
  complete: boolean;
  /** The first container's image. */
  image?: string;
}

export interface AppStatus {
  app: string;
  environment: string;
  namespace: string;
  deployed?: HistoryEntry;
  latest?: HistoryEntry;
  lock?: { holder: string; renewTime?: string };
  activeColours: Record<string, Colour>;
  deployments: WorkloadStatus[];
  /** What needs attention, each with the command that resolves it. */
  attention: string[];
}

function workloadStatus(
  d: Deployment & { spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } } },
): WorkloadStatus {
  let complete: boolean;
  try {
    complete = rolloutComplete(d);
  } catch {
    complete = false;
  }
  return {
    name: d.metadata.name ?? '',
    replicas: d.spec?.replicas ?? 1,
    ready: (d.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0,
    updated: d.status?.updatedReplicas ?? 0,
    complete,
    image: d.spec?.template?.spec?.containers?.[0]?.image,
  };
}

export async function status(
  ctx: Pick<EngineContext, 'cluster' | 'store'>,
  app: ResolvedApp,
): Promise<AppStatus> {
  const releases = await ctx.store.list(app.app, app.environment);
  const deployed = [...releases].reverse().find((r) => r.phase === 'deployed');
  const latest = releases[releases.length - 1];
  const lease = await ctx.cluster.get<Lease>({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    namespace: app.namespace,
    name: lockName(app.app, app.environment),
  });
  const { items } = await ctx.cluster
    .list<Deployment>(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: app.namespace },
      { labelSelector: { 'app.kubernetes.io/instance': app.app } },
    )
    .catch(() => ({ items: [] as Deployment[] }));
  const objects: KubeObject[] = renderObjects(app).objects;
  const attention: string[] = [];
  if (latest?.phase === 'pending' && !lease)
    attention.push(
      `revision ${latest.revision} is pending but no deploy holds the lock: it was interrupted; run \`slipway deploy --env ${app.environment}\` again or \`slipway rollback --env ${app.environment}\``,
    );
  if (latest?.phase === 'failed')
    attention.push(
      `revision ${latest.revision} failed and was not rolled back (${latest.message ?? 'no message'}); run \`slipway rollback --env ${app.environment}\``,
    );
  return {
    app: app.app,
    environment: app.environment,
    namespace: app.namespace,
    ...(deployed ? { deployed: historyEntry(deployed) } : {}),
    ...(latest ? { latest: historyEntry(latest) } : {}),
    ...(lease?.spec?.holderIdentity
      ? { lock: { holder: lease.spec.holderIdentity, renewTime: lease.spec.renewTime } }
      : {}),
    activeColours: await liveColours(ctx.cluster, app, objects),
    deployments: items.map(workloadStatus).sort((a, b) => a.name.localeCompare(b.name)),
    attention,
  };
}
