/**
 * What `slipway drift --watch --metrics-address` exports after each check: the drifted objects per
 * kind (changed, missing and orphaned objects, each counted once) and when the last check finished.
 * A kind the release applies is exported with 0 when nothing of it drifted, so an alert on
 * `slipway_drift_objects > 0` resolves when the drift is fixed.
 */
import { sample as line } from '../metrics/exposition.js';
import { SERIES } from '../render/slipway-series.js';
import type { DriftReport } from './check.js';

export function driftExposition(report: DriftReport, kinds: readonly string[], checkedAt: Date): string {
  const objects = new Map<string, Set<string>>(kinds.map((k) => [k, new Set<string>()]));
  const add = (kind: string, id: string) => {
    const set = objects.get(kind) ?? new Set<string>();
    set.add(id);
    objects.set(kind, set);
  };
  for (const c of report.changed) add(c.kind, `${c.namespace ?? ''}/${c.name}`);
  for (const m of report.missing) add(m.kind, `${m.namespace ?? ''}/${m.name}`);
  for (const o of report.orphans) add(o.kind, `${o.namespace ?? ''}/${o.name}`);
  const labels = { app: report.app, environment: report.environment };
  return (
    [
      `# HELP ${SERIES.driftObjects} Objects that differ from the current release (changed, missing or orphaned), by kind.`,
      `# TYPE ${SERIES.driftObjects} gauge`,
      ...[...objects.keys()]
        .sort()
        .map((kind) => line(SERIES.driftObjects, { ...labels, kind }, objects.get(kind)!.size)),
      `# HELP ${SERIES.driftCheck} When the last drift check finished (Unix time).`,
      `# TYPE ${SERIES.driftCheck} gauge`,
      line(SERIES.driftCheck, labels, checkedAt.getTime() / 1000),
    ].join('\n') + '\n'
  );
}
