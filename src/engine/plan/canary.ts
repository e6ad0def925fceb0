/**
 * Canary sizing without a mesh: the weight is the canary's share of ready pods behind one
 * Service. Same arithmetic as Argo Rollouts' basic canary
 * (`utils/replicaset/canary.go`, approximateWeightedCanaryStableReplicaCounts): try the floor and
 * the ceiling of replicas×weight, with and without one surge pod, keep the option whose actual
 * share is closest to the weight; on a tie between floor and ceiling take the larger canary; a
 * weight strictly between 0 and 100 never rounds either side to zero (unless one replica and no
 * surge). With route weights (Gateway API, nginx) pods need not carry the weight: the canary gets
 * ceil(replicas×weight/100), at least one pod for any weight above 0, and the stable stays whole
 * (Argo's trafficWeightToReplicas, with dynamicStableScale off).
 */

export interface ReplicaSplit {
  canary: number;
  stable: number;
}

function floorCeilingTied(weight: number, total: number): boolean {
  const scaled = (total * weight) / 100;
  return scaled - Math.floor(scaled) === 0.5;
}

function weightDelta(weight: number, canary: number, total: number): number {
  return Math.abs((canary * 100) / total - weight);
}

export function replicaRatioSplit(replicas: number, weight: number, maxSurge: number): ReplicaSplit {
  if (replicas === 0) return { canary: 0, stable: 0 };
  const ceil = Math.ceil((replicas * weight) / 100);
  const floor = Math.floor((replicas * weight) / 100);
  const zeroAllowed = weight === 100 || weight === 0 || (replicas === 1 && maxSurge === 0);
  const options: Array<{ canary: number; total: number }> = [];
  if (ceil < replicas || zeroAllowed) options.push({ canary: ceil, total: replicas });
  if (!floorCeilingTied(weight, replicas) && (floor !== 0 || zeroAllowed))
    options.push({ canary: floor, total: replicas });
  if (maxSurge > 0) {
    options.push({ canary: ceil, total: replicas + 1 });
    if (!floorCeilingTied(weight, replicas + 1) && (floor !== 0 || zeroAllowed))
      options.push({ canary: floor, total: replicas + 1 });
  }
  const first = options[0];
  if (!first) return { canary: 0, stable: replicas };
  let best = first;
  for (const option of options.slice(1)) {
    if (weightDelta(weight, option.canary, option.total) < weightDelta(weight, best.canary, best.total))
      best = option;
  }
  return { canary: best.canary, stable: best.total - best.canary };
}

export function routedSplit(replicas: number, weight: number): ReplicaSplit {
  // A weight above 0 routed to a Service with no pods would fail those requests: at least one pod.
  const canary = weight > 0 ? Math.max(1, Math.ceil((weight * replicas) / 100)) : 0;
  return { canary, stable: replicas };
}

export interface Autoscale {
  min: number;
  max: number;
}

/**
 * The replica count a canary is sized against. With an HPA the count is the HPA's, not the spec's:
 * its current desired replicas (read from the cluster before planning) clamped to [min, max], so
 * the plan starts from what the autoscaler chose instead of resetting it.
 */
export function baseReplicas(
  specReplicas: number | undefined,
  autoscale: Autoscale | undefined,
  current: number | undefined,
): number {
  if (!autoscale) return current ?? specReplicas ?? 1;
  return Math.min(autoscale.max, Math.max(autoscale.min, current ?? autoscale.min));
}

export interface CanarySizing extends ReplicaSplit {
  /** The canary's share of pods actually reached (differs from the weight when rounding or the HPA floor forces it). */
  effectiveWeight: number;
}

/**
 * One weight step sized for replica-ratio traffic, respecting an HPA: no surge pod when the base
 * is already at the HPA's max, and the stable (which the HPA targets) never below the HPA's min,
 * since the HPA would only scale it back up; the step then runs at the lower effective weight.
 */
export function sizeCanaryStep(
  base: number,
  weight: number,
  maxSurge: number,
  autoscale: Autoscale | undefined,
  traffic: 'replicas' | 'routed',
): CanarySizing {
  const surge = autoscale && base >= autoscale.max ? 0 : maxSurge;
  const split = traffic === 'replicas' ? replicaRatioSplit(base, weight, surge) : routedSplit(base, weight);
  const stable = autoscale && weight < 100 ? Math.max(split.stable, autoscale.min) : split.stable;
  const total = split.canary + stable;
  const effectiveWeight =
    traffic === 'routed' ? weight : total === 0 ? 0 : Math.round((split.canary * 10000) / total) / 100;
  return { canary: split.canary, stable, effectiveWeight };
}
