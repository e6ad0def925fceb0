/**
 * Rolling: apply the new Deployments and let the Deployment controller replace pods (maxSurge /
 * maxUnavailable), watched until complete; traffic moves as new pods become ready, so there is
 * nothing to switch, except after a blue-green release: then the plain Deployment starts beside the
 * serving colour, the Services stay on that colour until it is ready, and switch in one update. Reverting re-applies the previous release's objects (`../restore.ts`): the
 * Deployment gets back exactly its old pod template and the controller scales its old ReplicaSet up.
 */
import { refOf } from '../../cluster/cluster.js';
import { FIELD_MANAGER } from '../defaults.js';
import { restorePrevious } from '../restore.js';
import { ROLLOUT_KINDS } from '../rollout-status.js';
import { analysisGate, rolloutGate, withBackgroundAnalysis } from './gates.js';
import type { DeployStrategy, Served, StrategyRun } from './strategy.js';

export const rolling: DeployStrategy = {
  name: 'rolling',

  execute(outer: StrategyRun): Promise<Served> {
    // Background analysis runs from before the first new pod to the end; its failure ends the
    // rollout's wait at once and the deploy undoes the rollout (revert).
    return withBackgroundAnalysis(outer, outer.plan.rolling?.backgroundAnalysis ?? [], rollOut);
  },

  async revert(run: StrategyRun): Promise<void> {
    if (!run.previous) return;
    await restorePrevious(run.ctx, run.previous, Object.values(run.groups).flat(), run.wait());
  },

  cleanUpDelayMs(): number {
    return 0;
  },

  hasCleanUp(): boolean {
    return false;
  },

  async cleanUp(): Promise<string | undefined> {
    return undefined;
  },
};

async function rollOut(run: StrategyRun): Promise<Served> {
  const { ctx, app, groups } = run;
  // Every kind with a rollout: Deployments, and StatefulSets and DaemonSets too (a bot on a volume is a StatefulSet).
  const deployments = groups.workloads
    .filter((o) => ROLLOUT_KINDS.has(o.kind))
    .map((o) => refOf(o, app.namespace));
  const switches = (run.plan.rolling?.services ?? []).flatMap((s) => (s.switchFrom ? [s.switchFrom] : []));
  // After a blue-green release the Services keep selecting the serving colour until the new pods are ready.
  const pinned = groups.traffic.map((o) => {
    const from = o.kind === 'Service' ? switches.find((s) => s.activeService === o.metadata.name) : undefined;
    return from ? { ...o, spec: { ...(o.spec as object), selector: from.selector } } : o;
  });
  await run.steps.run('roll-out', async () => {
    await ctx.cluster.apply([...groups.workloads, ...pinned], {
      fieldManager: FIELD_MANAGER,
      force: switches.length > 0,
    });
    ctx.checkpoint?.('roll-out:applied');
    await rolloutGate(run, deployments);
  });
  // The analysis judges the new version serving, so a switch away from a colour comes first.
  if (switches.length)
    await run.steps.run(
      'switch',
      () => ctx.cluster.apply(groups.traffic, { fieldManager: FIELD_MANAGER, force: true }),
      switches
        .map((s) => `${s.activeService}: ${s.colour} → ${deployments.map((d) => d.name).join(', ')}`)
        .join('; '),
    );
  const analysis = await analysisGate(run, run.plan.rolling?.analysis ?? [], 'post-rollout');
  if (switches.length === 0)
    run.steps.skip('switch', 'a rolling update moves traffic as new pods become ready');
  return { analysis, objects: Object.values(groups).flat() };
}
