/**
 * ValidatingAdmissionPolicy enforcement (admissionregistration.k8s.io/v1), as the API server's
 * validating-policy plugin does it (k8s.io/apiserver/pkg/admission/plugin/policy/validating): every
 * binding whose policy and match resources select the request evaluates the policy's CEL (with
 * @slipway/kube/cel) on the object after defaulting; a failure with the binding's Deny action refuses
 * the write (dry runs included) with the policy's reason (Invalid: 422) and the message
 *   <resource> "<name>" is forbidden: ValidatingAdmissionPolicy '<p>' with binding '<b>' denied request: <message>
 * Warn adds `Validation failed for ValidatingAdmissionPolicy '<p>' with binding '<b>': <message>` as a
 * Warning header. What the API server writes on the request's audit event goes to the `audit` sink:
 * each policy's auditAnnotations as `<policy>/<key>`, and for the Audit action the failures under
 * `validation.policy.admission.k8s.io/validation_failure` (a JSON list, as the API server writes it).
 *
 * DELETE is judged with `object` null and the stored object as `oldObject` (its labels are the ones
 * the object selector reads); the `/scale` subresource with the autoscaling/v1 Scale as `object`
 * and the current Scale as `oldObject`, request kind `autoscaling/v1 Scale`, matched only by rules
 * naming the subresource (deployments/scale, star-slash-scale, star-slash-star).
 */
import type { KubeObject } from '@slipway/kube';
import {
  compilePolicy,
  matchesRequest,
  type AdmissionRequestInfo,
  type CelAuthorizer,
  type CompiledPolicy,
  type MatchResources,
  type PolicyOutcome,
  type PolicySpec,
} from '@slipway/kube/cel';
import { applyDefaults } from '../store/defaults.js';
import type { MemoryStore } from '../store/memory-store.js';
import type { ServedResource } from '../store/registry.js';
import { ADMIN_IDENTITY, allowed, allowedPath, type Identity } from './rbac.js';
import { ApiError, type ApiReason } from './status.js';

const GROUP = 'admissionregistration.k8s.io';

interface Binding {
  policyName?: string;
  validationActions?: string[];
  matchResources?: MatchResources;
  paramRef?: { name?: string; namespace?: string; parameterNotFoundAction?: string };
}

const REASON_CODES: Record<string, number> = {
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Invalid: 422,
  Timeout: 504,
  TooManyRequests: 429,
  BadRequest: 400,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  InternalError: 500,
  Expired: 410,
  ServiceUnavailable: 503,
};

export interface AdmissionRequest {
  type: ServedResource;
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  subresource?: string;
  /** The kind of the object submitted when it is not the resource's (autoscaling/v1 Scale for `/scale`). */
  kind?: { group: string; version: string; kind: string };
  dryRun: boolean;
  /** Who asks; the `authorizer` variable checks as this identity (absent: the sandbox's admin token). */
  user?: Identity | undefined;
}

/** What the API server writes on a request's audit event about admission (audit.k8s.io/v1 Event, in part). */
export interface AdmissionAuditEvent {
  verb: string;
  objectRef: { resource: string; apiGroup: string; namespace?: string; name: string; subresource?: string };
  dryRun: boolean;
  annotations: Record<string, string>;
}

export type AuditSink = (event: AdmissionAuditEvent) => void;

export class PolicyAdmission {
  private readonly compiled = new Map<string, { version: string; policy: CompiledPolicy | string }>();

  constructor(
    private readonly store: MemoryStore,
    private readonly audit?: AuditSink,
  ) {}

  /**
   * Returns the Warning texts; throws the refusal of the first denying binding. `object` is null on
   * DELETE. The audit sink hears of every request that produced audit annotations, refused ones too.
   */
  admit(req: AdmissionRequest, object: KubeObject | null, oldObject: KubeObject | undefined): string[] {
    const policyType = this.store.typeFor(`${GROUP}/v1`, 'ValidatingAdmissionPolicy');
    const bindingType = this.store.typeFor(`${GROUP}/v1`, 'ValidatingAdmissionPolicyBinding');
    if (!policyType || !bindingType) return [];
    const bindings = this.store.list(bindingType, undefined, {}, false).items;
    if (bindings.length === 0) return [];
    const defaulted = object && !req.kind ? structuredClone(object) : object;
    // Admission sees the defaulted object; a Service's cluster IP is not needed to judge it.
    if (defaulted && !req.kind) applyDefaults(defaulted, { allocateClusterIP: () => '' });
    const subject = (object ?? oldObject)!;
    const request: AdmissionRequestInfo = {
      operation: req.operation,
      kind: req.kind ?? { group: req.type.group, version: req.type.version, kind: req.type.kind },
      resource: { group: req.type.group, version: req.type.version, resource: req.type.resource },
      ...(req.subresource ? { subResource: req.subresource } : {}),
      name: subject.metadata.name ?? '',
      ...(subject.metadata.namespace ? { namespace: subject.metadata.namespace } : {}),
      dryRun: req.dryRun,
    };
    const namespaceObject = subject.metadata.namespace
      ? this.store.get(this.store.typeFor('v1', 'Namespace')!, undefined, subject.metadata.namespace)
      : undefined;
    const labels = {
      object: (subject.metadata.labels ?? {}) as Record<string, string>,
      namespace: (namespaceObject?.metadata.labels ?? {}) as Record<string, string>,
    };
    const warnings: string[] = [];
    const annotations: Record<string, string> = {};
    const audited: Array<Record<string, unknown>> = [];
    try {
      this.judge(
        req,
        request,
        { defaulted, oldObject, namespaceObject, labels, bindings },
        (w) => warnings.push(w),
        {
          annotations,
          audited,
        },
      );
    } finally {
      if (audited.length)
        annotations['validation.policy.admission.k8s.io/validation_failure'] = JSON.stringify(audited);
      if (this.audit && Object.keys(annotations).length)
        this.audit({
          verb: { CREATE: 'create', UPDATE: 'update', DELETE: 'delete' }[req.operation],
          objectRef: {
            resource: req.type.resource,
            apiGroup: req.type.group,
            ...(request.namespace ? { namespace: request.namespace } : {}),
            name: request.name,
            ...(req.subresource ? { subresource: req.subresource } : {}),
          },
          dryRun: req.dryRun,
          annotations,
        });
    }
    return warnings;
  }

  private judge(
    req: AdmissionRequest,
    request: AdmissionRequestInfo,
    ctx: {
      defaulted: KubeObject | null;
      oldObject: KubeObject | undefined;
      namespaceObject: KubeObject | undefined;
      labels: { object: Record<string, string>; namespace: Record<string, string> };
      bindings: KubeObject[];
    },
    warn: (text: string) => void,
    audit: { annotations: Record<string, string>; audited: Array<Record<string, unknown>> },
  ): void {
    const policyType = this.store.typeFor(`${GROUP}/v1`, 'ValidatingAdmissionPolicy')!;
    const { defaulted, oldObject, namespaceObject, labels, bindings } = ctx;
    for (const b of bindings) {
      const binding = (b.spec ?? {}) as Binding;
      const policyObject = binding.policyName
        ? this.store.get(policyType, undefined, binding.policyName)
        : undefined;
      if (!policyObject) continue;
      const spec = (policyObject.spec ?? {}) as PolicySpec;
      if (!matchesRequest(spec.matchConstraints, request, labels, false)) continue;
      if (!matchesRequest(binding.matchResources, request, labels, true)) continue;
      const policyName = policyObject.metadata.name as string;
      const bindingName = b.metadata.name as string;
      const actions = binding.validationActions ?? [];
      const { failures, auditAnnotations } = this.evaluate(policyObject, spec, binding, {
        object: defaulted,
        oldObject: oldObject ?? null,
        namespaceObject: namespaceObject ?? null,
        request,
        authorizer: this.authorizer(req.user ?? ADMIN_IDENTITY),
      });
      for (const [key, value] of Object.entries(auditAnnotations))
        audit.annotations[`${policyName}/${key}`] ??= value;
      for (const f of failures) {
        if (actions.includes('Audit'))
          audit.audited.push({
            message: f.message,
            policy: policyName,
            binding: bindingName,
            ...(f.expressionIndex !== undefined ? { expressionIndex: f.expressionIndex } : {}),
            validationActions: actions,
          });
        if (actions.includes('Deny')) {
          const message = `ValidatingAdmissionPolicy '${policyName}' with binding '${bindingName}' denied request: ${f.message}`;
          const resource = req.type.group ? `${req.type.resource}.${req.type.group}` : req.type.resource;
          throw new ApiError(
            REASON_CODES[f.reason] ?? 422,
            f.reason as ApiReason,
            `${resource} "${request.name}" is forbidden: ${message}`,
            { name: request.name, group: req.type.group, kind: req.type.resource, causes: [{ message }] },
          );
        }
        if (actions.includes('Warn'))
          warn(
            `Validation failed for ValidatingAdmissionPolicy '${policyName}' with binding '${bindingName}': ${f.message}`,
          );
      }
    }
  }

  /**
   * The `authorizer` checks, answered by the sandbox's RBAC as `who` (or the ServiceAccount that
   * authorizer.serviceAccount names). The reason is the sandbox's own text, not the RBAC authorizer's.
   */
  private authorizer(who: Identity): CelAuthorizer {
    return (user, a) => {
      const as: Identity = user ? { user: user.name, groups: user.groups, admin: false } : who;
      if ('path' in a) {
        const ok = allowedPath(this.store, as, a.path, a.verb);
        return { allowed: ok, reason: ok ? `allowed by the sandbox's RBAC to ${as.user}` : '' };
      }
      const ok = allowed(this.store, as, {
        verb: a.verb,
        group: a.group,
        resource: a.resource,
        ...(a.subresource ? { subresource: a.subresource } : {}),
        ...(a.namespace ? { namespace: a.namespace } : {}),
        ...(a.name ? { name: a.name } : {}),
      });
      return { allowed: ok, reason: ok ? `allowed by the sandbox's RBAC to ${as.user}` : '' };
    };
  }

  private evaluate(
    policyObject: KubeObject,
    spec: PolicySpec,
    binding: Binding,
    input: {
      object: unknown;
      oldObject: unknown;
      namespaceObject: unknown;
      request: AdmissionRequestInfo;
      authorizer: CelAuthorizer;
    },
  ): PolicyOutcome {
    const none: PolicyOutcome = { failures: [], auditAnnotations: {} };
    const name = policyObject.metadata.name as string;
    const version = policyObject.metadata.resourceVersion ?? '';
    let entry = this.compiled.get(name);
    if (!entry || entry.version !== version) {
      const out = compilePolicy(spec);
      entry = {
        version,
        policy:
          'policy' in out
            ? out.policy
            : out.problems.map((p) => `${p.field}: compilation failed: ${p.message}`).join('; '),
      };
      this.compiled.set(name, entry);
    }
    const failClosed = (spec.failurePolicy ?? 'Fail') === 'Fail';
    if (typeof entry.policy === 'string')
      return failClosed
        ? { failures: [{ message: entry.policy, reason: 'Invalid' }], auditAnnotations: {} }
        : none;
    let params: unknown = null;
    if (spec.paramKind && binding.paramRef?.name) {
      const paramType = this.store.typeFor(spec.paramKind.apiVersion ?? '', spec.paramKind.kind ?? '');
      const namespace = binding.paramRef.namespace ?? input.request.namespace;
      params = paramType ? this.store.get(paramType, namespace, binding.paramRef.name) : undefined;
      if (!params) {
        if (binding.paramRef.parameterNotFoundAction === 'Allow') return none;
        return {
          failures: [
            {
              message: `failed to configure binding: no params found for policy binding with \`Deny\` parameterNotFoundAction`,
              reason: 'Invalid',
            },
          ],
          auditAnnotations: {},
        };
      }
    }
    return entry.policy.evaluateRequest({ ...input, params });
  }
}
