/**
 * The reconcile loop every controller shares, after client-go's informer + workqueue: list then
 * watch each input type from the list's resourceVersion (re-listing on 410 Gone), map events to
 * keys, and reconcile each key on its own later turn, one at a time, deduplicated. A Conflict
 * requeues the key at once; other errors back off. Reconcilers never run inside a watch callback,
 * so they may write to the store freely.
 */
import type { KubeObject } from '@slipway/kube';
import { StoreError, type Clock, type ObjectStore, type ResourceType, type WatchEvent } from '../types.js';
import type { EventSink } from './events.js';
import { isConflict, isNotFound } from './objects.js';

export interface WatchInput {
  type: ResourceType;
  /** The keys ("namespace/name") an event on this type makes dirty. */
  keys(event: WatchEvent): string[];
}

export interface ControllerSpec {
  name: string;
  inputs: WatchInput[];
  /** Returns a delay in ms to look again later (progress deadlines, minReadySeconds), or nothing. */
  reconcile(key: string): number | void;
}

export interface LoopContext {
  store: ObjectStore;
  clock: Clock;
  log: (line: string) => void;
  /** Records core/v1 Events about objects (see events.ts); absent means none are written. */
  events?: EventSink;
}

const ERROR_BACKOFF_MS = [5, 50, 250, 1000, 5000];

export class ControllerLoop {
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { cancel(): void }>();
  private readonly stops: (() => void)[] = [];
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly ctx: LoopContext,
    private readonly controller: ControllerSpec,
  ) {}

  start(): void {
    for (const input of this.controller.inputs) this.listAndWatch(input);
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.stops.splice(0)) s();
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  enqueue(key: string): void {
    if (this.stopped) return;
    this.dirty.add(key);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  enqueueAfter(key: string, ms: number): void {
    if (this.stopped) return;
    this.timers.get(key)?.cancel();
    this.timers.set(
      key,
      this.ctx.clock.setTimeout(
        () => {
          this.timers.delete(key);
          this.enqueue(key);
        },
        Math.max(0, ms),
      ),
    );
  }

  /** True when nothing is waiting to be reconciled right now (timers aside): for tests and benches. */
  idle(): boolean {
    return this.dirty.size === 0 && !this.scheduled;
  }

  private listAndWatch(input: WatchInput): void {
    if (this.stopped) return;
    const { items, resourceVersion } = this.ctx.store.list(input.type, undefined);
    for (const o of items) this.enqueueAll(input.keys({ type: 'ADDED', object: o }));
    try {
      const stop = this.ctx.store.watch(input.type, undefined, { resourceVersion }, (event) => {
        if (event.type !== 'BOOKMARK') this.enqueueAll(input.keys(event));
      });
      this.stops.push(stop);
    } catch (e) {
      // 410 Gone: our list is already older than the retained history; list again (reflector relist).
      if (e instanceof StoreError && e.status === 410) {
        setImmediate(() => this.listAndWatch(input));
        return;
      }
      throw e;
    }
  }

  private enqueueAll(keys: string[]): void {
    for (const k of keys) this.enqueue(k);
  }

  private drain(): void {
    this.scheduled = false;
    if (this.stopped) return;
    const keys = [...this.dirty];
    this.dirty.clear();
    for (const key of keys) {
      if (this.stopped) return;
      this.reconcileOne(key);
    }
  }

  private reconcileOne(key: string): void {
    try {
      const again = this.controller.reconcile(key);
      this.failures.delete(key);
      if (typeof again === 'number') this.enqueueAfter(key, again);
    } catch (e) {
      if (isNotFound(e)) return;
      if (isConflict(e)) {
        this.enqueue(key);
        return;
      }
      const n = this.failures.get(key) ?? 0;
      this.failures.set(key, n + 1);
      this.ctx.log(`${this.controller.name}: ${key}: ${(e as Error).message}`);
      const delay = ERROR_BACKOFF_MS[Math.min(n, ERROR_BACKOFF_MS.length - 1)] as number;
      const t = setTimeout(() => this.enqueue(key), delay);
      t.unref?.();
    }
  }
}

/** Maps an object to its own key. */
export function selfKey(event: WatchEvent): string[] {
  return [`${event.object.metadata.namespace ?? ''}/${event.object.metadata.name}`];
}

/** Maps an object to the key of its controller owner of the given kind. */
export function ownerKey(kind: string) {
  return (event: WatchEvent): string[] => {
    const o: KubeObject = event.object;
    const ref = o.metadata.ownerReferences?.find((r) => r.controller && r.kind === kind);
    return ref ? [`${o.metadata.namespace ?? ''}/${ref.name}`] : [];
  };
}
