/**
 * Waiting on objects (one by name, or all that match a label selector) with a real watch, the
 * list-then-watch pattern of client-go's Reflector: list to get the current state and a resourceVersion, then
 * watch from that resourceVersion so no change in between is missed. A watch the server closes
 * (its timeout) resumes from the last resourceVersion seen; a watch the server expired (410 Gone,
 * the resourceVersion was compacted) starts over with a fresh list. A stream dropped mid-way (a
 * reset connection) or a watch request refused with 429 or 5xx is re-opened from the last
 * resourceVersion after a backoff; only `retry.attempts` failures in a row with nothing delivered
 * in between end the wait with the last error.
 */
import type { KubeObject } from '@slipway/kube';
import type { Watch } from '#kubernetes-client';
import { ClusterError, reasonForStatus } from './cluster.js';
import { backoffDelay, type RetryClock, type RetryPolicy } from './retry.js';

export interface WatchCollectionInput<T extends KubeObject> {
  /** For messages: `Pod shop (app=web)`. */
  what: string;
  apiVersion: string;
  kind: string;
  /** The collection URL path (`/apis/apps/v1/namespaces/shop/deployments`). */
  path: string;
  /** Selectors the list and the watch both use (`fieldSelector: metadata.name=web`, `labelSelector: app=web`). */
  selectors: { fieldSelector?: string; labelSelector?: string };
  /** Sees every matching object, by name, after the list and after each change. */
  until: (items: Map<string, T>) => boolean;
  signal: AbortSignal;
  list: () => Promise<{ items: T[]; resourceVersion: string }>;
  watcher: Watch;
  retry: RetryPolicy;
  clock: RetryClock;
  translate: (err: unknown) => Error;
}

/** Reconnects after a watch that delivered nothing back off up to this long, so a flapping server is not hammered. */
const MAX_RECONNECT_DELAY_MS = 1000;

/** A refusal the server may lift on its own: worth re-opening the watch for. */
function transientStatus(code: number | undefined): boolean {
  return code === 429 || (code !== undefined && code >= 500 && code <= 599);
}

interface StatusObject {
  code?: number;
  reason?: string;
  message?: string;
  metadata?: { resourceVersion?: string };
}

/** Resolves with the matching objects as soon as `until` holds for them. */
export function watchCollection<T extends KubeObject>(
  input: WatchCollectionInput<T>,
): Promise<Map<string, T>> {
  const { apiVersion, kind, path, selectors, until, signal, list, watcher, translate, retry, clock } = input;
  return new Promise<Map<string, T>>((resolve, reject) => {
    let settled = false;
    let controller: AbortController | undefined;
    let resourceVersion = '';
    let idleReconnects = 0;
    let failuresInARow = 0;
    let items = new Map<string, T>();

    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      controller?.abort();
      fn();
    };
    const fail = (err: unknown): void =>
      settle(() => reject(err instanceof ClusterError ? err : translate(err)));
    const onAbort = (): void => settle(() => reject(signal.reason));
    const evaluate = (): void => {
      try {
        if (until(items)) settle(() => resolve(items));
      } catch (err) {
        settle(() => reject(err));
      }
    };

    const relist = async (): Promise<void> => {
      const current = await list();
      if (settled) return;
      resourceVersion = current.resourceVersion;
      items = new Map(current.items.map((item) => [item.metadata.name ?? '', item]));
      evaluate();
      if (!settled) await startWatch();
    };

    /** Re-opens the watch after a failure, or gives up with `err` when failures keep coming. */
    const rewatch = (err: Error): void => {
      failuresInARow++;
      if (failuresInARow >= retry.attempts) return fail(err);
      clock.sleep(backoffDelay(retry, failuresInARow - 1, clock.random), signal).then(
        () => {
          if (!settled) startWatch().catch(fail);
        },
        () => undefined, // aborted: onAbort already settled
      );
    };

    const startWatch = async (): Promise<void> => {
      let gone = false;
      let delivered = false;
      let refused: ClusterError | undefined;
      const query = { ...selectors, resourceVersion, allowWatchBookmarks: true };
      controller = await watcher.watch(
        path,
        query,
        (type: string, raw: unknown) => {
          if (settled) return;
          if (type === 'ERROR') {
            const status = raw as StatusObject;
            const error = new ClusterError(
              status.code ?? 500,
              reasonForStatus(status.code ?? 500, status.reason),
              status.message ?? `watch of ${input.what} failed`,
            );
            if (status.code === 410) gone = true;
            else if (transientStatus(status.code)) refused = error;
            else fail(error);
            return;
          }
          delivered = true;
          failuresInARow = 0;
          const obj = raw as KubeObject;
          if (obj.metadata?.resourceVersion) resourceVersion = obj.metadata.resourceVersion;
          if (type === 'BOOKMARK') return;
          const name = obj.metadata?.name ?? '';
          if (type === 'DELETED') items.delete(name);
          else items.set(name, { ...obj, apiVersion, kind } as T);
          evaluate();
        },
        (err: unknown) => {
          if (settled) return;
          const statusCode = (err as { statusCode?: number } | null)?.statusCode;
          if (gone || statusCode === 410) {
            relist().catch(fail);
            return;
          }
          if (refused) return rewatch(refused);
          if (statusCode !== undefined) {
            const error = new ClusterError(
              statusCode,
              reasonForStatus(statusCode),
              `watch ${input.what}: HTTP ${statusCode}`,
            );
            if (transientStatus(statusCode)) return rewatch(error);
            return fail(error);
          }
          // A dropped stream or a failed connection: re-open from the last resourceVersion seen.
          if (err) return rewatch(translate(err));
          // The server ended the watch (its timeout): resume from the last resourceVersion seen.
          idleReconnects = delivered ? 0 : idleReconnects + 1;
          const delay = Math.min(MAX_RECONNECT_DELAY_MS, idleReconnects > 1 ? 50 * 2 ** idleReconnects : 0);
          setTimeout(() => {
            if (!settled) startWatch().catch(fail);
          }, delay);
        },
      );
      if (settled) controller.abort();
    };

    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', onAbort);
    relist().catch(fail);
  });
}
