/**
 * The `services/proxy` subresource: `/api/v1/namespaces/NS/services/[SCHEME:]NAME[:PORT]/proxy/PATH`
 * forwards the request (method, query, body, headers but the client's Authorization) to the
 * Service, and streams the answer back, as the apiserver does. Here the Service is reached on the
 * runtime's loopback port for that Service port (runtime/proxy.ts), so the choice of endpoint,
 * readiness and round robin are the sandbox's kube-proxy's. Like the apiserver, an `https` backend's
 * certificate is not verified; no endpoint gives 503 "no endpoints available for service".
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { kinds } from '../controllers/objects.js';
import type { ObjectStore, SandboxRuntime } from '../types.js';
import { ApiError } from './status.js';

const PROXY_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)\/proxy(\/.*)?$/;

/** True when the path is a service proxy request (the caller has checked authorisation). */
export function isServiceProxyPath(pathname: string): boolean {
  return PROXY_PATH.test(pathname);
}

interface ServicePortSpec {
  name?: string;
  port: number;
}

export async function proxyToService(
  store: ObjectStore,
  runtime: SandboxRuntime | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const m = PROXY_PATH.exec(url.pathname)!;
  const namespace = decodeURIComponent(m[1]!);
  const target = decodeURIComponent(m[2]!);
  const parts = target.split(':');
  const [scheme, name, port] =
    parts.length === 3 ? parts : parts.length === 2 ? ['', parts[0], parts[1]] : ['', parts[0], ''];
  if (scheme && scheme !== 'http' && scheme !== 'https')
    throw new ApiError(400, 'BadRequest', `unsupported scheme "${scheme}" in "${target}"`);
  const svc = store.get(kinds(store).service, namespace, name ?? '');
  if (!svc) throw new ApiError(404, 'NotFound', `services "${name}" not found`);
  const ports = ((svc.spec as { ports?: ServicePortSpec[] } | undefined)?.ports ?? []) as ServicePortSpec[];
  const servicePort = port
    ? ports.find((p) => String(p.port) === port || p.name === port)
    : ports.length === 1
      ? ports[0]
      : undefined;
  if (!servicePort)
    throw new ApiError(503, 'ServiceUnavailable', `no service port "${port}" found for service "${name}"`);
  const local = runtime
    ?.servicePorts()
    .find((p) => p.namespace === namespace && p.name === name && p.port === servicePort.port);
  if (!local) throw new ApiError(503, 'ServiceUnavailable', `no endpoints available for service "${name}"`);

  const headers = { ...req.headers };
  delete headers.authorization;
  delete headers.host;
  const send = scheme === 'https' ? httpsRequest : httpRequest;
  await new Promise<void>((resolve) => {
    const upstream = send(
      {
        host: '127.0.0.1',
        port: local.localPort,
        method: req.method,
        path: `${m[3] ?? '/'}${url.search}`,
        headers: { ...headers, host: `${name}.${namespace}.svc:${servicePort.port}` },
        rejectUnauthorized: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.once('end', resolve);
        answer.once('error', () => (res.destroy(), resolve()));
      },
    );
    upstream.once('error', (err) => {
      // The runtime closes a connection it has no ready endpoint for before anything is sent.
      if (!res.headersSent) {
        const body = JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          message: `error trying to reach service: ${err.message}`,
          reason: 'ServiceUnavailable',
          code: 503,
        });
        res.writeHead(503, { 'Content-Type': 'application/json' });
        res.end(body);
      } else res.destroy();
      resolve();
    });
    req.pipe(upstream);
  });
}
