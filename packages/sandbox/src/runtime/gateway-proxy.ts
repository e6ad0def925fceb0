/**
 * A minimal Gateway API data plane for the sandbox, so a route-weight canary's traffic share can be
 * measured: every listener of a Gateway (gateway.networking.k8s.io/v1) gets a 127.0.0.1 port,
 * listed beside the Service ports as `gateway/<name>`. Each new TCP connection is routed by the
 * HTTPRoutes attached to that Gateway (parentRefs by name and namespace, optionally sectionName or
 * port): the first rule of the oldest attached route, whose backendRefs are picked by smooth
 * weighted round robin (nginx's upstream algorithm; weight 0 refs get nothing), then a ready
 * endpoint of that Service by round robin. It works at the connection level: hostnames, path
 * matches, filters and more than one route per listener are not interpreted (the first attached
 * route takes every connection).
 */
import type { KubeObject } from '@slipway/kube';
import type { Socket } from 'node:net';
import type { ObjectStore, ResourceType, ServicePort } from '../types.js';
import { resourceType, spec } from '../controllers/objects.js';
import { followKind, LoopbackListeners, type Loopback } from './listeners.js';
import { forward, type ServiceProxy } from './proxy.js';

interface ListenerState {
  gateway: { namespace: string; name: string };
  sectionName: string;
  /** Smooth weighted round robin state per backendRef key. */
  current: Map<string, number>;
  nextEndpoint: number;
}

type Listener = Loopback<ListenerState>;

interface BackendRef {
  name?: string;
  namespace?: string;
  kind?: string;
  port?: number;
  weight?: number;
}

interface ParentRef {
  name?: string;
  namespace?: string;
  sectionName?: string;
  port?: number;
}

/** nginx's smooth weighted round robin: add each weight, take the largest, subtract the total from it. */
export function pickWeighted<T>(
  items: Array<{ key: string; weight: number; item: T }>,
  current: Map<string, number>,
): T | undefined {
  const live = items.filter((i) => i.weight > 0);
  const total = live.reduce((n, i) => n + i.weight, 0);
  let best: { key: string; weight: number; item: T } | undefined;
  for (const i of live) {
    current.set(i.key, (current.get(i.key) ?? 0) + i.weight);
    if (!best || (current.get(i.key) ?? 0) > (current.get(best.key) ?? 0)) best = i;
  }
  if (best) current.set(best.key, (current.get(best.key) ?? 0) - total);
  return best?.item;
}

export class GatewayProxy {
  private readonly listeners: LoopbackListeners<ListenerState>;
  private readonly gatewayType: ResourceType;
  private readonly routeType: ResourceType;
  private stopWatch: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly services: ServiceProxy,
    log: (line: string) => void,
  ) {
    this.listeners = new LoopbackListeners<ListenerState>('gateway proxy', log, (l, client) =>
      this.accept(l, client),
    );
    this.gatewayType = resourceType(store, 'gateway.networking.k8s.io/v1', 'Gateway');
    this.routeType = resourceType(store, 'gateway.networking.k8s.io/v1', 'HTTPRoute');
  }

  start(): void {
    this.stopWatch = followKind(this.store, this.gatewayType, (gw, deleted) => this.sync(gw, deleted));
  }

  ports(): ServicePort[] {
    return this.listeners.ports();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWatch?.();
    await this.listeners.closeAll();
  }

  private sync(gw: KubeObject, deleted: boolean): void {
    if (this.stopped) return;
    const namespace = gw.metadata.namespace as string;
    const name = gw.metadata.name as string;
    const listeners =
      deleted || gw.metadata.deletionTimestamp
        ? []
        : (spec<{ listeners?: Array<{ name?: string; port?: number }> }>(gw).listeners ?? []);
    const wanted = new Map(
      listeners
        .filter((l) => typeof l.port === 'number')
        .map((l) => [LoopbackListeners.key(namespace, name, l.port as number), l]),
    );
    this.listeners.retain(namespace, name, new Set(wanted.keys()));
    for (const [key, listener] of wanted) {
      this.listeners.open(
        key,
        { namespace, name: `gateway/${name}`, port: listener.port as number, protocol: 'TCP' },
        {
          gateway: { namespace, name },
          sectionName: listener.name ?? '',
          current: new Map(),
          nextEndpoint: 0,
        },
      );
    }
  }

  private attached(l: Listener, route: KubeObject): boolean {
    const routeNs = route.metadata.namespace as string;
    return (spec<{ parentRefs?: ParentRef[] }>(route).parentRefs ?? []).some(
      (p) =>
        p.name === l.state.gateway.name &&
        (p.namespace ?? routeNs) === l.state.gateway.namespace &&
        (p.sectionName === undefined || p.sectionName === l.state.sectionName) &&
        (p.port === undefined || p.port === l.port.port),
    );
  }

  private accept(l: Listener, client: Socket): void {
    const routes = this.store
      .list(this.routeType, undefined)
      .items.filter((r) => !r.metadata.deletionTimestamp && this.attached(l, r))
      .sort(
        (a, b) =>
          String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)) ||
          String(a.metadata.name).localeCompare(String(b.metadata.name)),
      );
    const route = routes[0];
    const refs = route
      ? (spec<{ rules?: Array<{ backendRefs?: BackendRef[] }> }>(route).rules?.[0]?.backendRefs ?? [])
      : [];
    const ns = (route?.metadata.namespace as string | undefined) ?? l.state.gateway.namespace;
    const choice = pickWeighted(
      refs
        .filter((r) => (r.kind ?? 'Service') === 'Service' && r.name && r.port)
        .map((r) => ({ key: `${r.namespace ?? ns}/${r.name}:${r.port}`, weight: r.weight ?? 1, item: r })),
      l.state.current,
    );
    const backends = choice
      ? this.services.serviceBackends(choice.namespace ?? ns, choice.name as string, choice.port as number)
      : [];
    forward(client, backends, l.state.nextEndpoint++, l.sockets);
  }
}
