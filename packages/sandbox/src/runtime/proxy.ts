/**
 * The Service proxy (kube-proxy's job, in userspace mode like its original implementation): every
 * Service port gets a 127.0.0.1 port; each new TCP connection goes round-robin to a ready endpoint.
 * The choice is made per connection from the live Endpoints object and the kubelet's own view of
 * readiness, so a pod that turns not-ready or starts terminating gets no new connection from that
 * instant. A connect failure moves on to the next endpoint before the client sees anything
 * (like nginx's proxy_next_upstream). Simulated pods have nothing listening and are skipped.
 * Services, Endpoints and which pods are being deleted are kept from the store's watches (delivered
 * a microtask after each write, so before any later connection is accepted): choosing an endpoint
 * reads no object from the store, which would copy the Service, the Endpoints and every pod.
 */
import type { KubeObject } from '@slipway/kube';
import { connect, type Socket } from 'node:net';
import type { ObjectStore, ResourceType, ServicePort, WatchEvent } from '../types.js';
import { spec, type Kinds } from '../controllers/objects.js';
import type { Kubelet } from './kubelet.js';
import { followKind, LoopbackListeners, type Loopback } from './listeners.js';

interface Address {
  targetRef?: { uid?: string; name?: string };
}

interface Subset {
  addresses?: Address[];
  ports?: { name?: string; port: number }[];
}

export class ServiceProxy {
  /** Per listener: the next endpoint index of its round robin. */
  private readonly listeners: LoopbackListeners<{ next: number }>;
  private readonly stopWatches: Array<() => void> = [];
  private stopped = false;
  /** `ns/name` -> the Service's ports, the Endpoints' subsets; pod uid -> being deleted. */
  private readonly servicePorts = new Map<string, { name?: string; port: number }[]>();
  private readonly subsets = new Map<string, Subset[]>();
  private readonly pods = new Map<string, boolean>();

  constructor(
    private readonly store: ObjectStore,
    private readonly k: Kinds,
    private readonly kubelet: Kubelet,
    log: (line: string) => void,
  ) {
    this.listeners = new LoopbackListeners<{ next: number }>('proxy', log, (l, client) =>
      this.accept(l, client),
    );
  }

  start(): void {
    const key = (o: KubeObject) => `${o.metadata.namespace as string}/${o.metadata.name as string}`;
    this.stopWatches.push(
      this.keep(this.k.service, (e) => {
        if (e.type === 'DELETED') this.servicePorts.delete(key(e.object));
        else
          this.servicePorts.set(
            key(e.object),
            spec<{ ports?: { name?: string; port: number }[] }>(e.object).ports ?? [],
          );
      }),
      this.keep(this.k.endpoints, (e) => {
        if (e.type === 'DELETED') this.subsets.delete(key(e.object));
        else this.subsets.set(key(e.object), (e.object.subsets ?? []) as Subset[]);
      }),
      this.keep(this.k.pod, (e) => {
        const uid = e.object.metadata.uid as string;
        if (e.type === 'DELETED') this.pods.delete(uid);
        else this.pods.set(uid, !!e.object.metadata.deletionTimestamp);
      }),
      followKind(this.store, this.k.service, (svc, deleted) => this.sync(svc, deleted)),
    );
  }

  /** Lists `type` into `apply`, then keeps applying its watch events as they are delivered. */
  private keep(type: ResourceType, apply: (e: WatchEvent) => void): () => void {
    const { items, resourceVersion } = this.store.list(type, undefined);
    for (const object of items) apply({ type: 'ADDED', object });
    return this.store.watch(type, undefined, { resourceVersion }, (e) => {
      if (e.type !== 'BOOKMARK') apply(e);
    });
  }

  ports(): ServicePort[] {
    return this.listeners.ports();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const stop of this.stopWatches) stop();
    await this.listeners.closeAll();
  }

  private sync(svc: KubeObject, deleted: boolean): void {
    if (this.stopped) return;
    const ns = svc.metadata.namespace as string;
    const name = svc.metadata.name as string;
    const s = spec<{ type?: string; ports?: { port: number; protocol?: string }[] }>(svc);
    const wanted =
      deleted || svc.metadata.deletionTimestamp || s.type === 'ExternalName'
        ? []
        : (s.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP');
    this.listeners.retain(ns, name, new Set(wanted.map((p) => LoopbackListeners.key(ns, name, p.port))));
    for (const p of wanted)
      this.listeners.open(
        LoopbackListeners.key(ns, name, p.port),
        { namespace: ns, name, port: p.port, protocol: 'TCP' },
        { next: 0 },
      );
  }

  /** Ready backends for the Service port, in a stable order, resolved to loopback addresses (the gateway proxy routes to them too). */
  serviceBackends(namespace: string, name: string, servicePort: number): Backend[] {
    const ports = this.servicePorts.get(`${namespace}/${name}`);
    const subsets = this.subsets.get(`${namespace}/${name}`);
    if (!ports || !subsets) return [];
    const portSpec = ports.find((p) => p.port === servicePort);
    const out: Backend[] = [];
    for (const subset of subsets) {
      const port =
        subset.ports?.find((p) => (p.name ?? '') === (portSpec?.name ?? '')) ??
        (subset.ports?.length === 1 ? subset.ports[0] : undefined);
      if (!port) continue;
      for (const a of subset.addresses ?? []) {
        const uid = a.targetRef?.uid;
        const worker = uid ? this.kubelet.workerByUid(uid) : undefined;
        if (!worker || !worker.isReady()) continue;
        // Present and not being deleted (false); a pod the store no longer has is undefined.
        if (this.pods.get(uid as string) !== false) continue;
        const addr = worker.resolve(undefined, port.port);
        if (addr) out.push(addr);
      }
    }
    return out;
  }

  private accept(l: Loopback<{ next: number }>, client: Socket): void {
    forward(
      client,
      this.serviceBackends(l.port.namespace, l.port.name, l.port.port),
      l.state.next++,
      l.sockets,
    );
  }
}

export interface Backend {
  host: string;
  port: number;
}

/**
 * Pipes a new client connection to `backends[first]`, moving on to the next one on a connect
 * failure before the client sees anything; with none left the client is closed.
 */
export function forward(client: Socket, backends: Backend[], first: number, sockets: Set<Socket>): void {
  sockets.add(client);
  client.once('close', () => sockets.delete(client));
  client.on('error', () => client.destroy());
  client.pause();
  const tryNext = (attempt: number) => {
    if (attempt >= backends.length) {
      client.destroy();
      return;
    }
    const target = backends[(first + attempt) % backends.length] as Backend;
    const upstream = connect({ host: target.host, port: target.port });
    upstream.once('error', () => {
      upstream.destroy();
      if (!connected) tryNext(attempt + 1);
      else client.destroy();
    });
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      sockets.add(upstream);
      upstream.once('close', () => {
        sockets.delete(upstream);
        client.end();
      });
      client.pipe(upstream);
      upstream.pipe(client);
      client.once('close', () => upstream.destroy());
      client.resume();
    });
  };
  tryNext(0);
}
