/**
 * `slipway status`: what serves an app in one environment now, read from the cluster only: the
 * deployed release, the latest record (a pending one means a deploy is running or was killed: the
 * Lease's holder says which), the deploy lock's holder, and each Deployment's rollout state with its ready replicas.
 */
import type { KubeObject } from '@slipway/kube';
import type { ResolvedApp } from '../spec/resolved.js';
import type { EngineContext } from './context.js';
import { historyEntry, type HistoryEntry } from './history.js';
import { liveColours } from './live.js';
import { readLockHolder, type LockHolder } from './lock-holder.js';
import { renderObjects, type SpecFiles } from './prepare.js';
import type { Colour, Release } from './releases/release.js';
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
  /** The deploy Lease's holder; `gone` when it no longer counts (its process is gone, or its lease expired). */
  lock?: {
    holder: string;
    command?: string;
    acquireTime?: string;
    renewTime?: string;
    expiresAt?: string;
    gone?: LockHolder['gone'];
  };
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
  ctx: Pick<EngineContext, 'cluster' | 'store' | 'clock'>,
  app: ResolvedApp,
  opts: { files?: SpecFiles; holderGone?: (identity: string) => boolean } = {},
): Promise<AppStatus> {
  const releases = await ctx.store.list(app.app, app.environment);
  const deployed = [...releases].reverse().find((r) => r.phase === 'deployed');
  const latest = releases[releases.length - 1];
  const holder = await readLockHolder(ctx.cluster, ctx.clock, app, opts.holderGone);
  const { items } = await ctx.cluster
    .list<Deployment>(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: app.namespace },
      { labelSelector: { 'app.kubernetes.io/instance': app.app } },
    )
    .catch(() => ({ items: [] as Deployment[] }));
  const objects: KubeObject[] = renderObjects(app, opts.files).objects;
  const attention: string[] = [];
  if (latest?.phase === 'pending' && (!holder || holder.gone))
    attention.push(interruptedMessage(latest, holder, app.environment, deployed));
  if (latest?.phase === 'failed')
    attention.push(
      `failed: revision ${latest.revision} failed and was not rolled back (${latest.message ?? 'no message'}); run \`slipway rollback --env ${app.environment}\``,
    );
  return {
    app: app.app,
    environment: app.environment,
    namespace: app.namespace,
    ...(deployed ? { deployed: historyEntry(deployed) } : {}),
    ...(latest ? { latest: historyEntry(latest) } : {}),
    ...(holder
      ? {
          lock: {
            holder: holder.identity,
            ...(holder.command ? { command: holder.command } : {}),
            acquireTime: holder.acquireTime,
            renewTime: holder.renewTime,
            expiresAt: holder.expiresAt?.toISOString(),
            ...(holder.gone ? { gone: holder.gone } : {}),
          },
        }
      : {}),
    activeColours: await liveColours(ctx.cluster, app, objects),
    deployments: items.map(workloadStatus).sort((a, b) => a.name.localeCompare(b.name)),
    attention,
  };
}

/**
 * A pending release whose deployer is gone (its process, its lease, or the Lease itself): what
 * happened and the three commands that finish it (docs/deploy.md, "An interrupted deploy").
 */
export function interruptedMessage(
  pending: Release,
  holder: LockHolder | undefined,
  environment: string,
  serving?: Release,
): string {
  const by = pending.deployedBy ?? holder?.identity ?? 'a deploy';
  const why = !holder
    ? 'which released no lock (it died before finishing)'
    : holder.gone === 'process-gone'
      ? 'whose process is gone'
      : `whose lease expired at ${holder.expiresAt?.toISOString() ?? 'an unknown time'}`;
  const back = serving ? ` (revision ${serving.revision})` : '';
  return `interrupted: revision ${pending.revision} (pending) was being deployed by ${by}, ${why}; run \`slipway deploy --env ${environment}\` to finish it, or \`slipway rollback --env ${environment}\` / \`slipway abort --env ${environment}\` to put the serving release${back} back`;
}
