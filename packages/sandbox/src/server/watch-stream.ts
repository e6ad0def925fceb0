/**
 * Watch responses: chunked, one JSON event per line (client-node splits on newlines), headers
 * flushed at once (apiserver handlers/watch.go). A too-old resourceVersion is an ERROR event with
 * a 410 Expired Status, which makes client-go's reflector and client-node's informer relist.
 * Bookmarks go out when asked for, and `sendInitialEvents` ends its replay with the
 * `k8s.io/initial-events-end` bookmark (KEP-3157).
 */
import type { KubeObject } from '@slipway/kube';
import type { ServerResponse } from 'node:http';
import type { MemoryStore } from '../store/memory-store.js';
import { apiVersionOf, type ServedResource } from '../store/registry.js';
import type { WatchEvent } from '../types.js';
import { toStatus } from './status.js';
import { TABLE_CONTENT_TYPE, toTable, type IncludeObject } from './tables/table.js';

export const BOOKMARK_INTERVAL_MS = 30_000;
/** The apiserver picks 1800–3600 s when a watch names no timeout (minRequestTimeout 1800 s). */
export const DEFAULT_WATCH_TIMEOUT_SECONDS = 1800;

export interface WatchRequest {
  type: ServedResource;
  namespace: string | undefined;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  timeoutSeconds?: number;
  bookmarks: boolean;
  sendInitialEvents: boolean;
  table?: { includeObject: IncludeObject };
}

export function serveWatch(
  store: MemoryStore,
  req: WatchRequest,
  res: ServerResponse,
  onClose: (fn: () => void) => void,
): void {
  res.writeHead(200, {
    'Content-Type': req.table ? TABLE_CONTENT_TYPE : 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  let first = true;
  const write = (type: string, object: unknown) => {
    if (!res.writableEnded) res.write(JSON.stringify({ type, object }) + '\n');
  };
  const send = (e: WatchEvent) => {
    if (e.type === 'BOOKMARK') {
      if (!req.table) write('BOOKMARK', e.object);
      return;
    }
    if (req.table) {
      write(
        e.type,
        toTable(req.type.resource, [e.object], {
          includeObject: req.table.includeObject,
          noHeaders: !first,
          now: store.clock.now(),
        }),
      );
      first = false;
    } else write(e.type, e.object);
  };
  const bookmark = (annotations?: Record<string, string>) =>
    send({
      type: 'BOOKMARK',
      object: {
        apiVersion: apiVersionOf(req.type),
        kind: req.type.kind,
        metadata: { resourceVersion: store.resourceVersion(), ...(annotations ? { annotations } : {}) },
      } as KubeObject,
    });

  let stop: () => void = () => {};
  try {
    const fromList = req.sendInitialEvents || !req.resourceVersion || req.resourceVersion === '0';
    stop = store.watch(
      req.type,
      req.namespace,
      {
        labelSelector: req.labelSelector,
        fieldSelector: req.fieldSelector,
        resourceVersion: fromList ? undefined : req.resourceVersion,
        shared: true,
      },
      send,
    );
    if (req.sendInitialEvents) bookmark({ 'k8s.io/initial-events-end': 'true' });
  } catch (error) {
    write('ERROR', toStatus(error));
    res.end();
    return;
  }
  const timers: NodeJS.Timeout[] = [];
  const finish = () => {
    stop();
    for (const t of timers) clearTimeout(t);
    if (!res.writableEnded) res.end();
  };
  timers.push(setTimeout(finish, (req.timeoutSeconds ?? DEFAULT_WATCH_TIMEOUT_SECONDS) * 1000));
  if (req.bookmarks) {
    const interval = setInterval(() => bookmark(), BOOKMARK_INTERVAL_MS);
    timers.push(interval);
  }
  onClose(finish);
}
