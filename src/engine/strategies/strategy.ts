/**
 * One interface for the ways a new version replaces the serving one, one file per strategy
 * (Argo Rollouts keeps `rollout/bluegreen.go` and `rollout/canary.go` side by side the same way).
 * `deploy.ts` runs the steps every strategy shares (render, check, lock, record, config, migrate)
 * and hands the rest to a strategy: roll out, analyse, switch; put the previous release back when
 * that fails; clean up after the release is recorded.
 */
import type { KubeObject } from '@slipway/kube';
import type { ResolvedApp } from '../../spec/resolved.js';
import type { AnalysisResult } from '../analysis/run.js';
import type { EngineContext } from '../context.js';
import type { ApplyPhase } from '../plan/order.js';
import type { DeployPlan } from '../plan/types.js';
import type { Colour, Release, Strategy } from '../releases/release.js';
import type { StepRecorder } from '../steps.js';

/** Everything a strategy works with for one deploy. */
export interface StrategyRun {
  ctx: EngineContext;
  app: ResolvedApp;
  plan: DeployPlan;
  /** The rendered objects, grouped by apply phase (foundation and dependencies are applied already). */
  groups: Record<ApplyPhase, KubeObject[]>;
  /** The release serving before this deploy, if any. */
  previous?: Release;
  steps: StepRecorder;
  /** A fresh signal that aborts at the deploy's deadline or when the lock is lost. */
  wait(): AbortSignal;
  /** Waits for the next `slipway promote` of this deploy (rejects on `slipway abort`). */
  promotion(signal: AbortSignal): Promise<void>;
  /** Set when analysis is off for this deploy (`--skip-analysis`): the reason the step is skipped. */
  analysisSkipped?: string;
  /**
   * Runs the named analyses (all at once; the first that does not pass stops the others). `stop`
   * ends runs with no count (background analysis) and assesses what they measured.
   */
  analyse(names: string[], signal: AbortSignal, stop?: AbortSignal): Promise<AnalysisResult[]>;
}

/** What serves once a strategy succeeded. */
export interface Served {
  analysis: AnalysisResult[];
  /** Every object the release now owns in the cluster, for the record's inventory and the next prune. */
  objects: KubeObject[];
  activeColours?: Record<string, Colour>;
}

/** The new version did not make it; `analysis` carries what was measured. */
export class StrategyFailed extends Error {
  constructor(
    message: string,
    readonly analysis: AnalysisResult[] = [],
  ) {
    super(message);
    this.name = 'StrategyFailed';
  }
}

export interface DeployStrategy {
  readonly name: Strategy;
  /** Roll out, analyse, switch. Rejects with StrategyFailed when the new version is not good enough. */
  execute(run: StrategyRun): Promise<Served>;
  /**
   * Puts traffic and workloads back as the previous release had them (run.previous), or, on a first
   * release, removes what the failed one started where that leaves nothing serving worse than before.
   */
  revert(run: StrategyRun): Promise<void>;
  /** How long clean-up waits, unlocked, before it starts (blue-green: the scale-down delay, keeping the old colour warm). */
  cleanUpDelayMs(run: StrategyRun): number;
  /** Whether cleanUp has work this time (blue-green: an old colour to scale down), even with no delay. */
  hasCleanUp(run: StrategyRun): boolean;
  /** After the release is recorded deployed and the delay passed, with the lock held again: e.g. scale the idle colour down. Returns what it did. */
  cleanUp(run: StrategyRun, served: Served): Promise<string | undefined>;
}
