/**
 * The deploy's budget must fire even when nothing but its own timer and sources hold it: on Node 20
 * `AbortSignal.any([AbortSignal.timeout(ms), …])` is lost to a garbage collection before it fires
 * (nodejs/node#57736), and a deploy waiting on it never ended. Every case here forces collections
 * while the budget runs.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/engine/clock.js';
import { Budget, DeadlineExceeded, LinkedSignal } from '../../src/engine/deadline.js';
import { forceGc } from '../helpers/gc.js';

/** Resolves with the abort reason; holds nothing but a listener on `signal`. */
function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(signal.reason), { once: true }),
  );
}

/** Collects garbage every few milliseconds until `done` settles. */
async function collectUntil(done: Promise<unknown>): Promise<unknown> {
  let settled = false;
  void done.finally(() => (settled = true));
  while (!settled) {
    await forceGc();
    await new Promise((r) => setTimeout(r, 20));
  }
  return done;
}

describe('Budget', () => {
  it('fires at its time on the system clock although no one keeps a reference to it, with collections in between', async () => {
    const lockLost = new AbortController();
    // The only references: the budget's timer and the listener `aborted` adds.
    const reason = await collectUntil(
      aborted(new Budget(systemClock, 300, 'the deploy timeout', [lockLost.signal]).signal),
    );
    expect(reason).toBeInstanceOf(DeadlineExceeded);
    expect((reason as DeadlineExceeded).message).toBe('the deploy timeout ran out (300ms)');
  });

  it('passes a source abort on (lock lost, slipway abort) with its reason, after collections', async () => {
    const abort = new AbortController();
    const waiting = aborted(new Budget(systemClock, 60_000, 'the deploy timeout', [abort.signal]).signal);
    await forceGc();
    setTimeout(() => abort.abort(new Error('abort requested')), 50);
    const reason = await collectUntil(waiting);
    expect((reason as Error).message).toBe('abort requested');
  });

  it('runs on the engine clock: a ManualClock decides when it ends', async () => {
    const clock = new ManualClock();
    const budget = new Budget(clock, 120_000, 'the deploy timeout');
    await clock.advance(119_999);
    expect(budget.signal.aborted).toBe(false);
    expect(budget.remainingMs()).toBe(1);
    await clock.advance(1);
    expect(budget.signal.reason).toBeInstanceOf(DeadlineExceeded);
    expect(budget.remainingMs()).toBe(0);
  });

  it('dispose() stops its timer and lets go of its sources', async () => {
    const clock = new ManualClock();
    const source = new AbortController();
    const budget = new Budget(clock, 1000, 'x', [source.signal]);
    budget.dispose();
    expect(clock.pending).toBe(0);
    source.abort(new Error('late'));
    await clock.advance(2000);
    expect(budget.signal.aborted).toBe(false);
  });
});

describe('LinkedSignal', () => {
  it('aborts when any source does, after collections, and is already aborted for an aborted source', async () => {
    const a = new AbortController();
    const b = new AbortController();
    const waiting = aborted(new LinkedSignal([a.signal, b.signal]).signal);
    await forceGc();
    b.abort(new Error('b'));
    expect(((await collectUntil(waiting)) as Error).message).toBe('b');
    expect(new LinkedSignal([b.signal]).signal.reason).toBe(b.signal.reason);
  });
});
