import { describe, expect, it } from 'vitest';
import { environmentMetrics } from '../../src/metrics/dora.js';
import { percentile, median } from '../../src/metrics/stats.js';
import { changeFailureTier, frequencyTier, leadTimeTier, recoveryTier } from '../../src/metrics/tiers.js';
import { commit, record } from './records.js';

const window = { now: new Date('2026-03-31T00:00:00Z'), sinceMs: 30 * 86_400_000 };
const metrics = (records: ReturnType<typeof record>[]) =>
  environmentMetrics('shop', 'production', records, window);

describe('change failure rate: each deploy counted once however many incidents it had', () => {
  it('6 incidents on one of 4 deploys: 1/4, not 6/4', () => {
    const m = metrics([
      record({ revision: 1, phase: 'superseded', start: '2026-03-02T10:00:00Z', minutes: 5 }),
      record({
        revision: 2,
        phase: 'rolled-back',
        start: '2026-03-03T10:00:00Z',
        minutes: 4,
        revertMinutes: 2,
        failedAnalyses: ['error-rate', 'latency', 'smoke', 'saturation'],
      }),
      record({ revision: 3, phase: 'superseded', start: '2026-03-04T10:00:00Z', minutes: 5 }),
      record({ revision: 4, phase: 'deployed', start: '2026-03-05T10:00:00Z', minutes: 5 }),
    ]);
    expect(m.changeFailureRate.failedDeploys).toEqual([
      {
        revision: 2,
        signals: [
          'rolled-back: the roll-out failed',
          'step roll-out failed',
          'analysis error-rate failed',
          'analysis latency failed',
          'analysis smoke failed',
          'analysis saturation failed',
        ],
      },
    ]);
    expect(m.changeFailureRate).toMatchObject({ ratio: 0.25, failed: 1, sampleSize: 4, tier: 'low' });
    // failed at the roll-out's end (10:04), the previous release back at 10:06
    expect(m.recoveryTime).toMatchObject({
      medianSeconds: 120,
      p90Seconds: 120,
      sampleSize: 1,
      tier: 'elite',
    });
    expect(m.reworkRate).toMatchObject({ ratio: 0, rework: 0, sampleSize: 4 });
  });

  it('6 incidents across 2 of 4 deploys (one rolled back later by slipway rollback): 2/4', () => {
    const m = metrics([
      record({ revision: 1, phase: 'superseded', start: '2026-03-02T10:00:00Z', minutes: 5 }),
      record({ revision: 2, phase: 'superseded', start: '2026-03-03T10:00:00Z', minutes: 5 }),
      record({ revision: 3, phase: 'deployed', start: '2026-03-03T12:00:00Z', minutes: 3, rollbackOf: 1 }),
      record({
        revision: 4,
        phase: 'rolled-back',
        start: '2026-03-04T10:00:00Z',
        minutes: 4,
        revertMinutes: 1,
        failedAnalyses: ['error-rate', 'latency', 'smoke'],
      }),
    ]);
    const signals = m.changeFailureRate.failedDeploys.flatMap((f) => f.signals);
    expect(signals).toHaveLength(6);
    expect(m.changeFailureRate.failedDeploys.map((f) => f.revision)).toEqual([2, 4]);
    expect(m.changeFailureRate).toMatchObject({ ratio: 0.5, failed: 2, sampleSize: 4 });
    // revision 2 live at 03-03 10:05, revision 3 restored service at 12:03: 7080 s; revision 4: 60 s
    expect(m.recoveryTime).toMatchObject({ medianSeconds: 60, p90Seconds: 7080, sampleSize: 2 });
    // the rollback release is the unplanned deploy
    expect(m.reworkRate).toMatchObject({ ratio: 0.25, rework: 1, sampleSize: 4 });
    expect(m.deployments).toEqual({ total: 4, succeeded: 3, rolledBack: 1, failed: 0, aborted: 0 });
  });

  it('a deploy followed by a hotfix failed; the hotfix is rework', () => {
    const m = metrics([
      record({ revision: 1, phase: 'superseded', start: '2026-03-02T10:00:00Z', minutes: 5 }),
      record({ revision: 2, phase: 'deployed', start: '2026-03-02T11:00:00Z', minutes: 5, hotfix: true }),
    ]);
    expect(m.changeFailureRate.failedDeploys).toEqual([
      { revision: 1, signals: ['fixed by hotfix revision 2'] },
    ]);
    // revision 1 live at 10:05, the hotfix live at 11:05
    expect(m.recoveryTime.medianSeconds).toBe(3600);
    expect(m.reworkRate).toMatchObject({ ratio: 0.5, rework: 1 });
  });

  it('a failed deploy whose rollback failed recovers when the next deploy succeeds; until then it is unrecovered', () => {
    const failed = record({ revision: 2, phase: 'failed', start: '2026-03-10T10:00:00Z', minutes: 4 });
    const first = record({ revision: 1, phase: 'superseded', start: '2026-03-09T10:00:00Z', minutes: 5 });
    expect(metrics([first, failed]).recoveryTime).toMatchObject({ sampleSize: 0, unrecovered: 1 });
    const next = record({ revision: 3, phase: 'deployed', start: '2026-03-10T11:00:00Z', minutes: 6 });
    // failed at 10:04, next healthy live at 11:06
    expect(metrics([first, failed, next]).recoveryTime).toMatchObject({
      medianSeconds: 3720,
      sampleSize: 1,
      unrecovered: 0,
    });
  });

  it('no deploys in the window: no ratios, no tiers, sample sizes 0', () => {
    const m = metrics([
      record({ revision: 1, phase: 'deployed', start: '2026-01-02T10:00:00Z', minutes: 5 }),
    ]);
    expect(m.changeFailureRate).toMatchObject({ ratio: null, sampleSize: 0, tier: null });
    expect(m.leadTime).toMatchObject({ medianSeconds: null, sampleSize: 0, tier: null });
    expect(m.deploymentFrequency).toMatchObject({ perDay: 0, sampleSize: 0, tier: 'low' });
  });
});

describe('lead time and deployment frequency', () => {
  const end = (day: string) => `2026-03-${day}T09:10:00Z`;
  const records = [
    // before the window: neither its deploy nor its commit counts
    record({
      revision: 1,
      phase: 'superseded',
      start: '2026-02-20T09:00:00Z',
      minutes: 10,
      commits: [commit('0000001', '2026-02-20T09:10:00Z', 30)],
    }),
    record({
      revision: 2,
      phase: 'superseded',
      start: '2026-03-10T09:00:00Z',
      minutes: 10,
      commits: [
        commit('a000001', end('10'), 60),
        commit('a000002', end('10'), 120),
        commit('a000003', end('10'), 180),
      ],
    }),
    // rolled back: its commit b000001 is delivered by revision 4
    record({
      revision: 3,
      phase: 'rolled-back',
      start: '2026-03-11T09:00:00Z',
      minutes: 5,
      revertMinutes: 1,
      commits: [commit('b000001', end('11'), 30)],
    }),
    record({
      revision: 4,
      phase: 'superseded',
      start: '2026-03-12T09:00:00Z',
      minutes: 10,
      // a000003 again (a re-listed range): counted once, at revision 2
      commits: [
        commit('b000001', end('12'), 90),
        commit('b000002', end('12'), 10),
        commit('a000003', end('12'), 60),
      ],
    }),
    record({
      revision: 5,
      phase: 'deployed',
      start: '2026-03-14T09:00:00Z',
      minutes: 10,
      commits: [
        commit('c000001', end('14'), 2 * 24 * 60),
        commit('c000002', end('14'), 30),
        commit('c000003', end('14'), 15),
        commit('c000004', end('14'), 45),
        commit('c000005', end('14'), 75),
        // committed after the deploy ended (a skewed clock): left out and counted as excluded
        commit('d000001', end('14'), -5),
      ],
    }),
    // still running: not a deploy yet
    record({ revision: 6, phase: 'pending', start: '2026-03-30T09:00:00Z', minutes: 1 }),
  ];

  it('median and p90 by nearest rank over 10 commits', () => {
    const m = metrics(records);
    // 600 900 1800 2700 3600 4500 5400 7200 10800 172800: rank 5 and rank 9
    expect(m.leadTime).toEqual({
      medianSeconds: 3600,
      p90Seconds: 10800,
      sumSeconds: 210300,
      sampleSize: 10,
      deploysWithoutCommits: 0,
      excluded: 1,
      tier: 'elite',
    });
  });

  it('3 successful deploys in 30 days: 0.1 a day, the medium tier (at least monthly, not weekly)', () => {
    const m = metrics(records);
    expect(m.deploymentFrequency.sampleSize).toBe(3);
    expect(m.deploymentFrequency.perDay).toBeCloseTo(0.1, 10);
    expect(m.deploymentFrequency.perWeek).toBeCloseTo(0.7, 10);
    expect(m.deploymentFrequency.tier).toBe('medium');
    expect(m.deployments).toEqual({ total: 4, succeeded: 3, rolledBack: 1, failed: 0, aborted: 0 });
    expect(m.window).toEqual({ from: '2026-03-01T00:00:00.000Z', to: '2026-03-31T00:00:00.000Z', days: 30 });
  });
});

describe('percentiles and tiers', () => {
  it.each([
    [[5], 0.5, 5],
    [[1, 2, 3, 4], 0.5, 2],
    [[1, 2, 3, 4, 5], 0.5, 3],
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9, 90],
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110], 0.9, 100],
  ])('nearest rank of %j at %d is %d', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });
  it('no sample, no median', () => expect(median([])).toBeUndefined());

  it.each([
    [2, 'elite'],
    [1, 'elite'],
    [0.5, 'high'],
    [1 / 7, 'high'],
    [0.1, 'medium'],
    [1 / 30, 'medium'],
    [0.01, 'low'],
  ] as const)('%d deploys a day: %s', (perDay, tier) => expect(frequencyTier(perDay)).toBe(tier));

  it.each([
    [3599, 'elite', 'elite'],
    [3600, 'elite', 'high'],
    [86_399, 'elite', 'high'],
    [86_400, 'high', 'medium'],
    [7 * 86_400, 'high', 'medium'],
    [8 * 86_400, 'medium', 'low'],
    [31 * 86_400, 'low', 'low'],
  ] as const)('%d s: lead time %s, recovery %s', (s, lead, recovery) => {
    expect(leadTimeTier(s)).toBe(lead);
    expect(recoveryTier(s)).toBe(recovery);
  });

  it.each([
    [0, 'elite'],
    [0.05, 'elite'],
    [0.1, 'high'],
    [0.15, 'medium'],
    [0.25, 'low'],
  ] as const)('change failure ratio %d: %s', (r, tier) => expect(changeFailureTier(r)).toBe(tier));
});
