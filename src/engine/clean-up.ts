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
import { entryKey, entryOf } from './plan/workloads.js';
import type { DeployStrategy, Served, StrategyRun } from './strategies/index.js';

export async function cleanUpAfterDeploy(
  ctx: EngineContext,
  run: StrategyRun,
  served: Served,
  strategy: DeployStrategy,
  lock: () => DeployLock,
): Promise<void> {
  const { app, previous } = run;
  const owned = new Set(served.objects.map((o) => entryKey(entryOf(o, app.namespace))));
  const prune = (previous?.inventory ?? []).filter(
    (e) => !owned.has(entryKey({ ...e, namespace: e.namespace ?? app.namespace })),
  );
  const delayMs = strategy.cleanUpDelayMs(run);
  if (prune.length === 0 && delayMs === 0) {
    run.steps.skip('clean-up', 'nothing the previous release applied is gone');
    return;
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
      for (const entry of prune) await ctx.cluster.delete(entry, { propagationPolicy: 'Background' });
      detail =
        [did, prune.length ? `deleted ${prune.map((e) => `${e.kind}/${e.name}`).join(', ')}` : undefined]
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
}
