/**
 * What the Service proxy and the Gateway listeners share: following one kind in the store, and a
 * set of 127.0.0.1 listeners on free ports, keyed `<namespace>/<name>/<port>` by the object that
 * owns them, each with the client sockets it has open so closing it closes them too.
 */
import type { KubeObject } from '@slipway/kube';
import { createServer, type Server, type Socket } from 'node:net';
import type { ObjectStore, ResourceType, ServicePort, WatchEvent } from '../types.js';

/** Lists `type`, then watches it from that list; `sync` runs outside the store's callback. Returns the unwatch function. */
export function followKind(
  store: ObjectStore,
  type: ResourceType,
  sync: (object: KubeObject, deleted: boolean) => void,
): () => void {
  const { items, resourceVersion } = store.list(type, undefined);
  for (const o of items) sync(o, false);
  return store.watch(type, undefined, { resourceVersion }, (e: WatchEvent) => {
    if (e.type !== 'BOOKMARK') setImmediate(() => sync(e.object, e.type === 'DELETED'));
  });
}

export interface Loopback<S> {
  /** What `slipway sandbox status` lists; `localPort` is 0 until the listener is bound. */
  readonly port: ServicePort;
  readonly server: Server;
  readonly sockets: Set<Socket>;
  /** The owner's per-listener routing state. */
  readonly state: S;
}

export class LoopbackListeners<S> {
  private readonly byKey = new Map<string, Loopback<S>>();

  constructor(
    private readonly what: string,
    private readonly log: (line: string) => void,
    private readonly accept: (l: Loopback<S>, client: Socket) => void,
  ) {}

  static key(namespace: string, name: string, port: number): string {
    return `${namespace}/${name}/${port}`;
  }

  /** Opens a listener for `key` unless it is open already. */
  open(key: string, port: Omit<ServicePort, 'localPort'>, state: S): void {
    if (this.byKey.has(key)) return;
    const l: Loopback<S> = {
      port: { ...port, localPort: 0 },
      server: createServer((c) => this.accept(l, c)),
      sockets: new Set(),
      state,
    };
    this.byKey.set(key, l);
    l.server.on('error', (e) => this.log(`${this.what}: ${key}: ${e.message}`));
    l.server.listen(0, '127.0.0.1', () => {
      const addr = l.server.address();
      l.port.localPort = typeof addr === 'object' && addr ? addr.port : 0;
    });
  }

  /** Closes the listeners of `namespace/name` whose key is not in `keep`. */
  retain(namespace: string, name: string, keep: ReadonlySet<string>): void {
    const prefix = `${namespace}/${name}/`;
    for (const key of this.byKey.keys()) if (key.startsWith(prefix) && !keep.has(key)) void this.close(key);
  }

  ports(): ServicePort[] {
    return [...this.byKey.values()].map((l) => l.port).filter((p) => p.localPort > 0);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.byKey.keys()].map((key) => this.close(key)));
  }

  private close(key: string): Promise<void> {
    const l = this.byKey.get(key);
    this.byKey.delete(key);
    if (!l) return Promise.resolve();
    for (const s of l.sockets) s.destroy();
    return new Promise((done) => l.server.close(() => done()));
  }
}
