/** Release records for the metrics tests, built from the few facts each case is about. */
import type { Release, ShippedCommit, StepTiming } from '../../src/engine/releases/release.js';
import type { ResolvedApp } from '../../src/spec/resolved.js';

const MIN = 60_000;
const iso = (t: number) => new Date(t).toISOString();

export interface RecordShape {
  revision: number;
  phase: Release['phase'];
  /** When render started. */
  start: string;
  /** Minutes from start to the end of the roll-out (or, failed, to the failing step's end). */
  minutes: number;
  /** Failed deploys: minutes the automatic switch back took (absent: no revert recorded). */
  revertMinutes?: number;
  /** Names of analyses that failed. */
  failedAnalyses?: string[];
  rollbackOf?: number;
  hotfix?: boolean;
  commits?: ShippedCommit[];
  message?: string;
}

export function record(s: RecordShape): Release {
  const start = Date.parse(s.start);
  const end = start + s.minutes * MIN;
  const failed = s.phase === 'rolled-back' || s.phase === 'failed' || s.phase === 'aborted';
  const steps: StepTiming[] = [
    { step: 'render', startedAt: iso(start), finishedAt: iso(start), durationMs: 0, outcome: 'ok' },
    {
      step: 'roll-out',
      startedAt: iso(start),
      finishedAt: iso(end),
      durationMs: end - start,
      outcome: failed ? 'failed' : 'ok',
    },
  ];
  if (s.revertMinutes !== undefined)
    steps.push({
      step: 'switch',
      startedAt: iso(end),
      finishedAt: iso(end + s.revertMinutes * MIN),
      durationMs: s.revertMinutes * MIN,
      outcome: 'ok',
      detail: `roll back to revision ${s.revision - 1}`,
    });
  // clean-up runs after the switch and is not part of the deploy's span
  if (!failed)
    steps.push({
      step: 'clean-up',
      startedAt: iso(end),
      finishedAt: iso(end + 10 * MIN),
      outcome: 'ok',
    });
  return {
    app: 'shop',
    environment: 'production',
    revision: s.revision,
    phase: s.phase,
    strategy: 'rolling',
    spec: {} as ResolvedApp,
    overrides: [],
    images: { web: `registry.example/shop:${s.revision}` },
    createdAt: iso(start),
    updatedAt: iso(end + 10 * MIN),
    steps,
    ...(s.message || failed ? { message: s.message ?? 'the roll-out failed' } : {}),
    ...(s.failedAnalyses
      ? { analysis: s.failedAnalyses.map((name) => ({ name, phase: 'failed', measurements: [] })) }
      : {}),
    ...(s.rollbackOf !== undefined ? { rollbackOf: s.rollbackOf } : {}),
    ...(s.commits || s.hotfix ? { change: { commits: s.commits ?? [], hotfix: s.hotfix } } : {}),
  };
}

/** A commit made `minutesBefore` minutes before `deployEnd`. */
export function commit(sha: string, deployEnd: string, minutesBefore: number): ShippedCommit {
  return { sha, committedAt: iso(Date.parse(deployEnd) - minutesBefore * MIN) };
}
