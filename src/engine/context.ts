/**
 * What every engine command works with, in one object (Helm's action.Configuration): the cluster,
 * the release store, the clock, who is deploying, and where progress goes. The CLI builds it; tests
 * build it from the in-memory cluster and store and a ManualClock.
 */
import type { Cluster } from '../cluster/cluster.js';
import { systemClock } from './clock.js';
import { defaultHolderIdentity } from './lock.js';
import { SecretReleaseStore } from './releases/secrets.js';
import type { Measurement } from './analysis/provider.js';
import type { Clock } from './clock.js';
import type { StepName } from './plan/types.js';
import type { ReleaseStore } from './releases/store.js';

export type DeployEvent =
  | {
      type: 'step';
      step: StepName;
      status: 'started' | 'ok' | 'failed' | 'skipped';
      at: string;
      durationMs?: number;
      detail?: string;
    }
  | { type: 'measurement'; analysis: string; index: number; measurement: Measurement }
  | { type: 'message'; level: 'info' | 'warn'; text: string; at: string };

export interface EngineContext {
  cluster: Cluster;
  store: ReleaseStore;
  clock: Clock;
  /** The lock holder identity and the release's `deployedBy`. */
  holder: string;
  /** The command line being run (`slipway deploy --env dev ...`), shown to whoever finds the lock taken. */
  command?: string;
  emit(event: DeployEvent): void;
  /**
   * A test hook: called, synchronously, at each named point of a deploy or rollback:
   * `<step>:started` and `<step>:ok` for every step, `roll-out:applied` (the new workloads written,
   * not yet ready), `recorded:<phase>` once the release is recorded deployed, rolled-back or aborted,
   * and `recorded:superseded` once its predecessors are. The CLI kills the process there when
   * SLIPWAY_TEST_KILL_AT names the point (cli/test-hooks.ts); engine tests freeze an in-memory
   * cluster there. Nothing else sets it.
   */
  checkpoint?(point: string): void;
}

/** The context for a real cluster: release records in Secrets of `namespace`, the system clock, this machine's identity. */
export function clusterContext(
  cluster: Cluster,
  namespace: string,
  emit: (e: DeployEvent) => void = () => undefined,
): EngineContext {
  return {
    cluster,
    store: new SecretReleaseStore(cluster, namespace),
    clock: systemClock,
    holder: defaultHolderIdentity(),
    emit,
  };
}
