/**
 * The deploy plan: what a deploy will do, decided before it does anything, as plain data
 * (Helm's rollback prepares, then performs; `slipway deploy --dry-run` prints this).
 */
import type { Colour, InventoryEntry, Strategy } from '../releases/release.js';
import type { ApplyPhase } from './order.js';

export type StepName = 'render' | 'check' | 'lock' | 'record' | 'apply-config' | 'migrate' | 'roll-out' | 'analyse' | 'switch' | 'clean-up';

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
}

export interface BlueGreenService {
  service: string;
  /** The colour serving now; undefined on the first release. */
  activeColour?: Colour;
  newColour: Colour;
  newDeployment: string;
  oldDeployment?: string;
  activeService: string;
  previewService: string;
  /** The active Service's selector before and after the switch (the only write that moves traffic). */
  selectorBefore?: Record<string, string>;
  selectorAfter: Record<string, string>;
}

export interface BlueGreenPlan {
  services: BlueGreenService[];
  prePromotionAnalysis: string[];
  postPromotionAnalysis: string[];
  postPromotionWindowSeconds: number;
  scaleDownDelaySeconds: number;
  autoPromote: boolean;
}

export type CanaryStepPlan =
  | { kind: 'weight'; weight: number; canaryReplicas: number; stableReplicas: number; effectiveWeight: number }
  | { kind: 'pause'; seconds?: number; untilPromote: boolean }
  | { kind: 'analysis'; analysis: string[] };

export interface CanaryService {
  service: string;
  stableDeployment: string;
  canaryDeployment: string;
  /** Replicas the split is computed from (the HPA's current count when autoscaled). */
  baseReplicas: number;
  autoscale?: { min: number; max: number };
  steps: CanaryStepPlan[];
}

export interface CanaryPlan {
  traffic: 'replicas' | 'gateway' | 'nginx';
  services: CanaryService[];
  /** Analyses that run for the whole canary (phase background). */
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
  rolling?: { services: RollingService[]; progressDeadlineSeconds: number; analysis: string[] };
  blueGreen?: BlueGreenPlan;
  canary?: CanaryPlan;
}
