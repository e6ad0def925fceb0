/**
 * How a canary's share of traffic is set, one implementation per mechanism (Argo Rollouts'
 * `rollout/trafficrouting/` TrafficRoutingReconciler, one package per provider): replica ratio
 * (`replica-ratio.ts`, needs nothing but the Service both Deployments sit behind), Gateway API
 * HTTPRoute weights (`gateway-api.ts`) and the nginx canary Ingress (`nginx.ts`).
 */
import type { CanaryService, CanaryTraffic } from '../plan/types.js';

export interface CanaryWeight {
  /** The step's requested weight (percent). */
  weight: number;
  canaryReplicas: number;
  stableReplicas: number;
}

export interface TrafficRouter {
  readonly kind: CanaryTraffic;
  /** Before the canary's pods start: what routes to them (the canary Service, the stable Service narrowed to the stable pods). */
  prepare(service: CanaryService, signal: AbortSignal): Promise<void>;
  /** Moves `weight` of the service's traffic to the canary; resolves once that share is serving. */
  setWeight(service: CanaryService, weight: CanaryWeight, signal: AbortSignal): Promise<void>;
  /** Weight 0 in one update: every request goes to the stable version again. */
  reset(service: CanaryService): Promise<void>;
  /** After `reset`: removes what `prepare` and `setWeight` created for routing (not the canary Deployment). */
  remove(service: CanaryService): Promise<void>;
  /** How a step reads in the output: `20% via HTTPRoute sample-web`. */
  describe(service: CanaryService, weight: number): string;
}
