/**
 * Canary (Argo Rollouts `rollout/canary.go`, basic canary without a mesh): the new version runs as
 * `<name>-canary` beside the stable Deployment, both behind the service's one Service; each weight
 * step sets the split through a TrafficRouter (replica ratio), pauses wait a duration or for
 * `slipway promote`, analysis steps run their analyses. After the last step the stable Deployment
 * takes the new pod template (a rolling update, the canary still serving) and the canary is
 * deleted. A failure at any step deletes the canary (weight 0) and puts the stable back as the
 * previous release had it; until promotion its pod template is never touched.
 */
import { refOf, type KubeObject } from '../../cluster/cluster.js';
import { FIELD_MANAGER } from '../defaults.js';
import type { CanaryPlan, CanaryService } from '../plan/types.js';
import { LABEL_NAME } from '../plan/order.js';
import { restorePrevious } from '../restore.js';
import { ReplicaRatioRouter } from '../traffic/replica-ratio.js';
import type { TrafficRouter } from '../traffic/router.js';
import { analysisGate, rolloutGate } from './gates.js';
import { StrategyFailed, type DeployStrategy, type Served, type StrategyRun } from './strategy.js';

export const LABEL_ROLE = 'slipway.dev/role';

function planOf(run: StrategyRun): CanaryPlan {
  if (!run.plan.canary) throw new Error('canary strategy without a canary plan');
  return run.plan.canary;
}

function routerFor(run: StrategyRun, plan: CanaryPlan): TrafficRouter {
  if (plan.traffic !== 'replicas')
    throw new StrategyFailed(
      `canary traffic "${plan.traffic}" is not supported by this version of slipway deploy; use deploy.canary.traffic: replicas`,
    );
  return new ReplicaRatioRouter(run.ctx.cluster, run.app.namespace);
}

/** The rendered Deployment as the canary: its own name and a role label (so it owns its own ReplicaSets), zero replicas to start. */
export function canaryDeployment(d: KubeObject, s: CanaryService): KubeObject {
  const spec = (d.spec ?? {}) as {
    selector?: { matchLabels?: Record<string, string> };
    template?: { metadata?: { labels?: Record<string, string> } };
  } & Record<string, unknown>;
  const role = { [LABEL_ROLE]: 'canary' };
  return {
    ...d,
    metadata: { ...d.metadata, name: s.canaryDeployment, labels: { ...d.metadata.labels, ...role } },
    spec: {
      ...spec,
      replicas: 0,
      selector: { ...spec.selector, matchLabels: { ...spec.selector?.matchLabels, ...role } },
      template: {
        ...spec.template,
        metadata: { ...spec.template?.metadata, labels: { ...spec.template?.metadata?.labels, ...role } },
      },
    },
  };
}

function canaries(
  run: StrategyRun,
  plan: CanaryPlan,
): Array<{ service: CanaryService; deployment: KubeObject }> {
  return plan.services.flatMap((s) => {
    const d = run.groups.workloads.find(
      (o) => o.kind === 'Deployment' && o.metadata.labels?.[LABEL_NAME] === s.service,
    );
    return d ? [{ service: s, deployment: canaryDeployment(d, s) }] : [];
  });
}

export const canary: DeployStrategy = {
  name: 'canary',

  async execute(outer: StrategyRun): Promise<Served> {
    const plan = planOf(outer);
    // Background analyses run for the whole canary (Argo's background analysis); the first that
    // fails ends every wait of the steps at once.
    const background = outer.analysisSkipped ? [] : plan.backgroundAnalysis;
    const stopBackground = new AbortController();
    const backgroundFailed = new AbortController();
    const watching = background.length
      ? outer.analyse(background, outer.wait(), stopBackground.signal).then((results) => {
          const bad = results.filter((a) => a.phase === 'failed' || a.phase === 'error');
          if (bad.length)
            backgroundFailed.abort(
              new StrategyFailed(
                `background analysis ${bad.map((a) => `${a.name} ${a.phase} (${a.message})`).join(', ')}`,
                results,
              ),
            );
          return results;
        })
      : Promise.resolve([]);
    watching.catch(() => undefined);
    const run: StrategyRun = {
      ...outer,
      wait: () => AbortSignal.any([outer.wait(), backgroundFailed.signal]),
    };
    try {
      const served = await executeSteps(run, plan);
      stopBackground.abort();
      const results = await watching;
      if (backgroundFailed.signal.aborted) throw backgroundFailed.signal.reason;
      return { ...served, analysis: [...served.analysis, ...results] };
    } finally {
      stopBackground.abort();
    }
  },

  async revert(run: StrategyRun): Promise<void> {
    const { ctx, app } = run;
    const plan = planOf(run);
    // Weight 0 first: the canary's pods leave the Service's endpoints as they are deleted.
    for (const c of canaries(run, plan))
      await ctx.cluster.delete(refOf(c.deployment, app.namespace), { propagationPolicy: 'Background' });
    if (run.previous) await restorePrevious(ctx, run.previous, [], run.wait());
  },

  cleanUpDelayMs(): number {
    return 0;
  },

  async cleanUp(): Promise<string | undefined> {
    return undefined;
  },
};

async function executeSteps(run: StrategyRun, plan: CanaryPlan): Promise<Served> {
  const { ctx, app } = run;
  const router = routerFor(run, plan);
  const started = canaries(run, plan);
  const analysis: Served['analysis'] = [];
  const stepCount = Math.max(0, ...plan.services.map((s) => s.steps.length));
  await run.steps.run(
    'roll-out',
    async () => {
      await ctx.cluster.apply(
        started.map((c) => c.deployment),
        { fieldManager: FIELD_MANAGER },
      );
    },
    `${started.map((c) => c.service.canaryDeployment).join(', ')} beside the stable version`,
  );
  for (let i = 0; i < stepCount; i++) {
    const step = plan.services[0]?.steps[i];
    if (!step) continue;
    if (step.kind === 'weight') {
      await run.steps.run(
        'roll-out',
        async () => {
          for (const s of plan.services) {
            const st = s.steps[i];
            if (st?.kind !== 'weight') continue;
            const refs = [s.canaryDeployment, s.stableDeployment].map((name) => ({
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              namespace: app.namespace,
              name,
            }));
            await rolloutGate(run, refs, (signal) =>
              router.setWeight(
                s,
                { weight: st.weight, canaryReplicas: st.canaryReplicas, stableReplicas: st.stableReplicas },
                signal,
              ),
            );
          }
        },
        `step ${i + 1}: weight ${step.weight}% (${plan.services
          .map((s) => {
            const st = s.steps[i];
            return st?.kind === 'weight'
              ? `${s.service} ${st.canaryReplicas} canary / ${st.stableReplicas} stable`
              : '';
          })
          .join(', ')})`,
      );
    } else if (step.kind === 'pause') {
      await run.steps.run(
        'analyse',
        async () => {
          if (step.untilPromote) await run.promotion(run.wait());
          else await ctx.clock.sleep((step.seconds ?? 0) * 1000, run.wait());
        },
        `step ${i + 1}: pause ${step.untilPromote ? 'until slipway promote' : `${step.seconds}s`}`,
      );
    } else {
      analysis.push(...(await analysisGate(run, step.analysis, `step ${i + 1}`)));
    }
  }
  await run.steps.run(
    'switch',
    async () => {
      const stable = run.groups.workloads;
      await ctx.cluster.apply([...stable, ...run.groups.traffic], {
        fieldManager: FIELD_MANAGER,
        force: true,
      });
      await rolloutGate(
        run,
        stable.filter((o) => o.kind === 'Deployment').map((o) => refOf(o, app.namespace)),
      );
      for (const c of started)
        await ctx.cluster.delete(refOf(c.deployment, app.namespace), { propagationPolicy: 'Background' });
    },
    `promote: ${plan.services.map((s) => s.stableDeployment).join(', ')} take the new version, canaries removed`,
  );
  return { analysis, objects: Object.values(run.groups).flat() };
}
