import { describe, expect, it } from 'vitest';
import type {
  AnalysisProvider,
  Measurement,
  MeasurementPhase,
} from '../../../src/engine/analysis/provider.js';
import { assess, runAnalysis, settingsOf, type AnalysisSettings } from '../../../src/engine/analysis/run.js';
import { ManualClock } from '../../../src/engine/clock.js';

const m = (phase: MeasurementPhase): Measurement => ({
  phase,
  message: phase,
  startedAt: 't',
  finishedAt: 't',
});
const s = (over: Partial<AnalysisSettings> = {}): AnalysisSettings => ({
  count: 3,
  initialDelayMs: 0,
  intervalMs: 1000,
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  ...over,
});

describe('assess (Argo Rollouts assessMetricStatus, worst limit wins)', () => {
  it.each<[string, MeasurementPhase[], Partial<AnalysisSettings>, string | undefined]>([
    ['one success of three: keep measuring', ['successful'], {}, undefined],
    ['three successes: successful', ['successful', 'successful', 'successful'], {}, 'successful'],
    ['a failure with failureLimit 0: failed at once', ['failed'], {}, 'failed'],
    [
      'a failure within failureLimit 1: keep measuring',
      ['failed', 'successful'],
      { failureLimit: 1 },
      undefined,
    ],
    [
      'failures tolerated to the end: successful',
      ['failed', 'successful', 'successful'],
      { failureLimit: 1 },
      'successful',
    ],
    ['two failures over failureLimit 1: failed', ['failed', 'failed'], { failureLimit: 1 }, 'failed'],
    ['an inconclusive measurement with limit 0: inconclusive', ['inconclusive'], {}, 'inconclusive'],
    ['inconclusive within its limit: keep measuring', ['inconclusive'], { inconclusiveLimit: 1 }, undefined],
    ['four errors in a row: keep measuring', ['error', 'error', 'error', 'error'], { count: 10 }, undefined],
    ['five errors in a row: error', ['error', 'error', 'error', 'error', 'error'], { count: 10 }, 'error'],
    [
      'errors broken by a success do not add up',
      ['error', 'error', 'error', 'successful', 'error', 'error'],
      { count: 10 },
      undefined,
    ],
    [
      'count reached on an error: error, never successful',
      ['successful', 'successful', 'error'],
      {},
      'error',
    ],
    [
      'failed and inconclusive both over limits: failed wins',
      ['inconclusive', 'failed'],
      { inconclusiveLimit: 0 },
      'failed',
    ],
  ])('%s', (_name, phases, settings, expected) => {
    expect(assess(phases.map(m), s(settings), false)?.phase).toBe(expected);
  });

  it('failed beats inconclusive when both limits are crossed in the same assessment', () => {
    // Argo lets the later check (inconclusive) overwrite the earlier (failed); a deploy must not
    // pause for a human when the evidence already says the release is bad.
    expect(assess([m('inconclusive'), m('failed')], s({ inconclusiveLimit: 0 }), false)?.phase).toBe(
      'failed',
    );
    expect(assess([m('error'), m('error'), m('failed')], s({ consecutiveErrorLimit: 0 }), false)?.phase).toBe(
      'failed',
    );
    expect(assess([m('inconclusive'), m('error')], s({ consecutiveErrorLimit: 0 }), false)?.phase).toBe(
      'error',
    );
  });

  it('a background run (interval, no count) ends only when stopped', () => {
    const bg = settingsOf({ interval: '10s', max: 1 });
    expect(bg.count).toBeUndefined();
    expect(assess([m('successful'), m('successful')], bg, false)).toBeUndefined();
    expect(assess([m('successful'), m('successful')], bg, true)?.phase).toBe('successful');
    expect(assess([], bg, true)?.phase).toBe('inconclusive');
  });

  it('defaults: one measurement when neither count nor interval is set', () => {
    expect(settingsOf({ max: 1 })).toMatchObject({
      count: 1,
      failureLimit: 0,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: 4,
    });
    expect(settingsOf({ max: 1, count: 5, interval: '30s' })).toMatchObject({ count: 5, intervalMs: 30_000 });
  });
});

/** Plays back a script of phases: a fake of our own interface, not of Prometheus. */
function scripted(phases: MeasurementPhase[]): AnalysisProvider & { calls: number } {
  return {
    kind: 'scripted',
    resolved: { query: 'q' },
    calls: 0,
    async measure() {
      const phase = phases[this.calls] ?? 'successful';
      this.calls += 1;
      return m(phase);
    },
  };
}

async function drive(clock: ManualClock, done: Promise<unknown>, stepMs: number): Promise<void> {
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    await new Promise((r) => setImmediate(r));
    if (clock.pending) await clock.advance(stepMs);
  }
}

describe('runAnalysis', () => {
  it('waits the interval between measurements, and returns every measurement and the decision', async () => {
    const clock = new ManualClock();
    const provider = scripted(['successful', 'successful', 'successful']);
    const seen: number[] = [];
    const run = runAnalysis({
      name: 'errorRate',
      spec: { max: 1, count: 3, interval: '30s' },
      provider,
      clock,
      signal: new AbortController().signal,
      onMeasurement: (_m, i) => seen.push(i),
    });
    await drive(clock, run, 30_000);
    const result = await run;
    expect(result).toMatchObject({
      name: 'errorRate',
      provider: 'scripted',
      resolved: { query: 'q' },
      phase: 'successful',
    });
    expect(result.measurements).toHaveLength(3);
    expect(seen).toEqual([0, 1, 2]);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:01:00.000Z');
  });

  it('takes the first measurement only after initialDelay', async () => {
    const clock = new ManualClock();
    const provider = scripted(['successful', 'successful']);
    const firstAt: string[] = [];
    const run = runAnalysis({
      name: 'e',
      spec: { max: 1, count: 2, interval: '10s', initialDelay: '45s' },
      provider,
      clock,
      signal: new AbortController().signal,
      onMeasurement: () => firstAt.push(clock.now().toISOString()),
    });
    await drive(clock, run, 5_000);
    expect((await run).phase).toBe('successful');
    expect(firstAt).toEqual(['2026-01-01T00:00:45.000Z', '2026-01-01T00:00:55.000Z']);
  });

  it('stops at the first measurement that crosses a limit', async () => {
    const clock = new ManualClock();
    const provider = scripted(['successful', 'failed', 'successful']);
    const run = runAnalysis({
      name: 'e',
      spec: { max: 1, count: 3, interval: '10s' },
      provider,
      clock,
      signal: new AbortController().signal,
    });
    await drive(clock, run, 10_000);
    expect((await run).phase).toBe('failed');
    expect(provider.calls).toBe(2);
  });

  it('a background run is ended by `stop` and assessed; an abort rejects', async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    const run = runAnalysis({
      name: 'bg',
      spec: { max: 1, interval: '10s' },
      provider: scripted([]),
      clock,
      signal: new AbortController().signal,
      stop: stop.signal,
    });
    for (let i = 0; i < 3; i++) {
      while (!clock.pending) await new Promise((r) => setImmediate(r));
      await clock.advance(10_000);
    }
    while (!clock.pending) await new Promise((r) => setImmediate(r));
    stop.abort();
    const result = await run;
    expect(result.phase).toBe('successful');
    expect(result.measurements).toHaveLength(4);

    const abort = new AbortController();
    const aborted = runAnalysis({
      name: 'bg',
      spec: { max: 1, interval: '10s' },
      provider: scripted([]),
      clock,
      signal: abort.signal,
    });
    while (!clock.pending) await new Promise((r) => setImmediate(r));
    abort.abort(new Error('deploy aborted'));
    await expect(aborted).rejects.toThrow('deploy aborted');
  });
});
