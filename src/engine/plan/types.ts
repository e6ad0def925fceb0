/**
 * The deploy plan: what a deploy will do, decided before it does anything, as plain data
 * (Helm's rollback prepares, then performs; `slipway deploy --dry-run` prints this).
 */
import type { Colour, InventoryEntry, Strategy } from '../releases/release.js';
import type { ApplyPhase } from './order.js';

export type StepName =
  | 'render'
  | 'check'
  | 'lock'
  /** Only when the cluster has admission policy bindings: every object applied with dryRun=All first. */
  | 'admission'
  | 'record'
  | 'apply-config'
  | 'migrate'
  | 'roll-out'
  | 'analyse'
  | 'switch'
  | 'clean-up';

export interface PlanStep {
  name: StepName;
  /** One line a user reads in the progress display. */
  summary: string;
  /** Why the step does nothing this time (no migrations, first release, ...). */
  skipped?: string;
}

export interface ApplyGroup {
  phase: ApplyPhase;
  objects: InventoryEntry[];
}

export interface RollingService {
  service: string;
  deployment: string;
  replicas: number | 'autoscaled';
  /**
   * Set when the serving release is blue-green: its Service keeps selecting this colour until the
   * plain Deployment is ready, and only then switches (one update), so traffic never reaches a pod
   * of the new version before its rollout completed, nor a mix of both.
   */
  switchFrom?: { colour: Colour; activeService: string; selector: Record<string, string> };
}

export interface BlueGreenService {
  service: string;
  /** The colour serving now; undefined on the first release. */
  activeColour?: Colour;
  newColour: Colour;
  newDeployment: string;
  oldDeployment?: string;
  /** The rendered Deployment's own name: what serves after a rolling or canary release, before the first colour. */
  plainDeployment: string;
  activeService: string;
  previewService: string;
  /** The active Service's selector before and after the switch (the only write that moves traffic). */
  selectorBefore?: Record<string, string>;
  selectorAfter: Record<string, string>;
}

export interface BlueGreenPlan {
  services: BlueGreenService[];
  /** Analyses that run from the new colour's first pod to the end: on the preview before the switch, on the active after it. */
  backgroundAnalysis: string[];
  prePromotionAnalysis: string[];
  postPromotionAnalysis: string[];
  postPromotionWindowSeconds: number;
  scaleDownDelaySeconds: number;
  autoPromote: boolean;
}

export type CanaryStepPlan =
  | {
      kind: 'weight';
      weight: number;
      canaryReplicas: number;
      stableReplicas: number;
      effectiveWeight: number;
    }
  | { kind: 'pause'; seconds?: number; untilPromote: boolean }
  | { kind: 'analysis'; analysis: string[] };

/** How a canary's share of traffic is set: pods behind one Service, or a route's weights. */
export type CanaryTraffic = 'replicas' | 'gateway' | 'nginx';

/** The route a routed canary (gateway, nginx) moves weight through, found among the rendered objects. */
export interface CanaryRoute {
  /** HTTPRoute (gateway) or the stable Ingress a canary Ingress is copied from (nginx). */
  kind: 'HTTPRoute' | 'Ingress';
  name: string;
  /** The rendered Service the route sends to; pinned to the stable pods while the canary runs. */
  stableService: string;
  /** `<service>-canary`, selecting only the canary's pods. */
  canaryService: string;
  /** nginx: the second Ingress carrying the canary annotations. */
  canaryIngress?: string;
}

export interface CanaryService {
  service: string;
  stableDeployment: string;
  canaryDeployment: string;
  /** This service's router; `route` is set for gateway and nginx. */
  traffic: CanaryTraffic;
  route?: CanaryRoute;
  /** False with route weights: the stable Deployment's replicas are never written (with an HPA, the HPA owns them). */
  scalesStable: boolean;
  /** Replicas the split is computed from (the HPA's current count when autoscaled). */
  baseReplicas: number;
  autoscale?: { min: number; max: number };
  steps: CanaryStepPlan[];
}

export interface CanaryPlan {
  /** The router of the services (the first routed one's when they differ); per service in `services[].traffic`. */
  traffic: CanaryTraffic;
  /** Why: `deploy.canary.traffic`, or what the rendered objects expose. */
  trafficReason: string;
  services: CanaryService[];
  /** Analyses that run for the whole canary (phase background). */
  backgroundAnalysis: string[];
  /** After the last step, before the stable Deployments take the new version. */
  prePromotionAnalysis: string[];
  /** After the stable Deployments took the new version; a failure puts the previous release back. */
  postPromotionAnalysis: string[];
}

export interface RollingPlan {
  services: RollingService[];
  progressDeadlineSeconds: number;
  /** Analyses that run once the rollout completed. */
  analysis: string[];
  /** Analyses that run from the first new pod until the end; a failure undoes the rollout at once. */
  backgroundAnalysis: string[];
}

export interface DeployPlan {
  app: string;
  environment: string;
  namespace: string;
  revision: number;
  previousRevision?: number;
  strategy: Strategy;
  /** Why the strategy in effect differs from the spec's (a canary with no stable version yet). */
  strategyNote?: string;
  steps: PlanStep[];
  apply: ApplyGroup[];
  /** Objects the previous release applied that this one no longer renders: deleted in clean-up. */
  prune: InventoryEntry[];
  rolling?: RollingPlan;
  /** Services that roll in place whatever the strategy (`strategy: rolling` on the service, or a StatefulSet). */
  inPlace?: string[];
  blueGreen?: BlueGreenPlan;
  canary?: CanaryPlan;
}
