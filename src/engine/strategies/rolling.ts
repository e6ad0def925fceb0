/**
 * Rolling: apply the new Deployments and let the Deployment controller replace pods (maxSurge /
 * maxUnavailable), watched until complete; traffic moves as new pods become ready, so there is
 * nothing to switch. Reverting re-applies the previous release's objects (`../restore.ts`): the
 * Deployment gets back exactly its old pod template and the controller scales its old ReplicaSet up.
 */
import { refOf } from '../../cluster/cluster.js';
import { FIELD_MANAGER } from '../defaults.js';
import { restorePrevious } from '../restore.js';
import { analysisGate, rolloutGate } from './gates.js';
import type { DeployStrategy, Served, StrategyRun } from './strategy.js';

export const rolling: DeployStrategy = {
  name: 'rolling',

  async execute(run: StrategyRun): Promise<Served> {
    const { ctx, app, groups } = run;
    const deployments = groups.workloads
      .filter((o) => o.kind === 'Deployment')
      .map((o) => refOf(o, app.namespace));
    await run.steps.run('roll-out', async () => {
      await ctx.cluster.apply([...groups.workloads, ...groups.traffic], { fieldManager: FIELD_MANAGER });
      await rolloutGate(run, deployments);
    });
    const analysis = await analysisGate(run, run.plan.rolling?.analysis ?? [], 'post-rollout');
    run.steps.skip('switch', 'a rolling update moves traffic as new pods become ready');
    return { analysis, objects: Object.values(groups).flat() };
  },

  async revert(run: StrategyRun): Promise<void> {
    if (!run.previous) return;
    await restorePrevious(run.ctx, run.previous, Object.values(run.groups).flat(), run.wait());
  },

  cleanUpDelayMs(): number {
    return 0;
  },

  async cleanUp(): Promise<string | undefined> {
    return undefined;
  },
};
