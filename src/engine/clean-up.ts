/**
 * The deploy's last step, run after the release is recorded deployed and the deploy lock is
 * released: wait the strategy's delay (blue-green keeps the old colour warm, and with the lock
 * free a `slipway rollback` in that window switches straight back), take the lock again, and only
 * if no newer release started meanwhile, let the strategy clean up (it never scales down a colour
 * that serves) and delete what the previous release owned and this one does not. If another
 * deploy holds the lock by then, it decides what to keep: clean-up steps aside.
 */
import { UserError } from '../errors.js';
import type { EngineContext } from './context.js';
import type { DeployLock } from './lock.js';
import type { InventoryEntry, Release } from './releases/release.js';
import type { KubeObject } from '@slipway/kube';
import { entryKey, entryOf } from './plan/workloads.js';
import type { DeployStrategy, Served, StrategyRun } from './strategies/index.js';

export async function cleanUpAfterDeploy(
  ctx: EngineContext,
  run: StrategyRun,
  served: Served,
  strategy: DeployStrategy,
  lock: () => DeployLock,
  /** What to delete (pruneList), as recorded in the release. */
  prune: InventoryEntry[],
): Promise<boolean> {
  const { app } = run;
  let done = false;
  const delayMs = strategy.cleanUpDelayMs(run);
  // With `scaleDownDelay: 0s` there is no delay, but blue-green's old colour must still be scaled down.
  if (prune.length === 0 && delayMs === 0 && !strategy.hasCleanUp(run)) {
    run.steps.skip('clean-up', 'nothing the previous release applied is gone');
    return true;
  }
  let detail: string | undefined;
  await run.steps.run('clean-up', async () => {
    if (delayMs > 0) await ctx.clock.sleep(delayMs);
    const relock = lock();
    try {
      await relock.acquire();
    } catch (err) {
      if (!(err instanceof UserError && err.code === 'locked')) throw err;
      detail = 'skipped: another deploy took the lock during the delay and decides what to keep';
      return;
    }
    try {
      const latest = await ctx.store.latest(app.app, app.environment);
      if (latest && latest.revision !== run.plan.revision) {
        detail = `skipped: revision ${latest.revision} started meanwhile`;
        return;
      }
      const did = await strategy.cleanUp(run, served);
      // Only what existed is named: an unfinished release's entries are what it may have applied.
      const deleted: InventoryEntry[] = [];
      for (const entry of prune)
        if (await ctx.cluster.delete(entry, { propagationPolicy: 'Background' })) deleted.push(entry);
      done = true;
      detail =
        [did, deleted.length ? `deleted ${deleted.map((e) => `${e.kind}/${e.name}`).join(', ')}` : undefined]
          .filter(Boolean)
          .join('; ') || undefined;
    } finally {
      await relock.release();
    }
  });
  if (detail)
    ctx.emit({
      type: 'message',
      level: 'info',
      text: `clean-up: ${detail}`,
      at: ctx.clock.now().toISOString(),
    });
  return done;
}

/**
 * What a release that applied `objects` deletes: the entries of the releases it supersedes (their
 * inventories, and what their own clean-up had still to delete when their deployer died), and of
 * the latest release when it never served (killed, failed or aborted: what it may have applied,
 * unfinishedEntries), that it does not apply itself, each once. Deleted only after the new release
 * serves, so nothing that still serves goes first.
 */
export function pruneList(
  namespace: string,
  objects: KubeObject[],
  superseded: Array<Release | undefined>,
  unfinished?: Release,
): InventoryEntry[] {
  const owned = new Set(objects.map((o) => entryKey(entryOf(o, namespace))));
  const seen = new Set<string>();
  return [
    ...superseded.flatMap((r) => [...(r?.inventory ?? []), ...(r?.prune ?? [])]),
    ...(unfinished ? unfinishedEntries(unfinished, namespace) : []),
  ]
    .map((e) => ({ ...e, namespace: e.namespace ?? namespace }))
    .filter((e) => {
      const key = entryKey(e);
      if (owned.has(key) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** Kinds never deleted for a release that did not finish: data (volumes) and the namespace. */
const KEPT_KINDS = new Set(['PersistentVolumeClaim', 'Namespace']);

/**
 * What a release that never served may have left applied: its recorded objects, and for a
 * blue-green one both colours of each Deployment and the preview Services (their names are the
 * rendered ones with `-blue`, `-green`, `-preview`). Volumes and the namespace are left alone.
 */
export function unfinishedEntries(release: Release, namespace: string): InventoryEntry[] {
  const entries = (release.objects ?? [])
    .filter((o) => !KEPT_KINDS.has(o.kind))
    .map((o) => entryOf(o, namespace));
  if (release.strategy !== 'blue-green') return entries;
  const coloured = entries.flatMap((e) =>
    e.kind === 'Deployment'
      ? [`${e.name}-blue`, `${e.name}-green`].map((name) => ({ ...e, name }))
      : e.kind === 'Service'
        ? [{ ...e, name: `${e.name}-preview` }]
        : [],
  );
  return [...entries, ...coloured];
}
