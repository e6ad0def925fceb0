/**
 * The sandbox's HTTPS API server: bearer-token authentication, /version and health, discovery,
 * OpenAPI v3, and REST routing to the ResourceHandler. Paths follow the apiserver's layout:
 * `/api/v1[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]`, `/apis/{group}/{version}/...`,
 * and the legacy `/watch/` prefix.
 */
import type { AuditSink } from './admission.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { MemoryStore } from '../store/memory-store.js';
import { SERVICE_PORTS_PATH } from '../control.js';
import type { SandboxRuntime } from '../types.js';
import { microTime, type AuditEvent, type AuditLog, type AuditStage } from './audit-log.js';
import type { SandboxCertificates } from './certs.js';
import { FaultInjector, type ApiFaults, type ApiVerb } from './faults.js';
import {
  AGGREGATED_CONTENT_TYPE,
  aggregatedDiscovery,
  legacyApiVersions,
  legacyGroup,
  legacyGroupList,
  legacyResourceList,
  wantsAggregated,
} from './discovery.js';
import { OpenApiV3 } from './openapi.js';
import { ADMIN_IDENTITY, authorize, serviceAccountIdentity, type Identity } from './rbac.js';
import { ResourceHandler, type ResourceRoute } from './resource-handler.js';
import { isServiceProxyPath, proxyToService } from './service-proxy.js';
import { ApiError, statusBody, toStatus } from './status.js';

/** kubectl's dispatcher and `kubectl version` read this; minor 33 matches the bundled kubectl. */
export const SERVER_VERSION = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0-slipway-sandbox',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.24.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** Readable without a token, like the apiserver's system:public-info-viewer role. */
const PUBLIC_PATHS = new Set(['/healthz', '/readyz', '/livez', '/version']);

export interface ApiServerOptions {
  store: MemoryStore;
  /** Hears what admission writes on a request's audit event (see admission.ts). */
  audit?: AuditSink;
  /** Where each request's audit events go (`slipway sandbox up --audit-log`; ./audit-log.ts). */
  auditLog?: AuditLog;
  certs: SandboxCertificates;
  token: string;
  runtime?: () => SandboxRuntime | undefined;
  host?: string;
  port?: number;
  watchTimeoutSeconds?: number;
  /** Injected API faults (the sandbox config's `api.faults`); absent: a well-behaved server. */
  faults?: ApiFaults;
}

export class ApiServer {
  private readonly server: Server;
  private readonly resources: ResourceHandler;
  private readonly openapi: OpenApiV3;
  private readonly token: Buffer;
  readonly faults: FaultInjector | undefined;
  /** The audit event of the request being served, so that admission's annotations land on it. */
  private readonly auditing = new AsyncLocalStorage<AuditEvent>();

  constructor(private readonly opts: ApiServerOptions) {
    this.token = Buffer.from(opts.token);
    this.faults = opts.faults ? new FaultInjector(opts.faults) : undefined;
    const audit: AuditSink | undefined =
      opts.audit || opts.auditLog
        ? (event) => {
            opts.audit?.(event);
            const current = this.auditing.getStore();
            if (current) current.annotations = { ...current.annotations, ...event.annotations };
          }
        : undefined;
    this.resources = new ResourceHandler(
      opts.store,
      opts.runtime ?? (() => undefined),
      opts.watchTimeoutSeconds,
      audit,
    );
    this.openapi = new OpenApiV3(opts.store.registry);
    this.server = createServer(
      { key: opts.certs.serverKey, cert: opts.certs.serverCert },
      (req, res) => void this.dispatch(req, res),
    );
    this.server.keepAliveTimeout = 65_000;
  }

  async listen(): Promise<{ host: string; port: number }> {
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, host, () => resolve());
    });
    return { host, port: (this.server.address() as AddressInfo).port };
  }

  async close(): Promise<void> {
    this.faults?.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The sandbox token is the admin; a ServiceAccount token is checked by RBAC (rbac.ts). */
  private identify(req: IncomingMessage): Identity | undefined {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) return undefined;
    const given = Buffer.from((m[1] as string).trim());
    if (given.length === this.token.length && timingSafeEqual(given, this.token)) return ADMIN_IDENTITY;
    return serviceAccountIdentity(this.opts.store, given.toString('utf8'));
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://sandbox');
    const event = this.opts.auditLog ? this.auditEvent(req, res) : undefined;
    const reply = (code: number, body: unknown, headers: Record<string, string> = {}) => {
      if (res.headersSent) return;
      if (event) noteAnswer(event, body);
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(code, {
        'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
        ...headers,
      });
      res.end(text);
    };
    const serve = async () => {
      try {
        const identity = PUBLIC_PATHS.has(url.pathname) ? ADMIN_IDENTITY : this.identify(req);
        if (!identity) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
        if (event) event.user = { username: identity.user, groups: identity.groups };
        await this.route(req, res, url, reply, identity);
      } catch (error) {
        const status = toStatus(error);
        if (res.headersSent) res.end();
        else reply(status.code, status);
      }
    };
    if (event) await this.auditing.run(event, serve);
    else await serve();
  }

  /**
   * The audit event of a request, written when its response ends (ResponseComplete); route() fills
   * in the verb and the object. The response names its ID in the Audit-Id header.
   */
  private auditEvent(req: IncomingMessage, res: ServerResponse): AuditEvent {
    const event: AuditEvent = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: randomUUID(),
      stage: 'ResponseComplete',
      requestURI: req.url ?? '/',
      verb: (req.method ?? 'GET').toLowerCase(),
      // A request that fails authentication is recorded without a user.
      user: {},
      sourceIPs: req.socket.remoteAddress ? [req.socket.remoteAddress] : [],
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
      requestReceivedTimestamp: microTime(this.opts.store.clock.now()),
      stageTimestamp: '',
    };
    res.setHeader('Audit-Id', event.auditID);
    res.once('close', () => this.writeAudit(event, 'ResponseComplete', res));
    return event;
  }

  private writeAudit(event: AuditEvent, stage: AuditStage, res: ServerResponse): void {
    const { responseStatus } = event;
    this.opts.auditLog?.write({
      ...event,
      stage,
      responseStatus: { metadata: {}, ...responseStatus, code: res.statusCode },
      stageTimestamp: microTime(this.opts.store.clock.now()),
    });
  }

  /** authorize(), with its decision on the request's audit event. */
  private authorize(identity: Identity, verb: string, route: Parameters<typeof authorize>[3]): void {
    const event = this.auditing.getStore();
    try {
      authorize(this.opts.store, identity, verb, route);
    } catch (error) {
      if (event && error instanceof ApiError && error.code === 403)
        event.annotations = { ...event.annotations, 'authorization.k8s.io/decision': 'forbid' };
      throw error;
    }
    if (event) event.annotations = { ...event.annotations, 'authorization.k8s.io/decision': 'allow' };
  }

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    reply: (code: number, body: unknown, headers?: Record<string, string>) => void,
    identity: Identity,
  ): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const registry = this.opts.store.registry;
    const accept = req.headers.accept;
    if (path === '/healthz' || path === '/readyz' || path === '/livez') return reply(200, 'ok');
    if (path === '/version') return reply(200, SERVER_VERSION);
    if (path === '/openapi/v3') return reply(200, this.openapi.index());
    // Not a Kubernetes path: what `slipway sandbox status` shows from the runtime's service proxy.
    if (path === SERVICE_PORTS_PATH)
      return reply(200, { items: this.opts.runtime?.()?.servicePorts() ?? [] });
    if (isServiceProxyPath(url.pathname)) {
      const [, , , namespace, , name] = parts;
      const services = registry.forResource('', 'v1', 'services');
      if (services)
        this.authorize(identity, 'get', {
          type: services,
          namespace,
          name: name?.replace(/^https?:/, '').split(':')[0],
          subresource: 'proxy',
        });
      return proxyToService(this.opts.store, this.opts.runtime?.(), req, res, url);
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = this.openapi.document(path.slice('/openapi/v3/'.length));
      if (!doc) throw new ApiError(404, 'NotFound', `no OpenAPI document for ${path}`);
      res.writeHead(200, {
        'Content-Type': 'application/json',
        ETag: `"${doc.hash}"`,
        'Cache-Control': 'public, immutable',
      });
      res.end(doc.body);
      return;
    }
    if (path === '/api' || path === '/apis') {
      if (wantsAggregated(accept))
        return reply(200, aggregatedDiscovery(registry, path === '/api'), {
          'Content-Type': AGGREGATED_CONTENT_TYPE,
        });
      return reply(
        200,
        path === '/api' ? legacyApiVersions(req.headers.host ?? '127.0.0.1') : legacyGroupList(registry),
      );
    }
    const base =
      parts[0] === 'api'
        ? { group: '', version: parts[1], rest: parts.slice(2) }
        : parts[0] === 'apis'
          ? { group: parts[1] ?? '', version: parts[2], rest: parts.slice(3) }
          : undefined;
    if (!base) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (parts[0] === 'apis' && parts.length === 2) {
      const group = legacyGroup(registry, base.group);
      if (!group) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return reply(200, group);
    }
    if (!base.version)
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (!base.rest.length) {
      const list = legacyResourceList(registry, base.group, base.version);
      if (!list) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return reply(200, list);
    }
    const route = this.resourceRoute(base.group, base.version, base.rest);
    const verb = verbOf(req.method ?? 'GET', route, url.searchParams);
    const event = this.auditing.getStore();
    if (event) {
      event.verb = verb;
      event.objectRef = {
        resource: route.type.resource,
        ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
        ...(route.name !== undefined ? { name: route.name } : {}),
        ...(route.type.group ? { apiGroup: route.type.group } : {}),
        apiVersion: route.type.version,
        ...(route.subresource !== undefined ? { subresource: route.subresource } : {}),
      };
      // A watch is long-running: its event is also written once the headers are sent.
      if (verb === 'watch') afterHeaders(res, () => this.writeAudit(event, 'ResponseStarted', res));
    }
    this.authorize(identity, verb, route);
    if (this.faults && (await this.injectFault(req, res, route, url.searchParams, reply))) return;
    await this.resources.handle(req, res, route, url.searchParams, reply, identity);
  }

  /** True when a fault answered the request instead of the handler (packages/sandbox/src/server/faults.ts). */
  private async injectFault(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    q: URLSearchParams,
    reply: (code: number, body: unknown, headers?: Record<string, string>) => void,
  ): Promise<boolean> {
    const faults = this.faults as FaultInjector;
    const verb = verbOf(req.method ?? 'GET', route, q);
    const rv = q.get('resourceVersion');
    const decision = faults.decide(verb, rv !== null && rv !== '' && rv !== '0');
    const latencyMs = faults.latencyMs(verb);
    if (latencyMs) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    // A refused write's body is read and dropped, so the client can finish sending it.
    if (decision.kind !== 'none') req.resume();
    if (decision.kind === 'status' && decision.code === 429) {
      // The apiserver's max-in-flight filter answers this way (reason TooManyRequests, Retry-After).
      reply(
        429,
        statusBody(
          429,
          'TooManyRequests',
          'Too many requests, please try again later. (injected by the sandbox)',
          { retryAfterSeconds: faults.retryAfterSeconds },
        ),
        {
          'Retry-After': String(faults.retryAfterSeconds),
        },
      );
      return true;
    }
    if (decision.kind === 'status') {
      reply(
        500,
        statusBody(
          500,
          'InternalError',
          'Internal error occurred: injected by the sandbox (api.faults.status500)',
        ),
      );
      return true;
    }
    if (decision.kind === 'gone') {
      // What a compacted resourceVersion gets: an ERROR event with a 410 Expired Status.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          type: 'ERROR',
          object: statusBody(
            410,
            'Expired',
            `too old resource version: ${q.get('resourceVersion')} (injected by the sandbox)`,
          ),
        }) + '\n',
      );
      return true;
    }
    if (verb === 'watch') faults.track(res);
    return false;
  }

  private resourceRoute(group: string, version: string, segments: string[]): ResourceRoute {
    let rest = segments;
    const watchPath = rest[0] === 'watch';
    if (watchPath) rest = rest.slice(1);
    let namespace: string | undefined;
    // `/namespaces/{ns}/status` is the namespace's own subresource, not a resource inside it.
    if (
      rest[0] === 'namespaces' &&
      rest.length >= 3 &&
      !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))
    ) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [resource, name, subresource, ...extra] = rest;
    const type = resource ? this.opts.store.registry.forResource(group, version, resource) : undefined;
    if (!type || extra.length || (namespace !== undefined && !type.namespaced))
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    return { type, namespace, name, subresource, watchPath };
  }
}

export { statusBody };

/**
 * What the answer adds to the audit event: a failure Status's status, reason and message; the name
 * of an object created by a POST (the apiserver records it from the request's object).
 */
function noteAnswer(event: AuditEvent, body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  const answer = body as {
    kind?: unknown;
    status?: unknown;
    reason?: unknown;
    message?: unknown;
    metadata?: { name?: unknown };
  };
  if (answer.kind === 'Status' && answer.status === 'Failure') {
    event.responseStatus = {
      metadata: {},
      code: 0,
      status: 'Failure',
      ...(typeof answer.reason === 'string' ? { reason: answer.reason } : {}),
      ...(typeof answer.message === 'string' ? { message: answer.message } : {}),
    };
  } else if (event.verb === 'create' && event.objectRef && event.objectRef.name === undefined) {
    const name = answer.metadata?.name;
    if (typeof name === 'string') event.objectRef = { ...event.objectRef, name };
  }
}

/** Runs `then` once, right after the response's headers are written. */
function afterHeaders(res: ServerResponse, then: () => void): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    res.writeHead = writeHead;
    const result = (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    then();
    return result;
  } as typeof res.writeHead;
}

/** The RBAC verb of a resource request, as the apiserver's RequestInfo names it. */
function verbOf(method: string, route: ResourceRoute, q: URLSearchParams): ApiVerb {
  switch (method) {
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return route.name ? 'delete' : 'deletecollection';
    default:
      if (route.watchPath || q.get('watch') === 'true' || q.get('watch') === '1') return 'watch';
      return route.name ? 'get' : 'list';
  }
}
