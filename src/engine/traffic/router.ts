/**
 * How a canary's share of traffic is set, one implementation per mechanism (Argo Rollouts'
 * `rollout/trafficrouting/` TrafficRoutingReconciler, one package per provider). Replica ratio
 * needs nothing but the Service both Deployments sit behind; route weights (Gateway API
 * HTTPRoute, nginx canary annotations) are not built yet.
 */
import type { CanaryService } from '../plan/types.js';

export interface CanaryWeight {
  /** The step's requested weight (percent). */
  weight: number;
  canaryReplicas: number;
  stableReplicas: number;
}

export interface TrafficRouter {
  readonly kind: 'replicas' | 'gateway' | 'nginx';
  /** Moves `weight` of the service's traffic to the canary; resolves once that share is serving. */
  setWeight(service: CanaryService, weight: CanaryWeight, signal: AbortSignal): Promise<void>;
}
