/**
 * Slipway's series in the Prometheus text exposition format (version 0.0.4), computed from the
 * release records at each scrape. Written directly rather than through prom-client: every value
 * is derived from stored records, not observed in this process, and prom-client's Summary would
 * estimate quantiles (t-digest) where `slipway metrics` prints exact nearest-rank figures; with
 * the text written here the scraped numbers are the CLI's numbers. Labels are `app`,
 * `environment`, `result` and `le`/`quantile` only: no versions, revisions or SHAs.
 *
 * Counters and the duration histogram cover every record kept (all time, as a counter must);
 * the DORA gauges and summaries cover the `--since` window, like `slipway metrics`.
 */
import type { EnvironmentMetrics } from './dora.js';
import type { DrillRecord, Release } from '../engine/releases/release.js';
import { deployFacts, OUTCOMES, type DeployFacts } from './facts.js';
import { SERIES } from '../render/slipway-series.js';
import type { TargetRecords } from './collect.js';
import { environmentMetrics, type MetricsWindow } from './dora.js';

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Deploy durations in seconds: sandbox deploys take seconds, real ones minutes. */
export const DURATION_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];

type Labels = Record<string, string>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** One sample line: `name{k="v",...} value` with label values escaped. */
export function sample(name: string, labels: Labels, value: number): string {
  const text = Object.entries(labels)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',');
  const number = Number.isFinite(value) ? String(value) : value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
  return `${name}{${text}} ${number}`;
}

class Family {
  readonly lines: string[] = [];
  constructor(
    readonly name: string,
    readonly type: 'counter' | 'gauge' | 'histogram' | 'summary',
    readonly help: string,
  ) {}
  add(labels: Labels, value: number, suffix = ''): void {
    this.lines.push(sample(this.name + suffix, labels, value));
  }
  text(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`, ...this.lines].join('\n');
  }
}

export function exposition(records: readonly TargetRecords[], window: MetricsWindow): string {
  const f = {
    deployments: new Family(SERIES.deployments, 'counter', 'Deploys recorded, by result (all records kept).'),
    rollbacks: new Family(
      SERIES.rollbacks,
      'counter',
      'Deploys that put a previous release back: automatic rollbacks and slipway rollback.',
    ),
    revision: new Family(SERIES.revision, 'gauge', 'The revision serving now.'),
    duration: new Family(SERIES.duration, 'histogram', 'Deploy duration, render to the last switch.'),
    frequency: new Family(SERIES.frequency, 'gauge', 'Successful deploys per day over the window.'),
    leadTime: new Family(
      SERIES.leadTime,
      'summary',
      'Commit to successful deploy over the window (nearest-rank quantiles).',
    ),
    changeFailure: new Family(
      SERIES.changeFailure,
      'gauge',
      'Failed deploys / deploys over the window; each deploy counted once.',
    ),
    recovery: new Family(
      SERIES.recovery,
      'summary',
      'Failure to restored service over the window (nearest-rank quantiles).',
    ),
    rework: new Family(
      SERIES.rework,
      'gauge',
      'Unplanned deploys (rollbacks, hotfixes) / deploys over the window.',
    ),
    window: new Family(SERIES.window, 'gauge', 'The length of the window the DORA series cover.'),
    drillTime: new Family(
      SERIES.drillTime,
      'gauge',
      "The last restore drill's start, per dependency (Unix time).",
    ),
    drillSuccess: new Family(
      SERIES.drillSuccess,
      'gauge',
      'The last restore drill: 1 restored, verified and within its RTO and RPO targets, else 0.',
    ),
    drillRto: new Family(SERIES.drillRto, 'gauge', 'The last restore drill: restore started to verified.'),
    drillRpo: new Family(
      SERIES.drillRpo,
      'gauge',
      'The last restore drill: the age of the backup it restored.',
    ),
  };
  for (const r of records) {
    const labels = { app: r.app, environment: r.environment };
    const facts = deployFacts(r.releases);
    for (const outcome of OUTCOMES)
      f.deployments.add({ ...labels, result: outcome }, facts.filter((x) => x.outcome === outcome).length);
    f.rollbacks.add(
      labels,
      facts.filter((x) => x.outcome === 'rolled-back' || x.rework === 'rollback').length,
    );
    const serving = r.releases
      .filter((x) => x.phase === 'deployed')
      .sort((a, b) => b.revision - a.revision)[0];
    if (serving) f.revision.add(labels, serving.revision);
    histogram(f.duration, labels, facts);
    drills(f, labels, r.releases);
    gauges(f, labels, environmentMetrics(r.app, r.environment, r.releases, window), window);
  }
  return (
    Object.values(f)
      .map((x) => x.text())
      .join('\n') + '\n'
  );
}

function histogram(family: Family, labels: Labels, facts: readonly DeployFacts[]): void {
  const seconds = facts.map((x) => (x.finishedAt - x.startedAt) / 1000);
  for (const le of DURATION_BUCKETS)
    family.add({ ...labels, le: String(le) }, seconds.filter((s) => s <= le).length, '_bucket');
  family.add({ ...labels, le: '+Inf' }, seconds.length, '_bucket');
  family.add(
    labels,
    seconds.reduce((a, b) => a + b, 0),
    '_sum',
  );
  family.add(labels, seconds.length, '_count');
}

function gauges(
  f: Record<'frequency' | 'leadTime' | 'changeFailure' | 'recovery' | 'rework' | 'window', Family>,
  labels: Labels,
  m: EnvironmentMetrics,
  window: MetricsWindow,
): void {
  f.window.add(labels, window.sinceMs / 1000);
  f.frequency.add(labels, m.deploymentFrequency.perDay);
  // A ratio or a quantile without a sample is left out rather than exported as 0 (which would read as elite).
  if (m.changeFailureRate.ratio !== null) f.changeFailure.add(labels, m.changeFailureRate.ratio);
  if (m.reworkRate.ratio !== null) f.rework.add(labels, m.reworkRate.ratio);
  const summary = (family: Family, s: EnvironmentMetrics['leadTime' | 'recoveryTime']) => {
    if (s.medianSeconds !== null) family.add({ ...labels, quantile: '0.5' }, s.medianSeconds);
    if (s.p90Seconds !== null) family.add({ ...labels, quantile: '0.9' }, s.p90Seconds);
    family.add(labels, s.sumSeconds, '_sum');
    family.add(labels, s.sampleSize, '_count');
  };
  summary(f.leadTime, m.leadTime);
  summary(f.recovery, m.recoveryTime);
}

/** The newest drill of each dependency, over every record kept (a drill is recorded on the release serving then). */
function drills(
  f: Record<'drillTime' | 'drillSuccess' | 'drillRto' | 'drillRpo', Family>,
  labels: Labels,
  releases: readonly Release[],
): void {
  const last = new Map<string, DrillRecord>();
  for (const d of releases.flatMap((r) => r.drills ?? []).sort((a, b) => a.at.localeCompare(b.at)))
    last.set(d.dependency, d);
  for (const [dependency, d] of [...last].sort(([a], [b]) => a.localeCompare(b))) {
    const l = { ...labels, dependency };
    f.drillTime.add(l, Date.parse(d.at) / 1000);
    f.drillSuccess.add(l, d.result === 'passed' ? 1 : 0);
    if (d.rtoMs !== undefined) f.drillRto.add(l, d.rtoMs / 1000);
    if (d.rpoMs !== undefined) f.drillRpo.add(l, d.rpoMs / 1000);
  }
}
