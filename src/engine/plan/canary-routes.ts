/**
 * Which router a canary uses, decided from the rendered objects (pure): an HTTPRoute sending to the
 * service's Service → Gateway API weights; an Ingress of an nginx class sending to it → an nginx
 * canary Ingress; otherwise replica ratio. `deploy.canary.traffic` forces one, and asking for a route
 * that is not rendered is a spec error rather than a silent fallback.
 */
import type { KubeObject } from '@slipway/kube';
import { UserError } from '../../errors.js';
import type { CanaryRoute, CanaryTraffic } from './types.js';
import type { ServiceWorkload } from './workloads.js';

interface HttpRouteSpec {
  rules?: Array<{ backendRefs?: Array<{ name?: string; kind?: string }> }>;
}

interface IngressSpec {
  ingressClassName?: string;
  rules?: Array<{ http?: { paths?: Array<{ backend?: { service?: { name?: string } } }> } }>;
}

/** The legacy class annotation ingress-nginx still honours beside spec.ingressClassName. */
const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

export function httpRouteTo(objects: KubeObject[], service: string): KubeObject | undefined {
  return objects.find(
    (o) =>
      o.kind === 'HTTPRoute' &&
      ((o.spec ?? {}) as HttpRouteSpec).rules?.some((r) =>
        r.backendRefs?.some((b) => b.name === service && (b.kind ?? 'Service') === 'Service'),
      ),
  );
}

export function ingressTo(objects: KubeObject[], service: string): KubeObject | undefined {
  return objects.find(
    (o) =>
      o.kind === 'Ingress' &&
      ((o.spec ?? {}) as IngressSpec).rules?.some((r) =>
        r.http?.paths?.some((p) => p.backend?.service?.name === service),
      ),
  );
}

/** ingress-nginx's canary annotations only work on its own class; other controllers ignore them. */
export function isNginxIngress(ingress: KubeObject): boolean {
  const cls =
    ((ingress.spec ?? {}) as IngressSpec).ingressClassName ??
    ingress.metadata.annotations?.[INGRESS_CLASS_ANNOTATION] ??
    '';
  return /nginx/i.test(cls);
}

export interface ServiceTraffic {
  traffic: CanaryTraffic;
  route?: CanaryRoute;
}

function routeOf(kind: 'HTTPRoute' | 'Ingress', route: KubeObject, stableService: string): CanaryRoute {
  const name = route.metadata.name ?? '';
  return {
    kind,
    name,
    stableService,
    canaryService: `${stableService}-canary`,
    ...(kind === 'Ingress' ? { canaryIngress: `${name}-canary` } : {}),
  };
}

/** One service's router: forced by `requested`, else what its rendered route allows. */
export function serviceTraffic(
  w: ServiceWorkload,
  objects: KubeObject[],
  requested: CanaryTraffic | undefined,
): ServiceTraffic {
  const svc = w.serviceObject?.metadata.name;
  if (requested === 'replicas' || !svc) return { traffic: 'replicas' };
  const route = httpRouteTo(objects, svc);
  const ingress = ingressTo(objects, svc);
  if (requested === 'gateway' || (requested === undefined && route))
    return route ? { traffic: 'gateway', route: routeOf('HTTPRoute', route, svc) } : { traffic: 'replicas' };
  if (ingress && isNginxIngress(ingress) && (requested === 'nginx' || requested === undefined))
    return { traffic: 'nginx', route: routeOf('Ingress', ingress, svc) };
  return { traffic: 'replicas' };
}

/** The plan-level router and why; a forced route none of the services has fails here (exit 2). */
export function planTraffic(
  perService: ServiceTraffic[],
  requested: CanaryTraffic | undefined,
): { traffic: CanaryTraffic; reason: string } {
  const routed = perService.find((s) => s.route);
  if (requested && requested !== 'replicas' && !perService.some((s) => s.traffic === requested)) {
    const what =
      requested === 'gateway'
        ? 'an HTTPRoute (kubernetes.ingress: gateway and a public service)'
        : 'an Ingress of an nginx class (kubernetes.ingressClass: nginx and a public service)';
    throw new UserError(
      `deploy.canary.traffic is ${requested}, but no canaried service is exposed through ${what}`,
      {
        code: 'canary-traffic',
        path: 'deploy.canary.traffic',
        hint: 'expose the service publicly through that route, or use deploy.canary.traffic: replicas',
      },
    );
  }
  if (requested) return { traffic: requested, reason: 'deploy.canary.traffic' };
  if (!routed?.route)
    return { traffic: 'replicas', reason: 'no HTTPRoute or nginx Ingress in front of the service' };
  return { traffic: routed.traffic, reason: `${routed.route.kind} ${routed.route.name} is rendered` };
}
