/**
 * Canary (Argo Rollouts `rollout/canary.go`): the new version runs as `<name>-canary` beside the
 * stable Deployment; each weight step sets the split through the service's TrafficRouter (replica
 * ratio behind the one Service, or route weights: Gateway API HTTPRoute, nginx canary Ingress),
 * pauses wait a duration or for `slipway promote`, analysis steps run their analyses. After the
 * last step the stable Deployment takes the new pod template (a rolling update, the canary still
 * serving); only once it is fully available does the weight go back to 0, and the canary is
 * deleted. A failure at any step sets weight 0 first (one update), then deletes the canary and puts
 * the stable back as the previous release had it; until promotion its pod template is never touched.
 */
import type { KubeObject } from '@slipway/kube';
import { refOf } from '../../cluster/cluster.js';
import { FIELD_MANAGER } from '../defaults.js';
import { LABEL_ROLE, ROLE_CANARY } from '../plan/canary-labels.js';
import { describeWeight } from '../plan/canary-plan.js';
import type { CanaryPlan, CanaryService } from '../plan/types.js';
import { LABEL_NAME } from '../plan/order.js';
import { restorePrevious } from '../restore.js';
import { waitForRollouts } from '../rollout.js';
import { ROLLOUT_KINDS } from '../rollout-status.js';
import { routerFor, type TrafficRouter } from '../traffic/index.js';
import { analysisGate, rolloutGate, withBackgroundAnalysis } from './gates.js';
import type { DeployStrategy, Served, StrategyRun } from './strategy.js';

export { LABEL_ROLE } from '../plan/canary-labels.js';

function planOf(run: StrategyRun): CanaryPlan {
  if (!run.plan.canary) throw new Error('canary strategy without a canary plan');
  return run.plan.canary;
}

function routers(run: StrategyRun, plan: CanaryPlan): Map<string, TrafficRouter> {
  const objects = Object.values(run.groups).flat();
  return new Map(
    plan.services.map((s) => [s.service, routerFor(s, run.ctx.cluster, run.app.namespace, objects)]),
  );
}

function routerOf(routers: Map<string, TrafficRouter>, s: CanaryService): TrafficRouter {
  const r = routers.get(s.service);
  if (!r) throw new Error(`no traffic router for ${s.service}`);
  return r;
}

/** Weight 0 for every service (one update each), then the canary Deployments scaled to zero and deleted, then the routing objects removed. */
async function withdrawCanaries(run: StrategyRun, plan: CanaryPlan, signal: AbortSignal): Promise<void> {
  const all = routers(run, plan);
  for (const s of plan.services) await routerOf(all, s).reset(s);
  for (const s of plan.services) {
    const ref = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: run.app.namespace,
      name: s.canaryDeployment,
    };
    if (s.route && (await run.ctx.cluster.get(ref))) {
      // Gone from the canary Service's endpoints before the stable Service is widened again.
      await run.ctx.cluster.patch(ref, { spec: { replicas: 0 } }, 'merge', { fieldManager: FIELD_MANAGER });
      await waitForRollouts(run.ctx.cluster, [ref], signal);
    }
    await run.ctx.cluster.delete(ref, { propagationPolicy: 'Background' });
  }
  for (const s of plan.services) await routerOf(all, s).remove(s);
}

/** The rendered Deployment as the canary: its own name and a role label (so it owns its own ReplicaSets), zero replicas to start. */
export function canaryDeployment(d: KubeObject, s: CanaryService): KubeObject {
  const spec = (d.spec ?? {}) as {
    selector?: { matchLabels?: Record<string, string> };
    template?: { metadata?: { labels?: Record<string, string> } };
  } & Record<string, unknown>;
  const role = { [LABEL_ROLE]: ROLE_CANARY };
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
    return withBackgroundAnalysis(outer, plan.backgroundAnalysis, (run) => executeSteps(run, plan));
  },

  async revert(run: StrategyRun): Promise<void> {
    const plan = planOf(run);
    await withdrawCanaries(run, plan, run.wait());
    if (run.previous) await restorePrevious(run.ctx, run.previous, [], run.wait());
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

async function executeSteps(run: StrategyRun, plan: CanaryPlan): Promise<Served> {
  const { ctx, app } = run;
  const all = routers(run, plan);
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
      ctx.checkpoint?.('roll-out:applied');
      for (const s of plan.services)
        await rolloutGate(
          run,
          [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: app.namespace, name: s.stableDeployment }],
          (signal) => routerOf(all, s).prepare(s, signal),
        );
    },
    `${started.map((c) => c.service.canaryDeployment).join(', ')} beside the stable version${plan.services.some((s) => s.route) ? `, ${plan.services.flatMap((s) => s.route?.canaryService ?? []).join(', ')} selecting only its pods` : ''}`,
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
            const refs = (
              s.scalesStable ? [s.canaryDeployment, s.stableDeployment] : [s.canaryDeployment]
            ).map((name) => ({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: app.namespace, name }));
            await rolloutGate(run, refs, (signal) =>
              routerOf(all, s).setWeight(
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
            return st?.kind === 'weight' ? describeWeight(s, st) : '';
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
  if (plan.prePromotionAnalysis.length)
    analysis.push(...(await analysisGate(run, plan.prePromotionAnalysis, 'pre-promotion')));
  const routed = plan.services.filter((s) => s.route);
  await run.steps.run(
    'switch',
    async () => {
      const stable = run.groups.workloads;
      // The routes keep their weights until the stable is fully available; everything else of the
      // traffic phase (the stable Services, no longer pinned to the old pods) goes first.
      const routes = new Set(routed.map((s) => `${s.route?.kind}/${s.route?.name}`));
      const traffic = run.groups.traffic.filter(
        (o) => !(o.kind === 'HTTPRoute' && routes.has(`HTTPRoute/${o.metadata.name}`)),
      );
      await ctx.cluster.apply([...traffic, ...stable], { fieldManager: FIELD_MANAGER, force: true });
      await rolloutGate(
        run,
        stable.filter((o) => ROLLOUT_KINDS.has(o.kind)).map((o) => refOf(o, app.namespace)),
      );
      // Weight 0 (the rendered HTTPRoute, canary-weight 0), then the canaries go.
      await withdrawCanaries(run, plan, run.wait());
    },
    `promote: ${plan.services.map((s) => s.stableDeployment).join(', ')} take the new version${routed.length ? ', then weight 0 and' : ','} canaries removed`,
  );
  if (plan.postPromotionAnalysis.length)
    analysis.push(...(await analysisGate(run, plan.postPromotionAnalysis, 'post-promotion')));
  return { analysis, objects: Object.values(run.groups).flat() };
}
