/**
 * OpenAPI v3 built from the generated tables: the `/openapi/v3` index and one document per
 * group/version. kubectl needs the PATCH operations' `x-kubernetes-group-version-kind` and
 * `fieldValidation` parameter to send `fieldValidation=Strict` instead of validating itself
 * (cli-runtime query_param_verifier_v3.go), and the schemas' merge keys to build strategic merge
 * patches for client-side apply. Kinds without a schema (HTTPRoute) are declared open, and like
 * CRDs do not offer strategic merge patch, so kubectl falls back to JSON merge patch.
 */
import { createHash } from 'node:crypto';
import { SCHEMAS } from '../generated/kube-tables.js';
import type { KubeSchema } from '../generated/types.js';
import { apiVersionOf, type ResourceRegistry, type ServedResource } from '../store/registry.js';

type Obj = Record<string, unknown>;
const PATCH_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
const STATUS_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';

function ref(name: string): Obj {
  return { $ref: `#/components/schemas/${name}` };
}

/** v2 `$ref` with siblings becomes v3 `allOf: [{$ref}]` plus the siblings, as kube-openapi writes it. */
function toV3(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toV3);
  if (!value || typeof value !== 'object') return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value as Obj))
    out[k] =
      k === 'properties'
        ? Object.fromEntries(Object.entries(v as Obj).map(([p, s]) => [p, toV3(s)]))
        : toV3(v);
  if (typeof out.$ref === 'string') {
    const target = (out.$ref as string).replace('#/definitions/', '#/components/schemas/');
    delete out.$ref;
    return Object.keys(out).length ? { allOf: [{ $ref: target }], ...out } : { $ref: target };
  }
  return out;
}

function schemaNameOf(r: ServedResource): string {
  return r.definition ?? `${r.group.split('.').reverse().join('.')}.${r.version}.${r.kind}`;
}

const QUERY = (name: string, type = 'string') => ({ name, in: 'query', schema: { type, uniqueItems: true } });

function operations(r: ServedResource, sub: string | undefined): Obj {
  const gvk =
    sub === 'scale'
      ? { group: 'autoscaling', version: 'v1', kind: 'Scale' }
      : { group: r.group, version: r.version, kind: r.kind };
  const body = ref(sub === 'scale' ? 'io.k8s.api.autoscaling.v1.Scale' : schemaNameOf(r));
  const json = { 'application/json': { schema: body } };
  const common = {
    'x-kubernetes-group-version-kind': gvk,
    responses: { '200': { description: 'OK', content: json } },
  };
  const patchTypes = r.definition
    ? [
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/strategic-merge-patch+json',
        'application/apply-patch+yaml',
      ]
    : ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
  const id = `${r.kind}${sub ? `_${sub}` : ''}`;
  return {
    get: { operationId: `read${id}`, 'x-kubernetes-action': 'get', ...common },
    put: {
      operationId: `replace${id}`,
      'x-kubernetes-action': 'put',
      parameters: [QUERY('dryRun'), QUERY('fieldManager'), QUERY('fieldValidation')],
      requestBody: { content: { '*/*': { schema: body } }, required: true },
      ...common,
    },
    patch: {
      operationId: `patch${id}`,
      'x-kubernetes-action': 'patch',
      parameters: [
        QUERY('dryRun'),
        QUERY('fieldManager'),
        QUERY('fieldValidation'),
        QUERY('force', 'boolean'),
      ],
      requestBody: {
        content: Object.fromEntries(patchTypes.map((t) => [t, { schema: ref(PATCH_SCHEMA) }])),
        required: true,
      },
      ...common,
    },
    ...(sub
      ? {}
      : {
          delete: {
            operationId: `delete${id}`,
            'x-kubernetes-action': 'delete',
            'x-kubernetes-group-version-kind': gvk,
            responses: {
              '200': { description: 'OK', content: { 'application/json': { schema: ref(STATUS_SCHEMA) } } },
            },
          },
        }),
  };
}

export class OpenApiV3 {
  private readonly docs = new Map<string, { body: string; hash: string }>();
  private readonly schemas: Obj;

  constructor(private readonly registry: ResourceRegistry) {
    this.schemas = toV3(SCHEMAS) as Obj;
    this.schemas[PATCH_SCHEMA] = { type: 'object' };
    for (const r of registry.all) {
      if (!r.definition) {
        this.schemas[schemaNameOf(r)] = {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          'x-kubernetes-group-version-kind': [{ group: r.group, version: r.version, kind: r.kind }],
        } satisfies KubeSchema;
      }
    }
  }

  /** `api/v1`, `apis/apps/v1`, ... */
  private key(gv: { group: string; version: string }): string {
    return gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;
  }

  index(): Obj {
    const paths: Obj = {};
    for (const gv of this.registry.groupVersions()) {
      const key = this.key(gv);
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${this.document(key)?.hash}` };
    }
    return { paths };
  }

  document(key: string): { body: string; hash: string } | undefined {
    const cached = this.docs.get(key);
    if (cached) return cached;
    const gv = this.registry.groupVersions().find((g) => this.key(g) === key);
    if (!gv) return undefined;
    const paths: Obj = {};
    const prefix = `/${key}`;
    for (const r of this.registry.all.filter((x) => apiVersionOf(x) === apiVersionOf(gv))) {
      const item = r.namespaced
        ? `${prefix}/namespaces/{namespace}/${r.resource}/{name}`
        : `${prefix}/${r.resource}/{name}`;
      const collection = item.slice(0, -'/{name}'.length);
      paths[collection] = {
        get: {
          operationId: `list${r.kind}`,
          'x-kubernetes-action': 'list',
          'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
          responses: { '200': { description: 'OK' } },
        },
        post: {
          operationId: `create${r.kind}`,
          'x-kubernetes-action': 'post',
          'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
          parameters: [QUERY('dryRun'), QUERY('fieldManager'), QUERY('fieldValidation')],
          requestBody: { content: { '*/*': { schema: ref(schemaNameOf(r)) } } },
          responses: { '201': { description: 'Created' } },
        },
      };
      paths[item] = operations(r, undefined);
      for (const sub of r.subresources.filter((s) => s !== 'log'))
        paths[`${item}/${sub}`] = operations(r, sub);
    }
    const body = JSON.stringify({
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: 'v1.33.0' },
      paths,
      components: { schemas: this.schemas },
    });
    const doc = { body, hash: createHash('sha512').update(body).digest('hex').slice(0, 128).toUpperCase() };
    this.docs.set(key, doc);
    return doc;
  }
}
