/**
 * ValidatingAdmissionPolicy enforcement (admissionregistration.k8s.io/v1), as the API server's
 * validating-policy plugin does it (k8s.io/apiserver/pkg/admission/plugin/policy/validating): every
 * binding whose policy and match resources select the request evaluates the policy's CEL (with
 * @slipway/kube/cel) on the object after defaulting; a failure with the binding's Deny action refuses
 * the write (dry runs included) with the policy's reason (Invalid: 422) and the message
 *   <resource> "<name>" is forbidden: ValidatingAdmissionPolicy '<p>' with binding '<b>' denied request: <message>
 * Warn adds `Validation failed for ValidatingAdmissionPolicy '<p>' with binding '<b>': <message>` as a
 * Warning header; Audit only concerns audit logs, which the sandbox does not keep.
 */
import type { KubeObject } from '@slipway/kube';
import {
  compilePolicy,
  matchesRequest,
  type AdmissionRequestInfo,
  type CompiledPolicy,
  type MatchResources,
  type PolicySpec,
} from '@slipway/kube/cel';
import { applyDefaults } from '../store/defaults.js';
import type { MemoryStore } from '../store/memory-store.js';
import type { ServedResource } from '../store/registry.js';
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
  operation: 'CREATE' | 'UPDATE';
  subresource?: string;
  dryRun: boolean;
}

export class PolicyAdmission {
  private readonly compiled = new Map<string, { version: string; policy: CompiledPolicy | string }>();

  constructor(private readonly store: MemoryStore) {}

  /** Returns the Warning texts; throws the refusal of the first denying binding. */
  admit(req: AdmissionRequest, object: KubeObject, oldObject: KubeObject | undefined): string[] {
    const policyType = this.store.typeFor(`${GROUP}/v1`, 'ValidatingAdmissionPolicy');
    const bindingType = this.store.typeFor(`${GROUP}/v1`, 'ValidatingAdmissionPolicyBinding');
    if (!policyType || !bindingType) return [];
    const bindings = this.store.list(bindingType, undefined, {}, false).items;
    if (bindings.length === 0) return [];
    const defaulted = structuredClone(object);
    // Admission sees the defaulted object; a Service's cluster IP is not needed to judge it.
    applyDefaults(defaulted, { allocateClusterIP: () => '' });
    const request: AdmissionRequestInfo = {
      operation: req.operation,
      kind: { group: req.type.group, version: req.type.version, kind: req.type.kind },
      resource: { group: req.type.group, version: req.type.version, resource: req.type.resource },
      ...(req.subresource ? { subResource: req.subresource } : {}),
      name: object.metadata.name ?? '',
      ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
      dryRun: req.dryRun,
    };
    const namespaceObject = object.metadata.namespace
      ? this.store.get(this.store.typeFor('v1', 'Namespace')!, undefined, object.metadata.namespace)
      : undefined;
    const labels = {
      object: (object.metadata.labels ?? {}) as Record<string, string>,
      namespace: (namespaceObject?.metadata.labels ?? {}) as Record<string, string>,
    };
    const warnings: string[] = [];
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
      const failures = this.evaluate(policyObject, spec, binding, {
        object: defaulted,
        oldObject: oldObject ?? null,
        namespaceObject: namespaceObject ?? null,
        request,
      });
      for (const f of failures) {
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
          warnings.push(
            `Validation failed for ValidatingAdmissionPolicy '${policyName}' with binding '${bindingName}': ${f.message}`,
          );
      }
    }
    return warnings;
  }

  private evaluate(
    policyObject: KubeObject,
    spec: PolicySpec,
    binding: Binding,
    input: { object: unknown; oldObject: unknown; namespaceObject: unknown; request: AdmissionRequestInfo },
  ) {
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
      return failClosed ? [{ message: entry.policy, reason: 'Invalid' }] : [];
    let params: unknown = null;
    if (spec.paramKind && binding.paramRef?.name) {
      const paramType = this.store.typeFor(spec.paramKind.apiVersion ?? '', spec.paramKind.kind ?? '');
      const namespace = binding.paramRef.namespace ?? input.request.namespace;
      params = paramType ? this.store.get(paramType, namespace, binding.paramRef.name) : undefined;
      if (!params) {
        if (binding.paramRef.parameterNotFoundAction === 'Allow') return [];
        return [
          {
            message: `failed to configure binding: no params found for policy binding with \`Deny\` parameterNotFoundAction`,
            reason: 'Invalid',
          },
        ];
      }
    }
    return entry.policy.evaluate({ ...input, params });
  }
}
