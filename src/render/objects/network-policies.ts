/**
 * Default deny for every pod of the app, then exactly the flows the spec implies:
 * DNS to kube-system; service -> service/dependency from `${ref}` references (both directions: the
 * consumer's egress and the target's ingress); service -> another namespace whose Service an env
 * value names by address (`x.observability.svc:4317`); the ingress controller (or Gateway)
 * namespace to public services; the Prometheus namespace to ports named `metrics`; app services to
 * the public internet (not to private or metadata ranges).
 */
import type { NamedObject } from '@slipway/kube';
import { DNS_NAMESPACE, INGRESS_CONTROLLER_NAMESPACE, PRIVATE_CIDRS } from '../defaults.js';
import { warn, type RenderContext } from '../context.js';
import type { ClusterEndpoint } from './cluster-endpoints.js';
import { appPodSelector, objectName, standardLabels } from '../names.js';
import { dependencyProvider } from '../../spec/dependency-provider.js';
import { dependencyKind } from './dependencies/catalog.js';
import { publicPort } from './ingress.js';
import { containerPorts } from './pod.js';

type Rule = Record<string, unknown>;

/** Pods of the named workloads, including a service's migration Job pods (they use the same flows). */
function podsOf(ctx: RenderContext, names: string[]): Record<string, unknown> {
  const values = names.flatMap((n) => (ctx.app.services[n]?.migrations ? [n, `${n}-migrate`] : [n])).sort();
  return {
    matchLabels: { 'app.kubernetes.io/instance': ctx.app.app },
    matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values }],
  };
}

/** The TCP/UDP ports a workload (service or in-cluster dependency) listens on. */
function portsOf(ctx: RenderContext, name: string): Array<{ protocol: string; port: number }> {
  const service = ctx.app.services[name];
  if (service)
    return containerPorts(service).map((p) => ({
      protocol: p.protocol as string,
      port: p.containerPort as number,
    }));
  const dependency = ctx.app.dependencies[name];
  const kind = dependency && !dependency.external ? dependencyKind(dependency.type) : undefined;
  return kind ? [{ protocol: 'TCP', port: kind.port.port }] : [];
}

/** Who references whom: consumer -> targets inside the cluster. */
export type FlowGraph = Record<string, string[]>;

/** Target -> its consumers, sorted: the graph inverted once, so each workload's lookup is not a scan of every consumer. */
export function consumersByTarget(graph: FlowGraph): Map<string, string[]> {
  const consumers = new Map<string, string[]>();
  for (const consumer of Object.keys(graph))
    for (const target of new Set(graph[consumer])) {
      const list = consumers.get(target);
      if (list) list.push(consumer);
      else consumers.set(target, [consumer]);
    }
  for (const list of consumers.values()) list.sort();
  return consumers;
}

function policy(
  ctx: RenderContext,
  name: string,
  component: string,
  spec: Record<string, unknown>,
): NamedObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name,
      namespace: ctx.app.namespace,
      labels: standardLabels({ app: ctx.app.app, name: component, component: 'network-policy' }),
    },
    spec,
  };
}

function baseline(ctx: RenderContext): NamedObject[] {
  const all = { matchLabels: appPodSelector(ctx.app.app) };
  const dns = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': DNS_NAMESPACE } } };
  return [
    policy(ctx, objectName(ctx.app.app, 'default-deny'), ctx.app.app, {
      podSelector: all,
      policyTypes: ['Ingress', 'Egress'],
    }),
    policy(ctx, objectName(ctx.app.app, 'allow-dns'), ctx.app.app, {
      podSelector: all,
      policyTypes: ['Egress'],
      egress: [
        {
          to: [dns],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
  ];
}

function publicIngress(ctx: RenderContext, name: string): Rule | undefined {
  const service = ctx.app.services[name];
  if (!service?.public || service.schedule) return undefined;
  const port = publicPort({ ...ctx, problems: [] }, `services.${name}`, service);
  if (port === undefined) return undefined;
  const gateway = ctx.app.kubernetes?.ingress === 'gateway';
  const namespace = gateway
    ? (ctx.app.kubernetes?.gateway?.namespace ?? ctx.app.namespace)
    : (ctx.app.kubernetes?.ingressNamespace ?? INGRESS_CONTROLLER_NAMESPACE);
  return {
    from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } }],
    ports: [{ protocol: 'TCP', port }],
  };
}

/**
 * Prometheus scrapes pods from its own namespace: when `deploy.prometheus.service` names it, that
 * namespace may reach each port named `metrics` (or `metrics-*`) and the service's `metrics.port`,
 * and nothing else.
 */
function metricsIngress(ctx: RenderContext, name: string): Rule | undefined {
  const service = ctx.app.services[name];
  const namespace = /^(?:https?:)?([^/]+)\//.exec(ctx.app.deploy.prometheus?.service ?? '')?.[1];
  if (!service || !namespace) return undefined;
  const ports = containerPorts(service)
    .filter(
      (p) =>
        p.name === 'metrics' ||
        String(p.name).startsWith('metrics-') ||
        p.containerPort === service.metrics?.port,
    )
    .map((p) => ({ protocol: p.protocol as string, port: p.containerPort as number }));
  if (!ports.length) return undefined;
  return {
    from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } }],
    ports,
  };
}

/** Egress to Services of other namespaces that env values name by address. */
function endpointEgress(endpoints: ClusterEndpoint[]): Rule[] {
  return endpoints.map((e) => ({
    to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': e.namespace } } }],
    ports: e.port !== undefined ? [{ protocol: 'TCP', port: e.port }] : undefined,
  }));
}

function workloadPolicy(
  ctx: RenderContext,
  graph: FlowGraph,
  consumersOf: Map<string, string[]>,
  endpoints: ClusterEndpoint[],
  name: string,
): NamedObject | undefined {
  const ingress: Rule[] = [];
  const consumers = consumersOf.get(name) ?? [];
  const ports = portsOf(ctx, name);
  if (consumers.length && ports.length)
    ingress.push({ from: [{ podSelector: podsOf(ctx, consumers) }], ports });
  const pub = publicIngress(ctx, name);
  if (pub) ingress.push(pub);
  const scrape = metricsIngress(ctx, name);
  if (scrape) ingress.push(scrape);
  const egress: Rule[] = (graph[name] ?? []).flatMap((t) => {
    const targetPorts = portsOf(ctx, t);
    return targetPorts.length ? [{ to: [{ podSelector: podsOf(ctx, [t]) }], ports: targetPorts }] : [];
  });
  egress.push(...endpointEgress(endpoints));
  if (ctx.app.services[name])
    egress.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...PRIVATE_CIDRS] } }] });
  if (!ingress.length && !egress.length) return undefined;
  const policyTypes = [...(ingress.length ? ['Ingress'] : []), ...(egress.length ? ['Egress'] : [])];
  return policy(ctx, objectName(ctx.app.app, name), name, {
    podSelector: podsOf(ctx, [name]),
    policyTypes,
    ingress: ingress.length ? ingress : undefined,
    egress: egress.length ? egress : undefined,
  });
}

/** The controller namespace defaults to ingress-nginx's: say so when the class suggests another controller and none is named. */
function warnControllerNamespace(ctx: RenderContext): void {
  const k = ctx.app.kubernetes;
  const hasPublic = Object.values(ctx.app.services).some((s) => s.public && !s.schedule);
  if (
    hasPublic &&
    k?.ingress !== 'gateway' &&
    k?.ingressClass &&
    k.ingressClass !== 'nginx' &&
    !k.ingressNamespace
  ) {
    warn(
      ctx,
      'kubernetes.ingressClass',
      `NetworkPolicies admit public traffic from namespace ${INGRESS_CONTROLLER_NAMESPACE}; set kubernetes.ingressNamespace to the namespace of the ${k.ingressClass} controller`,
    );
  }
}

export function renderNetworkPolicies(
  ctx: RenderContext,
  graph: FlowGraph,
  endpoints: Record<string, ClusterEndpoint[]> = {},
): NamedObject[] {
  warnControllerNamespace(ctx);
  // A subchart or an operator brings its own network rules for the pods it makes.
  const inCluster = Object.keys(ctx.app.dependencies).filter((d) => {
    const dep = ctx.app.dependencies[d];
    return dep && dep.type !== 'sqlite' && dependencyProvider(dep) === 'statefulset';
  });
  const names = [...Object.keys(ctx.app.services), ...inCluster].sort();
  const out = baseline(ctx);
  const consumers = consumersByTarget(graph);
  for (const n of names) {
    const p = workloadPolicy(ctx, graph, consumers, endpoints[n] ?? [], n);
    if (p) out.push(p);
  }
  return out;
}
