/** Canary: the spec's steps turned into replica counts and pauses per service. */
import { UserError } from '../../errors.js';
import type { Deploy, Service } from '../../spec/schema.js';
import { CANARY_DEFAULT_STEPS } from '../defaults.js';
import { durationOr } from '../duration.js';
import { baseReplicas, sizeCanaryStep } from './canary.js';
import type { CanaryPlan, CanaryService, CanaryStepPlan } from './types.js';
import { defaultMaxSurge, type ServiceWorkload } from './workloads.js';

export function planCanary(workloads: ServiceWorkload[], services: Record<string, Service>, deploy: Deploy, analysisPhases: Record<string, string>, hpaReplicas: Record<string, number>): CanaryPlan {
  const traffic = deploy.canary?.traffic ?? 'replicas';
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
    const stepPlans: CanaryStepPlan[] = steps.map((step) => {
      if ('weight' in step) return { kind: 'weight', weight: step.weight, ...mapSizing(sizeCanaryStep(base, step.weight, surge, autoscale, traffic === 'replicas' ? 'replicas' : 'routed')) };
      if ('pause' in step) return typeof step.pause === 'string' ? { kind: 'pause', seconds: durationOr(step.pause, 0) / 1000, untilPromote: false } : { kind: 'pause', untilPromote: true };
      return { kind: 'analysis', analysis: [...step.analysis] };
    });
    planned.push({ service: w.service, stableDeployment: name, canaryDeployment: `${name}-canary`, baseReplicas: base, autoscale, steps: stepPlans });
  }
  const background = Object.keys(analysisPhases).filter((n) => analysisPhases[n] === 'background').sort();
  return { traffic, services: planned, backgroundAnalysis: background };
}

function mapSizing(s: { canary: number; stable: number; effectiveWeight: number }) {
  return { canaryReplicas: s.canary, stableReplicas: s.stable, effectiveWeight: s.effectiveWeight };
}
