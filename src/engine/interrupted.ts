/**
 * Finishing a deploy whose deployer died (SIGKILL, a closed laptop, a CI runner that vanished):
 * its release record is still `pending` and its Lease names a holder whose process is gone or
 * whose lease expired. `slipway abort` and `slipway rollback` settle it here before they put the
 * serving release back through rollback's flow (the ordinary deploy: lock, record, strategy, way
 * back), so nothing of the way back is written twice:
 *
 * 1. take the lock over (the lock says whose it was),
 * 2. record the pending release `aborted`, naming who died and who finished it,
 * 3. remove what it started that the release going back does not render: its canary (weight 0
 *    first, `traffic/recover.ts`, which also sizes the stable Deployment as rendered again) and its
 *    migration Job (a Job still running must not migrate the database under the version that is
 *    coming back).
 *
 * Blue-green colours and the other workloads it applied need nothing here: the restore is a
 * deploy planned from the live Service selector, and once it serves its clean-up deletes what the
 * interrupted release may have applied and the restored one does not own (clean-up.ts
 * `unfinishedEntries`: a colour left by an interrupted switch to blue-green, the plain Deployment
 * left by an interrupted switch away from it), and scales an idle colour down as after any deploy.
 */
import type { KubeObject } from '@slipway/kube';
import { isClusterError } from '../cluster/cluster.js';
import type { EngineContext } from './context.js';
import { Budget } from './deadline.js';
import { ROLLBACK_TIMEOUT_SECONDS } from './defaults.js';
import { readLockHolder, type LockHolder } from './lock-holder.js';
import { DeployLock } from './lock.js';
import { releaseObjects } from './releases/objects.js';
import type { Release } from './releases/release.js';
import { recoverCanaries } from './traffic/recover.js';

export interface InterruptedDeploy {
  pending: Release;
  /** The Lease's holder when it is gone; undefined when no Lease is left. */
  holder?: LockHolder;
}

type Target = { app: string; environment: string; namespace: string };

/**
 * The latest release when it is pending and nobody alive deploys it; undefined when the latest
 * release is not pending. Throws nothing for a live holder: returns `{ running: holder }` so the
 * caller can signal the running deploy instead.
 */
export async function findInterrupted(
  ctx: Pick<EngineContext, 'cluster' | 'store' | 'clock'>,
  target: Target,
  holderGone?: (identity: string) => boolean,
): Promise<InterruptedDeploy | { running: LockHolder } | undefined> {
  const latest = await ctx.store.latest(target.app, target.environment);
  if (latest?.phase !== 'pending') return undefined;
  const holder = await readLockHolder(ctx.cluster, ctx.clock, target, holderGone);
  if (holder && !holder.gone) return { running: holder };
  return { pending: latest, ...(holder ? { holder } : {}) };
}

export interface Settled {
  /** The interrupted release, now recorded aborted. */
  aborted: Release;
  /** What was removed (canary objects, migration Jobs), for the output. */
  removed: string[];
}

/**
 * Steps 1-3 above, under the lock. `restoring` is the release about to be put back (undefined
 * after a first release, when nothing served before). The lock is released on return; the restore
 * takes it again. Throws the lock's `locked` UserError when a live deploy took it meanwhile.
 */
export async function settleInterrupted(
  ctx: EngineContext,
  target: Target,
  restoring: Release | undefined,
  opts: { by: string; waitForLockMs?: number; lockTtlSeconds?: number },
): Promise<Settled | undefined> {
  const notify = (text: string) =>
    ctx.emit({ type: 'message', level: 'warn', text, at: ctx.clock.now().toISOString() });
  const lock = new DeployLock({
    cluster: ctx.cluster,
    clock: ctx.clock,
    namespace: target.namespace,
    app: target.app,
    environment: target.environment,
    holder: ctx.holder,
    command: ctx.command,
    waitMs: opts.waitForLockMs,
    ttlSeconds: opts.lockTtlSeconds,
    notify,
  });
  await lock.acquire();
  try {
    // Read again under the lock: the deploy we queued behind may have finished the release itself.
    const pending = await ctx.store.latest(target.app, target.environment);
    if (pending?.phase !== 'pending') return undefined;
    const keep = restoring ? releaseObjects(restoring).objects : [];
    // A Budget, not AbortSignal.timeout: see deadline.ts (a collected timeout signal never fires on Node 20).
    const budget = new Budget(
      ctx.clock,
      ROLLBACK_TIMEOUT_SECONDS * 1000,
      'the clean-up of an interrupted canary',
    );
    let removed: string[];
    try {
      removed = await recoverCanaries(ctx.cluster, target.namespace, target.app, keep, budget.signal);
    } finally {
      budget.dispose();
    }
    removed.push(...(await deleteMigrationJobs(ctx, target.namespace, pending, keep)));
    const who = pending.deployedBy ?? 'its deployer';
    const aborted: Release = {
      ...pending,
      phase: 'aborted',
      message: `interrupted (${who} stopped before it finished); aborted by ${ctx.holder} with ${opts.by}${restoring ? `, to put revision ${restoring.revision} back` : ''}`,
      updatedAt: ctx.clock.now().toISOString(),
    };
    await ctx.store.update(aborted);
    return { aborted, removed };
  } finally {
    await lock.release();
  }
}

/** The interrupted release's migration Jobs that the restored release does not render (its hashed names differ). */
async function deleteMigrationJobs(
  ctx: Pick<EngineContext, 'cluster'>,
  namespace: string,
  pending: Release,
  keep: KubeObject[],
): Promise<string[]> {
  const kept = new Set(keep.filter((o) => o.kind === 'Job').map((o) => o.metadata.name));
  const jobs = releaseObjects(pending).objects.filter((o) => o.kind === 'Job' && !kept.has(o.metadata.name));
  const removed: string[] = [];
  for (const job of jobs) {
    try {
      // Background propagation: the Job's pods go with it (kubectl delete job does the same).
      await ctx.cluster.delete(
        { apiVersion: 'batch/v1', kind: 'Job', namespace, name: job.metadata.name ?? '' },
        { propagationPolicy: 'Background' },
      );
      removed.push(`Job ${job.metadata.name} deleted`);
    } catch (err) {
      if (!isClusterError(err, 'NotFound')) throw err;
    }
  }
  return removed;
}
