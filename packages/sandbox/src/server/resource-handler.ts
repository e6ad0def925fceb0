/**
 * REST verbs on one resource path: get/list/watch, create, update, patch, delete and
 * deletecollection, with the status, scale and log subresources.
 */
import type { AuditSink } from './admission.js';
import type { Identity } from './rbac.js';
import type { KubeObject } from '@slipway/kube';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { notFound, type MemoryStore } from '../store/memory-store.js';
import { apiVersionOf, type ServedResource } from '../store/registry.js';
import type { DeleteOptions, SandboxRuntime } from '../types.js';
import { streamPodLogs } from './logs.js';
import {
  dryRunOf,
  fieldManagerOf,
  fieldValidationOf,
  mediaType,
  parseJsonOrYaml,
  queryFlag,
  readBody,
} from './request.js';
import { readScale, writeScale } from './scale.js';
import { ApiError } from './status.js';
import { includeObjectOf, TABLE_CONTENT_TYPE, toTable, wantsTable } from './tables/table.js';
import { DEFAULT_WATCH_TIMEOUT_SECONDS, serveWatch } from './watch-stream.js';
import { Writer, type WriteResult } from './writes.js';

export interface ResourceRoute {
  type: ServedResource;
  namespace?: string;
  name?: string;
  subresource?: string;
  watchPath: boolean;
}

type Reply = (code: number, body: unknown, headers?: Record<string, string>) => void;

export class ResourceHandler {
  private readonly writer: Writer;

  constructor(
    private readonly store: MemoryStore,
    private readonly runtime: () => SandboxRuntime | undefined,
    private readonly watchTimeoutSeconds = DEFAULT_WATCH_TIMEOUT_SECONDS,
    audit?: AuditSink,
  ) {
    this.writer = new Writer(store, audit);
  }

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    q: URLSearchParams,
    reply: Reply,
    user?: Identity,
  ): Promise<void> {
    const { type, namespace, name, subresource } = route;
    if (subresource && !type.subresources.includes(subresource))
      throw new ApiError(
        404,
        'NotFound',
        `the server could not find the requested resource (${type.resource}/${subresource})`,
      );
    const method = req.method ?? 'GET';
    const table = wantsTable(req.headers.accept) ? { includeObject: includeObjectOf(q) } : undefined;

    if (method === 'GET' && (route.watchPath || queryFlag(q, 'watch'))) {
      const fieldSelector = [q.get('fieldSelector'), name ? `metadata.name=${name}` : undefined]
        .filter(Boolean)
        .join(',');
      serveWatch(
        this.store,
        {
          type,
          namespace,
          labelSelector: q.get('labelSelector') ?? undefined,
          fieldSelector: fieldSelector || undefined,
          resourceVersion: q.get('resourceVersion') ?? undefined,
          timeoutSeconds: q.has('timeoutSeconds')
            ? Number(q.get('timeoutSeconds'))
            : this.watchTimeoutSeconds,
          bookmarks: queryFlag(q, 'allowWatchBookmarks'),
          sendInitialEvents: queryFlag(q, 'sendInitialEvents'),
          table,
        },
        res,
        (fn) => req.on('close', fn),
      );
      return;
    }
    if (method === 'GET') return this.read(req, res, route, q, reply, table);

    const body = await readBody(req);
    const type_ = mediaType(req);
    const dryRun = dryRunOf(q);
    if (subresource === 'scale' && name && (method === 'PUT' || method === 'PATCH')) {
      const decoded =
        type_ === 'application/json-patch+json'
          ? JSON.parse(body.toString('utf8'))
          : parseJsonOrYaml(body, type_);
      const change = method === 'PUT' ? { put: decoded } : { patch: decoded, patchType: type_ };
      const request = {
        type,
        namespace,
        name,
        manager: fieldManagerOf(req, q),
        dryRun,
        fieldValidation: fieldValidationOf(q),
        user,
      };
      const { scale, warnings } = writeScale(
        this.store,
        type,
        namespace,
        name,
        change,
        dryRun,
        (previous, next) => this.writer.recordScale(request, previous, next),
        (next, current) => this.writer.admitScale(request, next, current),
      );
      return reply(200, scale, warningHeader(warnings));
    }
    const write = {
      type,
      namespace,
      name,
      subresource: subresource === 'status' ? ('status' as const) : undefined,
      manager: fieldManagerOf(req, q),
      dryRun,
      fieldValidation: fieldValidationOf(q),
      user,
    };
    const respond = (r: WriteResult, code: number) => reply(code, r.object, warningHeader(r.warnings));

    if (method === 'POST' && !name) {
      const r = this.writer.create(write, parseJsonOrYaml(body, type_));
      return respond(r, 201);
    }
    if (method === 'PUT' && name)
      return respond(this.writer.update(write, parseJsonOrYaml(body, type_)), 200);
    if (method === 'PATCH' && name) {
      const patch =
        type_ === 'application/apply-patch+yaml'
          ? parseJsonOrYaml(body, 'yaml')
          : parseJsonOrYaml(body, 'json');
      const r = this.writer.patch(write, type_, patch, queryFlag(q, 'force'));
      return respond(r, r.created ? 201 : 200);
    }
    if (method === 'DELETE') {
      const opts = deleteOptions(parseJsonOrYaml(body, type_), q);
      // Admission judges each object before it is deleted (deletecollection: each item, as the registry does).
      const admitted = (o: KubeObject | undefined) =>
        o ? this.writer.admitDelete({ type, dryRun, user }, o) : [];
      if (name) {
        const warnings = admitted(this.store.get(type, namespace, name));
        return reply(
          200,
          this.store.delete(type, namespace, name, { ...opts, dryRun }),
          warningHeader(warnings),
        );
      }
      const { items } = this.store.list(type, namespace, {
        labelSelector: q.get('labelSelector') ?? undefined,
        fieldSelector: q.get('fieldSelector') ?? undefined,
      });
      const warnings: string[] = [];
      const deleted = items.map((o) => {
        warnings.push(...admitted(o));
        return this.store.delete(type, o.metadata.namespace, o.metadata.name as string, { ...opts, dryRun });
      });
      return reply(
        200,
        {
          kind: `${type.kind}List`,
          apiVersion: apiVersionOf(type),
          metadata: { resourceVersion: this.store.resourceVersion() },
          items: deleted,
        },
        warningHeader(warnings),
      );
    }
    throw new ApiError(
      405,
      'MethodNotAllowed',
      `the server does not allow this method on the requested resource`,
    );
  }

  private read(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    q: URLSearchParams,
    reply: Reply,
    table: { includeObject: 'None' | 'Metadata' | 'Object' } | undefined,
  ): void {
    const { type, namespace, name, subresource } = route;
    const now = this.store.clock.now();
    if (!name) {
      // The stored objects are only serialised here, so no copies.
      const { items, resourceVersion } = this.store.list(
        type,
        namespace,
        {
          labelSelector: q.get('labelSelector') ?? undefined,
          fieldSelector: q.get('fieldSelector') ?? undefined,
        },
        false,
      );
      if (table)
        return reply(
          200,
          toTable(type.resource, items, { includeObject: table.includeObject, resourceVersion, now }),
          { 'Content-Type': TABLE_CONTENT_TYPE },
        );
      return reply(200, {
        kind: `${type.kind}List`,
        apiVersion: apiVersionOf(type),
        metadata: { resourceVersion },
        items,
      });
    }
    if (subresource === 'scale') return reply(200, readScale(this.store, type, namespace, name));
    const o = this.store.get(type, namespace, name);
    if (!o) throw notFound(type, name);
    if (subresource === 'log') return streamPodLogs(this.store, this.runtime(), o, q, req, res);
    if (table)
      return reply(
        200,
        toTable(type.resource, [o], {
          includeObject: table.includeObject,
          resourceVersion: o.metadata.resourceVersion,
          now,
        }),
        { 'Content-Type': TABLE_CONTENT_TYPE },
      );
    reply(200, o);
  }
}

/** DeleteOptions from the body (kubectl) or the query (client-node, curl). */
function deleteOptions(body: unknown, q: URLSearchParams): DeleteOptions {
  const b = (body && typeof body === 'object' ? body : {}) as DeleteOptions & { orphanDependents?: boolean };
  let policy =
    b.propagationPolicy ??
    (q.get('propagationPolicy') as DeleteOptions['propagationPolicy'] | null) ??
    undefined;
  if (b.orphanDependents === true || q.get('orphanDependents') === 'true') policy = 'Orphan';
  if (policy && !['Foreground', 'Background', 'Orphan'].includes(policy))
    throw new ApiError(
      422,
      'Invalid',
      `propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
    );
  const grace =
    b.gracePeriodSeconds ?? (q.has('gracePeriodSeconds') ? Number(q.get('gracePeriodSeconds')) : undefined);
  return { propagationPolicy: policy, gracePeriodSeconds: grace, preconditions: b.preconditions };
}

export type { KubeObject };

/** Warning headers as the API server writes them (code 299, agent '-', the text quoted). */
function warningHeader(warnings: string[]): Record<string, string> | undefined {
  return warnings.length
    ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') }
    : undefined;
}
