/**
 * Reads the release records of each target environment and computes its metrics. The records
 * come through `ReleaseStore.list`, so the same code runs over cluster Secrets and the in-memory
 * store; which store serves an environment is the caller's choice (one per namespace).
 */
import type { Release } from '../engine/releases/release.js';
import type { ReleaseStore } from '../engine/releases/store.js';
import { environmentMetrics, type EnvironmentMetrics, type MetricsWindow } from './dora.js';

export interface MetricsTarget {
  app: string;
  environment: string;
  store: Pick<ReleaseStore, 'list'>;
}

export interface TargetRecords {
  app: string;
  environment: string;
  releases: Release[];
}

export async function readRecords(targets: readonly MetricsTarget[]): Promise<TargetRecords[]> {
  return Promise.all(
    targets.map(async (t) => ({
      app: t.app,
      environment: t.environment,
      releases: await t.store.list(t.app, t.environment),
    })),
  );
}

export function metricsOf(records: readonly TargetRecords[], window: MetricsWindow): EnvironmentMetrics[] {
  return records.map((r) => environmentMetrics(r.app, r.environment, r.releases, window));
}
