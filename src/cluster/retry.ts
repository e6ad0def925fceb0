/**
 * When a failed API call is tried again, and after how long: the one place that decides. The
 * KubeCluster wraps every request in `withRetries`; the watch loop uses `backoffDelay` between
 * re-watches. Time and randomness come in through `RetryClock` so the unit tests run instantly
 * and deterministically (docs/decisions/cluster-retries.md explains the rules).
 *
 * Imitated upstream behaviour: client-go retries a request answered with 429 (or a 5xx carrying
 * `Retry-After`) after the advertised delay (rest/request.go, `checkWait`), and its
 * `wait.Backoff` caps an exponential delay and adds jitter so a fleet of clients does not retry in
 * lock step.
 */
import { UserError } from '../errors.js';
import { ClusterError } from './cluster.js';

/**
 * What a call may safely repeat:
 * - `idempotent`: reads, server-side apply, merge/strategic patches, deletes, and replaces (a PUT
 *   with a resourceVersion can only win once; the retry then gets a Conflict the caller handles).
 * - `create`: a POST; repeating one that was applied would fail with AlreadyExists (or, with
 *   generateName, make a second object), so after an ambiguous failure it is retried only when a
 *   read-back proves the object does not exist.
 * - `once`: a JSON patch (an `add` to a list is not idempotent); retried only on 429.
 */
export type CallKind = 'idempotent' | 'create' | 'once';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The delay before the first retry; it doubles each time up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` longer than this is waited only this long. */
  maxRetryAfterMs: number;
}

/** Six attempts span about 6 s of backoff: long enough for a restarting API server, short enough to report. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 6,
  baseDelayMs: 200,
  maxDelayMs: 3_000,
  maxRetryAfterMs: 10_000,
};

export interface RetryClock {
  /** Resolves after `ms`; rejects with `signal.reason` as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A number in [0, 1). */
  random(): number;
}

export const realRetryClock: RetryClock = {
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  random: Math.random,
};

/** Capped exponential backoff with "equal jitter": half the step is fixed, half random. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(step / 2 + random() * (step / 2));
}

/** A failure the server may not have acted on, or may have: what decides a retry. */
type Failure = { kind: 'throttled'; retryAfterMs?: number } | { kind: 'server-error' } | { kind: 'final' };

/** Connection resets mid-request: the server may or may not have processed it, like a 5xx. */
export const CONNECTION_RESET_CODE = 'cluster-connection-reset';

export function classify(err: unknown): Failure {
  if (err instanceof ClusterError) {
    if (err.status === 429) return { kind: 'throttled', retryAfterMs: err.context.retryAfterMs };
    if (err.status >= 500 && err.status <= 599) return { kind: 'server-error' };
    return { kind: 'final' };
  }
  if (err instanceof UserError && err.code === CONNECTION_RESET_CODE) return { kind: 'server-error' };
  return { kind: 'final' };
}

export type Verdict =
  { action: 'fail' } | { action: 'retry'; delayMs: number } | { action: 'verify-absent'; delayMs: number };

/** Pure: what to do after attempt number `attempt` (1-based) failed with `err`. */
export function verdict(
  kind: CallKind,
  err: unknown,
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
): Verdict {
  if (attempt >= policy.attempts) return { action: 'fail' };
  const failure = classify(err);
  const backoff = backoffDelay(policy, attempt - 1, random);
  if (failure.kind === 'throttled') {
    // 429 means the request was not processed: any call may repeat it, after the server's delay.
    const delayMs =
      failure.retryAfterMs !== undefined ? Math.min(failure.retryAfterMs, policy.maxRetryAfterMs) : backoff;
    return { action: 'retry', delayMs };
  }
  if (failure.kind === 'server-error') {
    if (kind === 'idempotent') return { action: 'retry', delayMs: backoff };
    if (kind === 'create') return { action: 'verify-absent', delayMs: backoff };
  }
  return { action: 'fail' };
}

export interface RetryCall<R> {
  kind: CallKind;
  attempt: () => Promise<R>;
  /** For `create`: true when the object certainly does not exist (so the failed create was not applied). */
  absent?: () => Promise<boolean>;
}

export interface RetryOptions {
  policy?: RetryPolicy;
  clock?: RetryClock;
  signal?: AbortSignal;
}

export async function withRetries<R>(call: RetryCall<R>, opts: RetryOptions = {}): Promise<R> {
  const policy = opts.policy ?? DEFAULT_RETRY_POLICY;
  const clock = opts.clock ?? realRetryClock;
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      return await call.attempt();
    } catch (err) {
      const next = verdict(call.kind, err, attempt, policy, clock.random);
      if (next.action === 'verify-absent' && !(call.absent && (await call.absent())))
        throw noted(err, attempt);
      if (next.action === 'fail') throw noted(err, attempt);
      await clock.sleep(next.delayMs, opts.signal);
    }
  }
}

/** Records on a ClusterError how many attempts were made, for the message the user reads. */
function noted(err: unknown, attempts: number): unknown {
  if (err instanceof ClusterError) err.context.attempts = attempts;
  return err;
}
