/**
 * The event log and the watchers. Every persisted change gets exactly one entry, in
 * resourceVersion order; a watch from resourceVersion N replays entries after N, and one older than
 * the retained window is 410 Gone, as the apiserver's watch cache does
 * (k8s.io/apiserver/pkg/storage/cacher/watch_cache.go: "too old resource version").
 */
import type { KubeObject } from '@slipway/kube';
import { StoreError, type WatchEvent } from '../types.js';
import { typeKey, type ServedResource } from './registry.js';

export interface LoggedEvent {
  rv: number;
  typeKey: string;
  namespace: string | undefined;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  /** The object before a MODIFIED, so selector watches can turn it into ADDED/DELETED. */
  previous?: KubeObject;
}

export interface WatchFilter {
  type: ServedResource;
  namespace: string | undefined;
  matches: (obj: KubeObject) => boolean;
  shared?: boolean;
}

interface Watcher extends WatchFilter {
  key: string;
  lastRv: number;
  onEvent: (event: WatchEvent) => void;
}

export const DEFAULT_HISTORY_SIZE = 20_000;

export class WatchHub {
  private readonly log: LoggedEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private pending: LoggedEvent[] = [];
  private flushScheduled = false;
  private compactedRv = 0;

  constructor(private readonly historySize = DEFAULT_HISTORY_SIZE) {}

  /** Records an event; delivery is deferred to a microtask so a watcher that writes to the store from its callback cannot reorder what others see. */
  record(event: LoggedEvent): void {
    this.log.push(event);
    if (this.log.length > this.historySize) {
      const dropped = this.log.splice(0, this.log.length - this.historySize);
      this.compactedRv = dropped[dropped.length - 1]?.rv ?? this.compactedRv;
    }
    this.pending.push(event);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Versions up to this one are no longer replayable (trimmed, or from before a restart). */
  compactedThrough(rv: number): void {
    this.compactedRv = Math.max(this.compactedRv, rv);
  }

  /**
   * Starts a watcher. `initial` are synthetic ADDED objects (watch without a resourceVersion);
   * `fromRv` replays the log after that version.
   */
  watch(
    filter: WatchFilter,
    fromRv: number,
    initial: KubeObject[] | undefined,
    currentRv: number,
    onEvent: (e: WatchEvent) => void,
  ): () => void {
    const watcher: Watcher = { ...filter, key: typeKey(filter.type), lastRv: fromRv, onEvent };
    if (initial) {
      for (const object of initial)
        onEvent({ type: 'ADDED', object: filter.shared ? object : structuredClone(object) });
      watcher.lastRv = currentRv;
    } else {
      if (fromRv < this.compactedRv) {
        throw new StoreError(410, 'Gone', `too old resource version: ${fromRv} (${this.compactedRv})`);
      }
      for (const e of this.log) if (e.rv > fromRv) this.deliver(watcher, e);
    }
    this.watchers.add(watcher);
    return () => void this.watchers.delete(watcher);
  }

  watcherCount(): number {
    return this.watchers.size;
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    for (const e of batch) for (const w of this.watchers) this.deliver(w, e);
  }

  private deliver(w: Watcher, e: LoggedEvent): void {
    if (e.rv <= w.lastRv || e.typeKey !== w.key) return;
    if (w.namespace !== undefined && e.namespace !== w.namespace) return;
    w.lastRv = e.rv;
    const now = w.matches(e.object);
    const before = e.previous ? w.matches(e.previous) : now;
    let type: WatchEvent['type'] = e.type;
    if (e.type === 'MODIFIED') {
      if (now && !before) type = 'ADDED';
      else if (!now && before) type = 'DELETED';
      else if (!now) return;
    } else if (!now) return;
    w.onEvent({ type, object: w.shared ? e.object : structuredClone(e.object) });
  }
}
