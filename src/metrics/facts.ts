/**
 * What the metrics need to know about each recorded release of one app in one environment, read
 * from the records alone: its result, when it started and finished, whether it counts as a failed
 * change (and every signal that says so), when the failure began and when service was restored.
 * Pure: the records in, plain facts out.
 */
import type { Release, ShippedCommit } from '../engine/releases/release.js';

import { RESULTS } from '../render/slipway-series.js';

/** The `result` label of slipway_deployments_total and the JSON breakdown. */
export type DeployOutcome = (typeof RESULTS)[number];
export const OUTCOMES: readonly DeployOutcome[] = RESULTS;

export interface DeployFacts {
  revision: number;
  outcome: DeployOutcome;
  /** Milliseconds since the epoch. */
  startedAt: number;
  finishedAt: number;
  /** An unplanned deploy: a `slipway rollback` release or a `deploy --hotfix`. */
  rework?: 'rollback' | 'hotfix';
  /**
   * Every signal that this release was a failed change (its own rollback, a failed analysis, a
   * failed step, being rolled back or hotfixed later). Empty: it did not fail. However many there
   * are, the release counts once in the change failure rate.
   */
  failureSignals: string[];
  /** When the failure began (detected, or for a release fixed later: when it went live). */
  failedAt?: number;
  /** When service was healthy again; undefined while it is not. */
  recoveredAt?: number;
  commits: ShippedCommit[];
}

const time = (iso: string | undefined): number | undefined => {
  const t = iso === undefined ? NaN : Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
};

export function outcomeOf(r: Release): DeployOutcome | undefined {
  switch (r.phase) {
    case 'deployed':
    case 'superseded':
      return 'succeeded';
    case 'rolled-back':
      return 'rolled-back';
    case 'failed':
      return 'failed';
    case 'aborted':
      return 'aborted';
    default:
      // pending: still running (or interrupted, which the next deploy records as aborted)
      return undefined;
  }
}

/** From the first step's start (render) to the last step's end, clean-up after the switch excluded. */
export function span(r: Release): { startedAt: number; finishedAt: number } {
  const starts = r.steps.map((s) => time(s.startedAt)).filter((t) => t !== undefined);
  const ends = r.steps
    .filter((s) => s.step !== 'clean-up')
    .map((s) => time(s.finishedAt))
    .filter((t) => t !== undefined);
  const startedAt = starts.length ? Math.min(...starts) : (time(r.createdAt) ?? 0);
  const finishedAt = ends.length ? Math.max(...ends) : (time(r.updatedAt) ?? startedAt);
  return { startedAt, finishedAt: Math.max(startedAt, finishedAt) };
}

function ownSignals(r: Release, outcome: DeployOutcome): string[] {
  const first = (text: string | undefined) => (text ?? '').split('\n')[0];
  const signals: string[] = [];
  if (outcome !== 'succeeded') signals.push(`${outcome}: ${first(r.message) || 'no reason recorded'}`);
  for (const s of r.steps) if (s.outcome === 'failed') signals.push(`step ${s.step} failed`);
  for (const a of r.analysis ?? []) {
    const { name, phase } = (a ?? {}) as { name?: unknown; phase?: unknown };
    if (phase === 'failed' || phase === 'error') signals.push(`analysis ${String(name)} ${phase}`);
  }
  return signals;
}

/** The facts of one environment's releases, by revision; pending records are left out. */
export function deployFacts(releases: readonly Release[]): DeployFacts[] {
  const finished = [...releases]
    .sort((a, b) => a.revision - b.revision)
    .flatMap((r) => {
      const outcome = outcomeOf(r);
      return outcome ? [{ r, outcome, ...span(r) }] : [];
    });
  return finished.map(({ r, outcome, startedAt, finishedAt }, i) => {
    const facts: DeployFacts = {
      revision: r.revision,
      outcome,
      startedAt,
      finishedAt,
      failureSignals: ownSignals(r, outcome),
      commits: r.change?.commits ?? [],
      ...(r.rollbackOf !== undefined
        ? { rework: 'rollback' as const }
        : r.change?.hotfix
          ? { rework: 'hotfix' as const }
          : {}),
    };
    const later = finished.slice(i + 1);
    const nextHealthy = later.find((n) => n.outcome === 'succeeded');
    if (outcome === 'succeeded') {
      // Replaced in service by a rollback away from it or a hotfix: it needed fixing.
      const next = nextHealthy?.r;
      const rolledBackFrom = next?.rollbackOf !== undefined && next.rollbackOf !== r.revision;
      if (next && (rolledBackFrom || next.change?.hotfix)) {
        facts.failureSignals.push(
          rolledBackFrom
            ? `rolled back by revision ${next.revision} (slipway rollback)`
            : `fixed by hotfix revision ${next.revision}`,
        );
        facts.failedAt = finishedAt;
        facts.recoveredAt = nextHealthy.finishedAt;
      }
      return facts;
    }
    const failedStep = r.steps.find((s) => s.outcome === 'failed');
    facts.failedAt = time(failedStep?.finishedAt) ?? startedAt;
    // The deploy put the previous release back itself: service was restored when that switch ended.
    const revert = r.steps.find(
      (s) => s.step === 'switch' && s.outcome === 'ok' && s.detail?.startsWith('roll back to revision'),
    );
    const restored = time(revert?.finishedAt) ?? nextHealthy?.finishedAt;
    if (restored !== undefined) facts.recoveredAt = Math.max(restored, facts.failedAt);
    return facts;
  });
}
