/**
 * The Service proxy (kube-proxy's job, in userspace mode like its original implementation): every
 * Service port gets a 127.0.0.1 port; each new TCP connection goes round-robin to a ready endpoint.
 * The choice is made per connection from the live Endpoints object and the kubelet's own view of
 * readiness, so a pod that turns not-ready or starts terminating gets no new connection from that
 * instant. A connect failure moves on to the next endpoint before the client sees anything
 * (like nginx's proxy_next_upstream). Simulated pods have nothing listening and are skipped.
 */
import type { KubeObject } from '@slipway/kube';
import { connect, type Socket } from 'node:net';
import type { ObjectStore, ServicePort } from '../types.js';
import { spec, type Kinds } from '../controllers/objects.js';
import type { Kubelet } from './kubelet.js';
import { followKind, LoopbackListeners, type Loopback } from './listeners.js';

interface Address {
  targetRef?: { uid?: string; name?: string };
}

export class ServiceProxy {
  /** Per listener: the next endpoint index of its round robin. */
  private readonly listeners: LoopbackListeners<{ next: number }>;
  private stopWatch: (() => void) | undefined;
  private stopped = false;

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
    this.stopWatch = followKind(this.store, this.k.service, (svc, deleted) => this.sync(svc, deleted));
  }

  ports(): ServicePort[] {
    return this.listeners.ports();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWatch?.();
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
    const svc = this.store.get(this.k.service, namespace, name);
    const ep = this.store.get(this.k.endpoints, namespace, name);
    if (!svc || !ep) return [];
    const portSpec = spec<{ ports?: { name?: string; port: number }[] }>(svc).ports?.find(
      (p) => p.port === servicePort,
    );
    const out: Backend[] = [];
    for (const subset of (ep.subsets ?? []) as {
      addresses?: Address[];
      ports?: { name?: string; port: number }[];
    }[]) {
      const port =
        subset.ports?.find((p) => (p.name ?? '') === (portSpec?.name ?? '')) ??
        (subset.ports?.length === 1 ? subset.ports[0] : undefined);
      if (!port) continue;
      for (const a of subset.addresses ?? []) {
        const worker = a.targetRef?.uid ? this.kubelet.workerByUid(a.targetRef.uid) : undefined;
        if (!worker || !worker.isReady()) continue;
        const pod = this.store.get(this.k.pod, namespace, a.targetRef?.name ?? '');
        if (!pod || pod.metadata.deletionTimestamp) continue;
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
