/**
 * The one owner of a deploy's time. A deploy gets one Budget (deploy.timeout, --timeout), the way
 * back gets its own; every wait (watch, lock, analysis, migration Job, promotion, scale-down)
 * takes the budget's signal, so nothing waits past it and no wait sets its own timer.
 *
 * Why not `AbortSignal.any([AbortSignal.timeout(ms), ...])`: on Node 20 the signal `any` returns
 * is held only weakly by its sources, and `AbortSignal.timeout`'s timer holds its signal weakly
 * too, so a garbage collection before the timeout fires can drop the combined signal together with
 * every listener a watch put on it; the timeout then never reaches the watch
 * (nodejs/node#57736; a deploy waiting for pods that never got ready hung for 10 minutes). Here
 * every link is a strong reference: the timer holds the controller, each source holds a listener
 * that holds the controller, and whoever waits holds the signal.
 */
import { setMaxListeners } from 'node:events';
import type { Clock } from './clock.js';
import { formatDuration } from '../spec/duration.js';

/** The budget ran out. */
export class DeadlineExceeded extends Error {
  constructor(
    readonly budget: string,
    readonly ms: number,
  ) {
    super(`${budget} ran out (${formatDuration(ms)})`);
    this.name = 'DeadlineExceeded';
  }
}

/** A signal that aborts when any of `sources` does (with that source's reason), held strongly. */
export class LinkedSignal {
  private readonly controller = new AbortController();
  private readonly unlinks: Array<() => void> = [];

  constructor(sources: AbortSignal[]) {
    // Every wait of a deploy listens on this one signal: a 50-service roll-out watches 50
    // workloads at once. No limit, so Node does not warn of a leak (MaxListenersExceededWarning).
    setMaxListeners(0, this.controller.signal);
    for (const source of sources) this.follow(source);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Aborts with `reason` unless already aborted. */
  abort(reason: unknown): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
    this.dispose();
  }

  follow(source: AbortSignal): void {
    if (source.aborted) return this.abort(source.reason);
    const onAbort = (): void => this.abort(source.reason);
    source.addEventListener('abort', onAbort, { once: true });
    this.unlinks.push(() => source.removeEventListener('abort', onAbort));
  }

  /** Stops following the sources (they may live much longer than this signal). */
  dispose(): void {
    for (const unlink of this.unlinks.splice(0)) unlink();
  }
}

/**
 * A time budget on the engine's clock: `signal` aborts with DeadlineExceeded when `ms` pass, or
 * with a source's reason when one of `sources` (lock lost, `slipway abort`) aborts first.
 * `dispose()` when done, so the timer does not keep the process alive.
 */
export class Budget {
  readonly endsAt: number;
  private readonly linked: LinkedSignal;
  private readonly timer = new AbortController();

  constructor(
    private readonly clock: Clock,
    readonly ms: number,
    readonly name: string,
    sources: AbortSignal[] = [],
  ) {
    this.endsAt = clock.now().getTime() + ms;
    this.linked = new LinkedSignal(sources);
    clock.sleep(ms, this.timer.signal).then(
      () => this.linked.abort(new DeadlineExceeded(name, ms)),
      () => undefined,
    );
  }

  get signal(): AbortSignal {
    return this.linked.signal;
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - this.clock.now().getTime());
  }

  dispose(): void {
    this.timer.abort();
    this.linked.dispose();
  }
}

/** `signal`, or `ms` after now, whichever ends first: for one bounded request inside a longer wait. Call `dispose()` after the request. */
export function withTimeout(clock: Clock, signal: AbortSignal, ms: number, what: string): Budget {
  return new Budget(clock, ms, what, [signal]);
}
