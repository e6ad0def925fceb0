/**
 * The delivery metrics of one app in one environment over a window ending at `now`, from its
 * release records (no clock inside: the caller passes `now`). Definitions in docs/metrics.md:
 * - deployment frequency: successful deploys started in the window, per day;
 * - lead time: for each commit, from its commit time to the end of the first successful deploy
 *   that shipped it (median and p90; a commit is counted once even if a failed deploy shipped it
 *   first);
 * - change failure rate: deploys with at least one failure signal / all deploys, each deploy
 *   counted once however many signals (incidents) it had;
 * - failed-deployment recovery time: from the failure to the end of the deploy that restored
 *   service (median and p90);
 * - rework rate: unplanned deploys (rollback releases, hotfixes) / all deploys.
 */
import type { Release } from '../engine/releases/release.js';
import { deployFacts, type DeployFacts } from './facts.js';
import { median, percentile } from './stats.js';
import {
  changeFailureTier,
  frequencyTier,
  leadTimeTier,
  recoveryTier,
  TIER_REPORT,
  type Tier,
} from './tiers.js';

const DAY_MS = 86_400_000;

export interface MetricsWindow {
  /** The end of the window. */
  now: Date;
  /** The window's length in milliseconds (`--since 30d`). */
  sinceMs: number;
}

export interface EnvironmentMetrics {
  app: string;
  environment: string;
  window: { from: string; to: string; days: number };
  tierReport: string;
  deployments: { total: number; succeeded: number; rolledBack: number; failed: number; aborted: number };
  deploymentFrequency: { perDay: number; perWeek: number; sampleSize: number; tier: Tier };
  leadTime: {
    medianSeconds: number | null;
    p90Seconds: number | null;
    /** The sum over the sample (the `_sum` of the exported summary). */
    sumSeconds: number;
    /** Commits measured. */
    sampleSize: number;
    /** Successful deploys that recorded no commits (not measurable: deployed without `--changes`). */
    deploysWithoutCommits: number;
    /** Commits whose time is at or after the deploy's end (clock skew, or amended later): left out. */
    excluded: number;
    tier: Tier | null;
  };
  changeFailureRate: {
    ratio: number | null;
    failed: number;
    sampleSize: number;
    tier: Tier | null;
    failedDeploys: Array<{ revision: number; signals: string[] }>;
  };
  recoveryTime: {
    medianSeconds: number | null;
    p90Seconds: number | null;
    sumSeconds: number;
    sampleSize: number;
    /** Failures in the window not recovered by `now`. */
    unrecovered: number;
    tier: Tier | null;
  };
  reworkRate: { ratio: number | null; rework: number; sampleSize: number; tier: null };
}

const seconds = (ms: number) => Math.round(ms) / 1000;
// Rounded to the millisecond like each term, so 0.1 + 0.2 prints 0.3.
const sum = (values: readonly number[]) => Math.round(values.reduce((a, b) => a + b, 0) * 1000) / 1000;

export function environmentMetrics(
  app: string,
  environment: string,
  releases: readonly Release[],
  window: MetricsWindow,
): EnvironmentMetrics {
  const to = window.now.getTime();
  const from = to - window.sinceMs;
  const all = deployFacts(releases);
  const inWindow = (t: number) => t > from && t <= to;
  const facts = all.filter((f) => inWindow(f.startedAt));
  const count = (o: DeployFacts['outcome']) => facts.filter((f) => f.outcome === o).length;
  const succeeded = count('succeeded');
  const days = window.sinceMs / DAY_MS;
  const perDay = days > 0 ? succeeded / days : 0;

  const lead = leadTimes(all, inWindow);
  const failedDeploys = facts.filter((f) => f.failureSignals.length > 0);
  const recoveries = failedDeploys
    .filter((f) => f.recoveredAt !== undefined && f.recoveredAt <= to)
    .map((f) => seconds(f.recoveredAt! - f.failedAt!));
  const ratio = (n: number) => (facts.length ? n / facts.length : null);
  const cfr = ratio(failedDeploys.length);
  const leadMedian = median(lead.seconds) ?? null;
  const recoveryMedian = median(recoveries) ?? null;
  const rework = facts.filter((f) => f.rework !== undefined).length;

  return {
    app,
    environment,
    window: { from: new Date(from).toISOString(), to: new Date(to).toISOString(), days },
    tierReport: TIER_REPORT,
    deployments: {
      total: facts.length,
      succeeded,
      rolledBack: count('rolled-back'),
      failed: count('failed'),
      aborted: count('aborted'),
    },
    deploymentFrequency: { perDay, perWeek: perDay * 7, sampleSize: succeeded, tier: frequencyTier(perDay) },
    leadTime: {
      medianSeconds: leadMedian,
      p90Seconds: percentile(lead.seconds, 0.9) ?? null,
      sumSeconds: sum(lead.seconds),
      sampleSize: lead.seconds.length,
      deploysWithoutCommits: lead.withoutCommits,
      excluded: lead.excluded,
      tier: leadMedian === null ? null : leadTimeTier(leadMedian),
    },
    changeFailureRate: {
      ratio: cfr,
      failed: failedDeploys.length,
      sampleSize: facts.length,
      tier: cfr === null ? null : changeFailureTier(cfr),
      failedDeploys: failedDeploys.map((f) => ({ revision: f.revision, signals: f.failureSignals })),
    },
    recoveryTime: {
      medianSeconds: recoveryMedian,
      p90Seconds: percentile(recoveries, 0.9) ?? null,
      sumSeconds: sum(recoveries),
      sampleSize: recoveries.length,
      unrecovered: failedDeploys.length - recoveries.length,
      tier: recoveryMedian === null ? null : recoveryTier(recoveryMedian),
    },
    reworkRate: { ratio: ratio(rework), rework, sampleSize: facts.length, tier: null },
  };
}

/** Each commit once, at the first successful deploy that shipped it, if that deploy started in the window. */
function leadTimes(
  all: readonly DeployFacts[],
  inWindow: (t: number) => boolean,
): { seconds: number[]; withoutCommits: number; excluded: number } {
  const shipped = new Set<string>();
  const result = { seconds: [] as number[], withoutCommits: 0, excluded: 0 };
  for (const f of all) {
    if (f.outcome !== 'succeeded') continue;
    const counted = inWindow(f.startedAt);
    if (counted && f.commits.length === 0 && f.rework !== 'rollback') result.withoutCommits++;
    for (const c of f.commits) {
      if (shipped.has(c.sha)) continue;
      shipped.add(c.sha);
      if (!counted) continue;
      const lead = f.finishedAt - Date.parse(c.committedAt);
      if (lead > 0) result.seconds.push(seconds(lead));
      else result.excluded++;
    }
  }
  return result;
}
