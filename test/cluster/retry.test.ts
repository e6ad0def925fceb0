/**
 * The retry policy (src/cluster/retry.ts) with a fake clock: which failures repeat for which kind
 * of call, how long each wait is, and that the caller's signal ends the retries.
 */
import { describe, expect, it } from 'vitest';
import { ClusterError } from '../../src/cluster/cluster.js';
import {
  backoffDelay,
  CONNECTION_RESET_CODE,
  withRetries,
  type CallKind,
  type RetryClock,
  type RetryPolicy,
} from '../../src/cluster/retry.js';
import { UserError } from '../../src/errors.js';

const POLICY: RetryPolicy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };

/** Records every wait instead of waiting; aborts like the real sleep. */
function fakeClock(random = 0.5): RetryClock & { waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    random: () => random,
    sleep: (ms, signal) => {
      waits.push(ms);
      return signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve();
    },
  };
}

/** An attempt that fails with the given errors in turn, then returns 'ok'. */
function failing(...errors: unknown[]) {
  let calls = 0;
  const attempt = () => {
    const err = errors[calls++];
    return err === undefined ? Promise.resolve('ok') : Promise.reject(err);
  };
  return { attempt, calls: () => calls };
}

const e500 = () => new ClusterError(500, 'Other', 'boom', { what: 'get Deployment a/b' });
const e429 = (retryAfterMs?: number) => new ClusterError(429, 'Other', 'slow down', { retryAfterMs });

describe('backoffDelay', () => {
  it('doubles from the base, caps, and keeps half of each step fixed', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(POLICY, n, () => 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(POLICY, n, () => 0.999999))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });
});

describe('withRetries', () => {
  it('retries an idempotent call through 500s with growing waits', async () => {
    const clock = fakeClock();
    const call = failing(e500(), e500(), e500());
    expect(await withRetries({ kind: 'idempotent', attempt: call.attempt }, { policy: POLICY, clock })).toBe(
      'ok',
    );
    expect(call.calls()).toBe(4);
    expect(clock.waits).toEqual([75, 150, 300]);
  });

  it('waits what Retry-After says on a 429, capped, for every kind of call', async () => {
    for (const kind of ['idempotent', 'create', 'once'] as CallKind[]) {
      const clock = fakeClock();
      const call = failing(e429(2_000), e429(60_000), e429());
      expect(await withRetries({ kind, attempt: call.attempt }, { policy: POLICY, clock })).toBe('ok');
      expect(clock.waits).toEqual([2_000, 5_000, 300]);
    }
  });

  it('gives up after the attempts allowed, noting them on the error', async () => {
    const clock = fakeClock();
    const call = failing(e500(), e500(), e500(), e500(), e500(), e500());
    const err = await withRetries(
      { kind: 'idempotent', attempt: call.attempt },
      { policy: POLICY, clock },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as ClusterError).context.attempts).toBe(5);
    expect(call.calls()).toBe(5);
  });

  it('never repeats a refusal no retry can fix (404, 409, 422, 401)', async () => {
    for (const [status, reason] of [
      [404, 'NotFound'],
      [409, 'Conflict'],
      [422, 'Invalid'],
      [401, 'Unauthorized'],
    ] as const) {
      const call = failing(new ClusterError(status, reason, 'no'));
      await expect(
        withRetries({ kind: 'idempotent', attempt: call.attempt }, { policy: POLICY, clock: fakeClock() }),
      ).rejects.toMatchObject({ status });
      expect(call.calls()).toBe(1);
    }
  });

  it('repeats a create after a 500 only when the object is proven absent', async () => {
    const absent = failing(e500());
    let checks = 0;
    expect(
      await withRetries(
        { kind: 'create', attempt: absent.attempt, absent: async () => (checks++, true) },
        { policy: POLICY, clock: fakeClock() },
      ),
    ).toBe('ok');
    expect([absent.calls(), checks]).toEqual([2, 1]);

    const present = failing(e500());
    await expect(
      withRetries(
        { kind: 'create', attempt: present.attempt, absent: async () => false },
        { policy: POLICY, clock: fakeClock() },
      ),
    ).rejects.toMatchObject({ status: 500 });
    expect(present.calls()).toBe(1);

    const unnamed = failing(e500());
    await expect(
      withRetries({ kind: 'create', attempt: unnamed.attempt }, { policy: POLICY, clock: fakeClock() }),
    ).rejects.toMatchObject({ status: 500 });
    expect(unnamed.calls()).toBe(1);
  });

  it('does not repeat a JSON patch after a 500 or a reset connection, but does an idempotent call after a reset', async () => {
    const reset = () => new UserError('reset', { code: CONNECTION_RESET_CODE, exitCode: 3 });
    const once = failing(e500());
    await expect(
      withRetries({ kind: 'once', attempt: once.attempt }, { policy: POLICY, clock: fakeClock() }),
    ).rejects.toMatchObject({ status: 500 });
    const onceReset = failing(reset());
    await expect(
      withRetries({ kind: 'once', attempt: onceReset.attempt }, { policy: POLICY, clock: fakeClock() }),
    ).rejects.toBeInstanceOf(UserError);
    const idem = failing(reset(), reset());
    expect(
      await withRetries(
        { kind: 'idempotent', attempt: idem.attempt },
        { policy: POLICY, clock: fakeClock() },
      ),
    ).toBe('ok');
  });

  it('does not retry an unreachable server (connection refused, timeouts, certificates)', async () => {
    const call = failing(new UserError('cannot reach', { code: 'cluster-unreachable', exitCode: 3 }));
    await expect(
      withRetries({ kind: 'idempotent', attempt: call.attempt }, { policy: POLICY, clock: fakeClock() }),
    ).rejects.toMatchObject({ code: 'cluster-unreachable' });
    expect(call.calls()).toBe(1);
  });

  it("stops at the caller's signal: an aborted wait rejects with its reason and no attempt follows", async () => {
    const controller = new AbortController();
    const deadline = new Error('deadline');
    const clock = fakeClock();
    let calls = 0;
    const attempt = () => {
      calls++;
      controller.abort(deadline);
      return Promise.reject(e500());
    };
    await expect(
      withRetries({ kind: 'idempotent', attempt }, { policy: POLICY, clock, signal: controller.signal }),
    ).rejects.toBe(deadline);
    expect(calls).toBe(1);
  });
});
