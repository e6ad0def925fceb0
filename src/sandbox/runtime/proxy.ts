/**
 * The Service proxy (kube-proxy's job, in userspace mode like its original implementation): every
 * Service port gets a 127.0.0.1 port; each new TCP connection goes round-robin to a ready endpoint.
 * The choice is made per connection from the live Endpoints object and the kubelet's own view of
 * readiness, so a pod that turns not-ready or starts terminating gets no new connection from that
 * instant. A connect failure moves on to the next endpoint before the client sees anything
 * (like nginx's proxy_next_upstream). Simulated pods have nothing listening and are skipped.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { KubeObject, ObjectStore, ServicePort, WatchEvent } from '../types.js';
import { spec, type Kinds } from '../controllers/objects.js';
import type { Kubelet } from './kubelet.js';

interface Listener {
  service: ServicePort;
  server: Server;
  next: number;
  sockets: Set<Socket>;
}

interface Address {
  targetRef?: { uid?: string; name?: string };
}

export class ServiceProxy {
  private readonly listeners = new Map<string, Listener>();
  private stopWatch: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly k: Kinds,
    private readonly kubelet: Kubelet,
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    const { items, resourceVersion } = this.store.list(this.k.service, undefined);
    for (const s of items) this.sync(s, false);
    this.stopWatch = this.store.watch(this.k.service, undefined, { resourceVersion }, (e: WatchEvent) => {
      if (e.type !== 'BOOKMARK') setImmediate(() => this.sync(e.object, e.type === 'DELETED'));
    });
  }

  ports(): ServicePort[] {
    return [...this.listeners.values()].map((l) => l.service).filter((p) => p.localPort > 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWatch?.();
    await Promise.all([...this.listeners.keys()].map((key) => this.close(key)));
  }

  private sync(svc: KubeObject, deleted: boolean): void {
    if (this.stopped) return;
    const ns = svc.metadata.namespace as string;
    const name = svc.metadata.name as string;
    const s = spec<{ type?: string; ports?: { port: number; protocol?: string }[] }>(svc);
    const wanted = deleted || svc.metadata.deletionTimestamp || s.type === 'ExternalName' ? [] : (s.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP');
    const keys = new Set(wanted.map((p) => `${ns}/${name}/${p.port}`));
    for (const key of this.listeners.keys()) if (key.startsWith(`${ns}/${name}/`) && !keys.has(key)) void this.close(key);
    for (const p of wanted) {
      const key = `${ns}/${name}/${p.port}`;
      if (this.listeners.has(key)) continue;
      const l: Listener = { service: { namespace: ns, name, port: p.port, localPort: 0, protocol: 'TCP' }, server: createServer((c) => this.accept(l, c)), next: 0, sockets: new Set() };
      this.listeners.set(key, l);
      l.server.on('error', (e) => this.log(`proxy: ${key}: ${e.message}`));
      l.server.listen(0, '127.0.0.1', () => {
        const addr = l.server.address();
        l.service.localPort = typeof addr === 'object' && addr ? addr.port : 0;
      });
    }
  }

  private close(key: string): Promise<void> {
    const l = this.listeners.get(key);
    this.listeners.delete(key);
    if (!l) return Promise.resolve();
    for (const s of l.sockets) s.destroy();
    return new Promise((done) => l.server.close(() => done()));
  }

  /** Ready backends for the Service port, in a stable order, resolved to loopback addresses (the gateway proxy routes to them too). */
  serviceBackends(namespace: string, name: string, servicePort: number): Backend[] {
    const svc = this.store.get(this.k.service, namespace, name);
    const ep = this.store.get(this.k.endpoints, namespace, name);
    if (!svc || !ep) return [];
    const portSpec = spec<{ ports?: { name?: string; port: number }[] }>(svc).ports?.find((p) => p.port === servicePort);
    const out: Backend[] = [];
    for (const subset of (ep.subsets ?? []) as { addresses?: Address[]; ports?: { name?: string; port: number }[] }[]) {
      const port = subset.ports?.find((p) => (p.name ?? '') === (portSpec?.name ?? '')) ?? (subset.ports?.length === 1 ? subset.ports[0] : undefined);
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

  private accept(l: Listener, client: Socket): void {
    forward(client, this.serviceBackends(l.service.namespace, l.service.name, l.service.port), l.next++, l.sockets);
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
