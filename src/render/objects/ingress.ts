/**
 * Public exposure: an Ingress (networking.k8s.io/v1) or, with `kubernetes.ingress: gateway`, a
 * Gateway API HTTPRoute attached to the named Gateway.
 */
import type { NamedObject } from '@slipway/kube';
import type { Service } from '../../spec/schema.js';
import { fail, warn, type RenderContext } from '../context.js';
import { objectName } from '../names.js';
import { containerPorts } from './pod.js';

/** The Service port a public service exposes: `public.port`, else its main port. */
export function publicPort(ctx: RenderContext, path: string, service: Service): number | undefined {
  const ports = containerPorts(service).map((p) => p.containerPort as number);
  const port = service.public?.port ?? ports[0];
  if (port === undefined)
    fail(ctx, `${path}.public`, 'a public service needs a port', 'set port on the service');
  else if (!ports.includes(port))
    fail(ctx, `${path}.public.port`, `port ${port} is not one of the service's ports (${ports.join(', ')})`);
  return port;
}

/**
 * The public host: a name without a dot is relative to the environment's `domain`
 * (`api` + `staging.example.com` -> `api.staging.example.com`); a full name is used as written.
 */
export function publicHost(ctx: RenderContext, service: Service): string {
  const host = service.public?.host ?? '';
  return ctx.app.domain && !host.includes('.') ? `${host}.${ctx.app.domain}` : host;
}

export function tlsSecretName(app: string, name: string, service: Service): string | undefined {
  const tls = service.public?.tls;
  if (!tls) return undefined;
  return (typeof tls === 'object' ? tls.secretName : undefined) ?? objectName(app, name, 'tls');
}

/**
 * The cert-manager issuer that fills a public host's TLS Secret: the host's own, else the app's
 * (kubernetes.tls), unless the host names an existing Secret and no issuer. cert-manager's
 * ingress-shim makes a Certificate from the annotation (https://cert-manager.io/docs/usage/ingress/).
 */
export function tlsIssuer(
  ctx: RenderContext,
  service: Service,
): { name: string; annotation: string } | undefined {
  const tls = service.public?.tls;
  if (!tls) return undefined;
  const own = typeof tls === 'object' ? tls : {};
  if (own.secretName && !own.issuer) return undefined;
  const app = ctx.app.kubernetes?.tls;
  const name = own.issuer ?? app?.issuer;
  if (!name) return undefined;
  const kind = own.issuer ? own.issuerKind : (own.issuerKind ?? app?.issuerKind);
  return {
    name,
    annotation: kind === 'Issuer' ? 'cert-manager.io/issuer' : 'cert-manager.io/cluster-issuer',
  };
}

export function renderIngress(
  ctx: RenderContext,
  path: string,
  name: string,
  service: Service,
  metadata: NamedObject['metadata'],
): NamedObject | undefined {
  const pub = service.public;
  const port = publicPort(ctx, path, service);
  if (!pub || port === undefined) return undefined;
  const secretName = tlsSecretName(ctx.app.app, name, service);
  const issuer = tlsIssuer(ctx, service);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: issuer
      ? { ...metadata, annotations: { ...metadata.annotations, [issuer.annotation]: issuer.name } }
      : metadata,
    spec: {
      ingressClassName: ctx.app.kubernetes?.ingressClass,
      tls: secretName ? [{ hosts: [publicHost(ctx, service)], secretName }] : undefined,
      rules: [
        {
          host: publicHost(ctx, service),
          http: {
            paths: [
              {
                path: pub.path ?? '/',
                pathType: 'Prefix',
                backend: { service: { name: objectName(ctx.app.app, name), port: { number: port } } },
              },
            ],
          },
        },
      ],
    },
  };
}

export function renderHttpRoute(
  ctx: RenderContext,
  path: string,
  name: string,
  service: Service,
  metadata: NamedObject['metadata'],
): NamedObject | undefined {
  const pub = service.public;
  const port = publicPort(ctx, path, service);
  const gateway = ctx.app.kubernetes?.gateway;
  if (!gateway)
    fail(
      ctx,
      'kubernetes.gateway',
      'kubernetes.ingress is gateway but no gateway is named',
      'set kubernetes.gateway: { name, namespace }',
    );
  if (!pub || port === undefined || !gateway) return undefined;
  if (pub.tls)
    warn(
      ctx,
      `${path}.public.tls`,
      `an HTTPRoute cannot carry TLS; terminate it on the listener of Gateway ${gateway.name}`,
    );
  if (ctx.app.kubernetes?.ingressClass)
    warn(
      ctx,
      'kubernetes.ingressClass',
      'ignored with kubernetes.ingress: gateway (the Gateway names its class)',
    );
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata,
    spec: {
      parentRefs: [{ name: gateway.name, namespace: gateway.namespace }],
      hostnames: [publicHost(ctx, service)],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: pub.path ?? '/' } }],
          backendRefs: [{ name: objectName(ctx.app.app, name), port }],
        },
      ],
    },
  };
}

export function renderPublic(
  ctx: RenderContext,
  path: string,
  name: string,
  service: Service,
  metadata: NamedObject['metadata'],
): NamedObject | undefined {
  if (!service.public) return undefined;
  return ctx.app.kubernetes?.ingress === 'gateway'
    ? renderHttpRoute(ctx, path, name, service, metadata)
    : renderIngress(ctx, path, name, service, metadata);
}
