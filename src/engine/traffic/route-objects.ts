/**
 * The objects a routed canary writes, built from the rendered ones (pure). Argo Rollouts does the
 * same with its canaryService/stableService pair: the stable Service is narrowed to the stable
 * ReplicaSet's pods by their pod-template-hash (Argo adds rollouts-pod-template-hash), the canary
 * Service selects only the canary's pods, and the route splits between the two:
 * - Gateway API (argoproj-labs rollouts-plugin-trafficrouter-gatewayapi): the HTTPRoute's
 *   backendRefs to the stable Service become a weighted pair, stable and canary;
 * - nginx (`rollout/trafficrouting/nginx`): a second Ingress copied from the stable one (class, TLS,
 *   the rules that send to the stable Service, pointed at the canary Service) with the annotations
 *   `canary: "true"` and `canary-weight: N`; ingress-nginx ignores the copy's other annotations.
 */
import type { KubeObject } from '@slipway/kube';
import { LABEL_ROLE, ROLE_CANARY } from '../plan/canary-labels.js';
import type { CanaryRoute } from '../plan/types.js';

/** The label the Deployment controller puts on each ReplicaSet and its pods. */
export const POD_TEMPLATE_HASH = 'pod-template-hash';
export const NGINX_ANNOTATION_PREFIX = 'nginx.ingress.kubernetes.io';
/** canary-weight is out of this total (ingress-nginx's default, written so the share reads plainly). */
export const WEIGHT_TOTAL = 100;

interface ServiceSpec {
  selector?: Record<string, string>;
  clusterIP?: string;
  clusterIPs?: string[];
  [key: string]: unknown;
}

interface BackendRef {
  name?: string;
  kind?: string;
  weight?: number;
  [key: string]: unknown;
}

interface HttpRouteSpec {
  rules?: Array<{ backendRefs?: BackendRef[]; [key: string]: unknown }>;
  [key: string]: unknown;
}

interface IngressSpec {
  ingressClassName?: string;
  tls?: unknown[];
  rules?: Array<{
    host?: string;
    http?: { paths?: Array<{ backend?: { service?: { name?: string; port?: unknown } } }> };
  }>;
}

const role = { [LABEL_ROLE]: ROLE_CANARY };

function withoutClusterIp(spec: ServiceSpec): ServiceSpec {
  const { clusterIP: _ip, clusterIPs: _ips, ...rest } = spec;
  return rest;
}

/** The rendered stable Service narrowed to the stable ReplicaSet's pods while the canary runs. */
export function pinnedStableService(service: KubeObject, podTemplateHash: string): KubeObject {
  const spec = (service.spec ?? {}) as ServiceSpec;
  return {
    ...service,
    spec: { ...spec, selector: { ...spec.selector, [POD_TEMPLATE_HASH]: podTemplateHash } },
  };
}

/** `<service>-canary`: the stable Service's ports, selecting only pods with the canary role. */
export function canaryServiceObject(service: KubeObject, route: CanaryRoute): KubeObject {
  const spec = withoutClusterIp((service.spec ?? {}) as ServiceSpec);
  return {
    apiVersion: service.apiVersion,
    kind: service.kind,
    metadata: {
      name: route.canaryService,
      ...(service.metadata.namespace ? { namespace: service.metadata.namespace } : {}),
      labels: { ...service.metadata.labels, ...role },
    },
    spec: { ...spec, selector: { ...spec.selector, ...role } },
  };
}

function isStableRef(ref: BackendRef, route: CanaryRoute): boolean {
  return ref.name === route.stableService && (ref.kind ?? 'Service') === 'Service';
}

/**
 * The rendered HTTPRoute with every backendRef to the stable Service split into stable and canary
 * refs weighted (100 − weight) and weight. Weight 0 is the rendered route itself: the canary ref is
 * gone, so the route never names a Service that is about to be deleted.
 */
export function weightedHttpRoute(rendered: KubeObject, route: CanaryRoute, weight: number): KubeObject {
  if (weight <= 0) return rendered;
  const spec = (rendered.spec ?? {}) as HttpRouteSpec;
  const rules = (spec.rules ?? []).map((rule) => ({
    ...rule,
    backendRefs: (rule.backendRefs ?? []).flatMap((ref) =>
      isStableRef(ref, route)
        ? [
            { ...ref, weight: WEIGHT_TOTAL - weight },
            { ...ref, name: route.canaryService, weight },
          ]
        : [ref],
    ),
  }));
  return { ...rendered, spec: { ...spec, rules } };
}

/** The canary's weight an HTTPRoute holds (0 when it has no canary ref): what an observer reads. */
export function httpRouteCanaryWeight(
  obj: KubeObject | undefined,
  route: Pick<CanaryRoute, 'canaryService'>,
): number {
  const refs = ((obj?.spec ?? {}) as HttpRouteSpec).rules?.flatMap((r) => r.backendRefs ?? []) ?? [];
  const total = refs.reduce((n, r) => n + (r.weight ?? 1), 0);
  const canary = refs.filter((r) => r.name === route.canaryService).reduce((n, r) => n + (r.weight ?? 1), 0);
  return total === 0 ? 0 : Math.round((canary * 100) / total);
}

/** The nginx canary Ingress at `weight`, copied from the rendered stable Ingress. */
export function canaryIngressObject(stable: KubeObject, route: CanaryRoute, weight: number): KubeObject {
  const spec = (stable.spec ?? {}) as IngressSpec;
  const rules = (spec.rules ?? [])
    .filter((r) => r.http?.paths?.some((p) => p.backend?.service?.name === route.stableService))
    .map((r) => ({
      ...r,
      http: {
        ...r.http,
        paths: (r.http?.paths ?? [])
          .filter((p) => p.backend?.service?.name === route.stableService)
          .map((p) => ({
            ...p,
            backend: { ...p.backend, service: { ...p.backend?.service, name: route.canaryService } },
          })),
      },
    }));
  const legacyClass = stable.metadata.annotations?.['kubernetes.io/ingress.class'];
  return {
    apiVersion: stable.apiVersion,
    kind: 'Ingress',
    metadata: {
      name: route.canaryIngress ?? `${route.name}-canary`,
      ...(stable.metadata.namespace ? { namespace: stable.metadata.namespace } : {}),
      labels: { ...stable.metadata.labels, ...role },
      annotations: {
        ...(legacyClass ? { 'kubernetes.io/ingress.class': legacyClass } : {}),
        ...canaryWeightAnnotations(weight),
      },
    },
    spec: {
      ...(spec.ingressClassName ? { ingressClassName: spec.ingressClassName } : {}),
      ...(spec.tls ? { tls: spec.tls } : {}),
      rules,
    },
  };
}

export function canaryWeightAnnotations(weight: number): Record<string, string> {
  return {
    [`${NGINX_ANNOTATION_PREFIX}/canary`]: 'true',
    [`${NGINX_ANNOTATION_PREFIX}/canary-weight`]: String(weight),
    [`${NGINX_ANNOTATION_PREFIX}/canary-weight-total`]: String(WEIGHT_TOTAL),
  };
}

/** The weight a canary Ingress holds (0 when it does not exist). */
export function ingressCanaryWeight(obj: KubeObject | undefined): number {
  const v = obj?.metadata.annotations?.[`${NGINX_ANNOTATION_PREFIX}/canary-weight`];
  return v === undefined ? 0 : Number(v);
}
