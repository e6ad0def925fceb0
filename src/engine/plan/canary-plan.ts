/** Canary: the spec's steps turned into replica counts, route weights and pauses per service. */
import type { KubeObject } from '@slipway/kube';
import { UserError } from '../../errors.js';
import type { Deploy, Service } from '../../spec/schema.js';
import { CANARY_DEFAULT_STEPS } from '../defaults.js';
import { durationOr } from '../../spec/duration.js';
import { baseReplicas, sizeCanaryStep } from './canary.js';
import { planTraffic, serviceTraffic } from './canary-routes.js';
import type { CanaryPlan, CanaryService, CanaryStepPlan, CanaryTraffic } from './types.js';
import { defaultMaxSurge, type ServiceWorkload } from './workloads.js';

export function planCanary(
  workloads: ServiceWorkload[],
  services: Record<string, Service>,
  deploy: Deploy,
  analysisPhases: Record<string, string>,
  hpaReplicas: Record<string, number>,
  objects: KubeObject[] = [],
): CanaryPlan {
  const requested: CanaryTraffic | undefined = deploy.canary?.traffic;
  const steps = deploy.canary?.steps ?? CANARY_DEFAULT_STEPS;
  steps.forEach((step, i) => {
    if (!('analysis' in step)) return;
    for (const name of step.analysis) {
      if (analysisPhases[name] === undefined) {
        throw new UserError(`canary step names analysis "${name}", which deploy.analysis does not define`, {
          code: 'canary-analysis',
          path: `deploy.canary.steps[${i}].analysis`,
          hint: `define deploy.analysis.${name} or use one of: ${Object.keys(analysisPhases).join(', ') || 'none defined'}`,
        });
      }
    }
  });
  const planned: CanaryService[] = [];
  for (const w of workloads) {
    if (!w.deployment) continue;
    const spec = services[w.service] ?? {};
    const autoscale = spec.autoscale ? { min: spec.autoscale.min, max: spec.autoscale.max } : undefined;
    const base = baseReplicas(spec.replicas, autoscale, hpaReplicas[w.service]);
    const surge = defaultMaxSurge(base);
    const name = w.deployment.metadata.name ?? w.service;
    const routing = serviceTraffic(w, objects, requested);
    const sizing = routing.route ? 'routed' : 'replicas';
    const stepPlans: CanaryStepPlan[] = steps.map((step) => {
      if ('weight' in step)
        return {
          kind: 'weight',
          weight: step.weight,
          ...mapSizing(sizeCanaryStep(base, step.weight, surge, autoscale, sizing)),
        };
      if ('pause' in step)
        return typeof step.pause === 'string'
          ? { kind: 'pause', seconds: durationOr(step.pause, 0) / 1000, untilPromote: false }
          : { kind: 'pause', untilPromote: true };
      return { kind: 'analysis', analysis: [...step.analysis] };
    });
    planned.push({
      service: w.service,
      stableDeployment: name,
      canaryDeployment: `${name}-canary`,
      traffic: routing.traffic,
      ...(routing.route ? { route: routing.route } : {}),
      scalesStable: !routing.route,
      baseReplicas: base,
      autoscale,
      steps: stepPlans,
    });
  }
  const named = (phase: string) =>
    Object.keys(analysisPhases)
      .filter((n) => analysisPhases[n] === phase)
      .sort();
  const chosen = planTraffic(planned, requested);
  return {
    traffic: chosen.traffic,
    trafficReason: chosen.reason,
    services: planned,
    backgroundAnalysis: named('background'),
    prePromotionAnalysis: named('pre-promotion'),
    postPromotionAnalysis: named('post-promotion'),
  };
}

function mapSizing(s: { canary: number; stable: number; effectiveWeight: number }) {
  return { canaryReplicas: s.canary, stableReplicas: s.stable, effectiveWeight: s.effectiveWeight };
}

/** How one weight step moves a service's traffic, as the plan, the dry run and the step detail say it. */
export function describeWeight(s: CanaryService, step: Extract<CanaryStepPlan, { kind: 'weight' }>): string {
  if (s.route)
    return `${s.service} ${step.weight}% via ${s.route.kind} ${s.route.name} (${step.canaryReplicas} canary pod${step.canaryReplicas === 1 ? '' : 's'}, stable ${s.autoscale ? 'left to its HPA' : 'unchanged'})`;
  return `${s.service} ${step.canaryReplicas} canary / ${step.stableReplicas} stable`;
}

/** The canary's steps in one line for the plan: `weight 20% via HTTPRoute sample-web, pause until promote, ...`. */
export function describeCanarySteps(plan: CanaryPlan): string {
  const first = plan.services[0];
  if (!first) return 'no Deployments to canary';
  return first.steps
    .map((step) => {
      if (step.kind === 'weight')
        return `weight ${step.weight}% ${first.route ? `via ${first.route.kind} ${first.route.name}` : `by replica ratio (${step.canaryReplicas} canary / ${step.stableReplicas} stable)`}`;
      if (step.kind === 'pause') return step.untilPromote ? 'pause until promote' : `pause ${step.seconds}s`;
      return `analysis ${step.analysis.join(', ')}`;
    })
    .join(', ');
}
