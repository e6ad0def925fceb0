/**
 * core/v1 Events, as client-go's EventRecorder writes them, so `kubectl describe` and
 * `kubectl get events` tell what the controllers and kubelet did. Repeats of the same reason and
 * message on the same object are folded into one Event with a growing `count`
 * (tools/record/events_cache.go EventCorrelator). Recording never fails a reconcile.
 */
import { type KubeObject, rfc3339 } from '@slipway/kube';
import type { Clock, ObjectStore } from '../types.js';
import { resourceType } from './objects.js';

export type EventType = 'Normal' | 'Warning';

export interface EventSink {
  record(about: KubeObject, type: EventType, reason: string, message: string): void;
}

const MAX_FOLDED = 4096;

export class EventRecorder implements EventSink {
  private readonly folded = new Map<string, string>();
  private seq = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: Clock,
    private readonly component: string,
  ) {}

  record(about: KubeObject, type: EventType, reason: string, message: string): void {
    const namespace = about.metadata.namespace ?? 'default';
    const now = rfc3339(this.clock.now());
    const eventType = resourceType(this.store, 'v1', 'Event');
    const key = `${about.metadata.uid}|${reason}|${message}`;
    try {
      const existing = this.folded.get(key);
      const current = existing ? this.store.get(eventType, namespace, existing) : undefined;
      if (current) {
        this.store.update({
          ...current,
          count: ((current.count as number | undefined) ?? 1) + 1,
          lastTimestamp: now,
        });
        return;
      }
      const name = `${about.metadata.name}.${(this.clock.now().getTime() * 1000 + (this.seq++ % 1000)).toString(16)}`;
      this.store.create({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: about.apiVersion,
          kind: about.kind,
          name: about.metadata.name,
          namespace: about.metadata.namespace,
          uid: about.metadata.uid,
          resourceVersion: about.metadata.resourceVersion,
        },
        reason,
        message,
        type,
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: {
          component: this.component,
          ...(this.component === 'kubelet' ? { host: 'sandbox-node' } : {}),
        },
        reportingComponent: this.component,
        reportingInstance: this.component === 'kubelet' ? 'sandbox-node' : '',
      });
      if (this.folded.size >= MAX_FOLDED) this.folded.delete(this.folded.keys().next().value as string);
      this.folded.set(key, name);
    } catch {
      // Events are best effort (a terminating namespace refuses them, as on a cluster).
    }
  }
}

/** For stores without an Event kind (the contract double): drop events. */
export const noEvents: EventSink = { record() {} };

export function eventSink(store: ObjectStore, clock: Clock, component: string): EventSink {
  return store.typeFor('v1', 'Event') ? new EventRecorder(store, clock, component) : noEvents;
}
