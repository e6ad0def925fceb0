/**
 * What a deploy's planning would refuse for an environment, known from the spec and its rendered
 * objects alone: `slipway validate` reports these with render's problems, so a spec that validates
 * is one a deploy can plan. (Refusals that need the cluster, such as a held lock, are not here.)
 */
import type { KubeObject } from '@slipway/kube';
import { UserError, type Problem } from '../../errors.js';
import type { ResolvedApp } from '../../spec/resolved.js';
import { planTraffic, serviceTraffic } from './canary-routes.js';
import { workloadsOf } from './workloads.js';

export function planningProblems(app: ResolvedApp, objects: KubeObject[]): Problem[] {
  const requested = app.deploy.canary?.traffic;
  if (app.deploy.strategy !== 'canary' || requested === undefined) return [];
  const perService = workloadsOf(objects, Object.keys(app.services).sort())
    .filter((w) => w.deployment)
    .map((w) => serviceTraffic(w, objects, requested));
  try {
    planTraffic(perService, requested);
    return [];
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return [{ message: error.message, path: error.path, hint: error.hint }];
  }
}
