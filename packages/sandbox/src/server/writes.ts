/**
 * The mutation pipeline behind POST, PUT and PATCH: decode, check the request against the route,
 * drop and report unknown fields, apply the patch, attribute fields to the manager, and hand the
 * result to the store (which defaults, versions and, for dry runs, persists nothing).
 */
import { type KubeObject, rfc3339 } from '@slipway/kube';
import type { MemoryStore } from '../store/memory-store.js';
import { notFound } from '../store/memory-store.js';
import { apiVersionOf, type ServedResource } from '../store/registry.js';
import { PolicyAdmission, type AuditSink } from './admission.js';
import type { Identity } from './rbac.js';
import { pruneUnknownFields, strictDecodingMessage } from './field-validation.js';
import { applyJsonPatch } from './patch/json-patch.js';
import { jsonMergePatch } from './patch/json-merge.js';
import { recordUpdate, serverSideApply } from './patch/managed-fields.js';
import { strategicMergePatch } from './patch/strategic-merge.js';
import type { FieldValidation } from './request.js';
import { definitionSchema, type KubeSchema } from './schema.js';
import { ApiError } from './status.js';

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

export interface WriteRequest {
  type: ServedResource;
  namespace: string | undefined;
  name?: string;
  subresource?: 'status';
  manager: string;
  dryRun: boolean;
  fieldValidation: FieldValidation;
  /** Who asks (admission's `authorizer`); absent: the sandbox's admin token. */
  user?: Identity | undefined;
}

export interface WriteResult {
  object: KubeObject;
  created: boolean;
  warnings: string[];
}

export class Writer {
  private readonly admission: PolicyAdmission;

  constructor(
    private readonly store: MemoryStore,
    audit?: AuditSink,
  ) {
    this.admission = new PolicyAdmission(store, audit);
  }

  /** ValidatingAdmissionPolicies on a DELETE: `object` null, the stored object as `oldObject`. */
  admitDelete(
    req: { type: ServedResource; dryRun: boolean; user?: Identity | undefined },
    live: KubeObject,
  ): string[] {
    return this.admission.admit(
      { type: req.type, operation: 'DELETE', dryRun: req.dryRun, user: req.user },
      null,
      live,
    );
  }

  /** ValidatingAdmissionPolicies on a `/scale` write: the autoscaling/v1 Scale, new and current. */
  admitScale(
    req: { type: ServedResource; dryRun: boolean; user?: Identity | undefined },
    scale: KubeObject,
    current: KubeObject,
  ): string[] {
    return this.admission.admit(
      {
        type: req.type,
        operation: 'UPDATE',
        subresource: 'scale',
        kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
        dryRun: req.dryRun,
        user: req.user,
      },
      scale,
      current,
    );
  }

  schemaOf(type: ServedResource): KubeSchema | undefined {
    return definitionSchema(type.definition);
  }

  create(req: WriteRequest, body: unknown): WriteResult {
    const obj = this.decode(req, body);
    const warnings = this.validate(req, obj);
    warnings.push(...this.admit(req, obj, undefined));
    recordUpdate(undefined, obj, this.context(req));
    return { object: this.store.create(obj, { dryRun: req.dryRun }), created: true, warnings };
  }

  update(req: WriteRequest, body: unknown): WriteResult {
    const obj = this.decodeNamed(req, body);
    const warnings = this.validate(req, obj);
    const live = this.store.get(req.type, req.namespace, req.name as string);
    if (!live) throw notFound(req.type, req.name as string);
    warnings.push(...this.admit(req, obj, live));
    recordUpdate(live, obj, this.context(req));
    return {
      object: this.store.update(obj, { subresource: req.subresource, dryRun: req.dryRun }),
      created: false,
      warnings,
    };
  }

  patch(req: WriteRequest, patchType: string, patch: unknown, force: boolean): WriteResult {
    if (!(PATCH_TYPES as readonly string[]).includes(patchType)) {
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
      );
    }
    const apply = patchType === 'application/apply-patch+yaml';
    if (force && !apply)
      throw new ApiError(
        422,
        'Invalid',
        'force: Invalid value: true: may not be specified for non-apply patch',
      );
    const live = this.store.get(req.type, req.namespace, req.name as string);
    const schema = this.schemaOf(req.type);
    if (apply) return this.apply(req, live, patch, force);
    if (!live) throw notFound(req.type, req.name as string);
    let patched: unknown;
    if (patchType === 'application/json-patch+json') patched = applyJsonPatch(live, patch);
    else if (patchType === 'application/merge-patch+json') patched = jsonMergePatch(live, patch);
    else {
      if (!schema)
        throw new ApiError(
          415,
          'UnsupportedMediaType',
          `strategic merge patch is not supported for ${req.type.kind}: use a JSON merge patch`,
        );
      patched = strategicMergePatch(live, patch, schema);
    }
    const obj = this.decode(req, patched);
    const warnings = this.validate(req, obj);
    warnings.push(...this.admit(req, obj, live));
    recordUpdate(live, obj, this.context(req));
    return {
      object: this.store.update(obj, { subresource: req.subresource, dryRun: req.dryRun }),
      created: false,
      warnings,
    };
  }

  private apply(req: WriteRequest, live: KubeObject | undefined, body: unknown, force: boolean): WriteResult {
    if (!req.manager || req.manager === 'unknown')
      throw new ApiError(422, 'Invalid', 'fieldManager: Required value: is required for apply patch');
    const applied = this.decodeNamed(req, body);
    const warnings = this.validate(req, applied);
    const merged = serverSideApply(live, applied, { ...this.context(req), force });
    if (applied.metadata.resourceVersion) merged.metadata.resourceVersion = applied.metadata.resourceVersion;
    warnings.push(...this.admit(req, merged, live));
    if (!live) {
      if (req.subresource)
        throw new ApiError(404, 'NotFound', `${req.type.resource} "${req.name}" not found`);
      return { object: this.store.create(merged, { dryRun: req.dryRun }), created: true, warnings };
    }
    if (!applied.metadata.resourceVersion) merged.metadata.resourceVersion = live.metadata.resourceVersion;
    return {
      object: this.store.update(merged, { subresource: req.subresource, dryRun: req.dryRun }),
      created: false,
      warnings,
    };
  }

  /** ValidatingAdmissionPolicies on the object about to be stored (dry runs too, as on a cluster). */
  private admit(req: WriteRequest, obj: KubeObject, live: KubeObject | undefined): string[] {
    return this.admission.admit(
      {
        type: req.type,
        operation: live ? 'UPDATE' : 'CREATE',
        subresource: req.subresource,
        dryRun: req.dryRun,
        user: req.user,
      },
      obj,
      live,
    );
  }

  /** A `/scale` write changed `next.spec.replicas`: its manager owns the field (operation Update, subresource scale). */
  recordScale(req: WriteRequest, previous: KubeObject, next: KubeObject): void {
    recordUpdate(previous, next, { ...this.context(req), subresource: 'scale' });
  }

  private context(req: WriteRequest) {
    return {
      manager: req.manager,
      subresource: req.subresource,
      schema: this.schemaOf(req.type),
      time: rfc3339(this.store.clock.now()),
    };
  }

  /** decode, for a request that names the object in its URL (update, apply): the body must carry that name. */
  private decodeNamed(req: WriteRequest, body: unknown): KubeObject {
    const obj = this.decode(req, body);
    if (obj.metadata.name !== req.name)
      throw new ApiError(
        400,
        'BadRequest',
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${req.name})`,
      );
    return obj;
  }

  /** Checks kind, group/version and namespace against the URL, as the apiserver's decoder and rest.BeforeCreate do. */
  private decode(req: WriteRequest, body: unknown): KubeObject {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new ApiError(400, 'BadRequest', 'the request body must be a JSON or YAML object');
    const obj = structuredClone(body) as KubeObject;
    const apiVersion = apiVersionOf(req.type);
    obj.apiVersion ??= apiVersion;
    obj.kind ??= req.type.kind;
    if (obj.apiVersion !== apiVersion || obj.kind !== req.type.kind) {
      throw new ApiError(
        400,
        'BadRequest',
        `the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersion}) or kind (${obj.kind} vs ${req.type.kind})`,
      );
    }
    obj.metadata ??= {};
    if (typeof obj.metadata !== 'object') throw new ApiError(400, 'BadRequest', 'metadata must be an object');
    if (req.type.namespaced) {
      if (obj.metadata.namespace && req.namespace && obj.metadata.namespace !== req.namespace) {
        throw new ApiError(
          400,
          'BadRequest',
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      obj.metadata.namespace = req.namespace ?? obj.metadata.namespace;
    }
    return obj;
  }

  private validate(req: WriteRequest, obj: KubeObject): string[] {
    const unknown = pruneUnknownFields(obj, this.schemaOf(req.type));
    if (!unknown.length || req.fieldValidation === 'Ignore') return [];
    if (req.fieldValidation === 'Strict')
      throw new ApiError(400, 'BadRequest', strictDecodingMessage(unknown));
    return unknown.map((p) => `unknown field "${p}"`);
  }
}
