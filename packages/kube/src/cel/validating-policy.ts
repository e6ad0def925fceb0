import type { CelInput } from '@bufbuild/cel';
import type { LabelSelector } from '../object.js';
import { selectorFromLabelSelector } from '../selector.js';
import { authorizerValue, withAuthorizer, type CelAuthorizer } from './authz.js';
import { compileCel, type CelProblem, type CelProgram } from './environment.js';
import { celToString, toCel } from './values.js';

/**
 * A ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) evaluated as the API server's
 * validating-policy plugin does (k8s.io/apiserver/pkg/admission/plugin/policy/validating): match
 * conditions first (any false skips the policy), variables by name, then every validation; a false
 * validation fails with its message (else messageExpression, else `failed expression: <expr>`), an
 * evaluation error fails under failurePolicy Fail and is ignored under Ignore.
 */
export interface PolicySpec {
  failurePolicy?: 'Fail' | 'Ignore';
  paramKind?: { apiVersion?: string; kind?: string };
  matchConstraints?: MatchResources;
  matchConditions?: Array<{ name: string; expression: string }>;
  variables?: Array<{ name: string; expression: string }>;
  validations?: Array<{ expression: string; message?: string; messageExpression?: string; reason?: string }>;
  /** Recorded on the request's audit event as `<policy name>/<key>`; a null or empty value is left out. */
  auditAnnotations?: Array<{ key: string; valueExpression: string }>;
}

export interface MatchResources {
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  resourceRules?: ResourceRule[];
  excludeResourceRules?: ResourceRule[];
}

export interface ResourceRule {
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  operations?: string[];
  resourceNames?: string[];
}

/** What the policy sees of one request; objects are plain JSON. */
export interface AdmissionInput {
  object: unknown;
  oldObject: unknown;
  params?: unknown;
  namespaceObject?: unknown;
  request: AdmissionRequestInfo;
  /** Variables the host provides before the policy's own (Gatekeeper's variables.params). */
  variables?: Record<string, unknown>;
  /** Answers the `authorizer` checks (the sandbox's RBAC); without it every check errs. */
  authorizer?: CelAuthorizer;
}

export interface AdmissionRequestInfo {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  name: string;
  namespace?: string;
  dryRun: boolean;
}

export interface PolicyFailure {
  message: string;
  /** The StatusReason the API server answers with (Invalid unless the validation names one). */
  reason: string;
  /** The index of the failing validation in spec.validations. */
  expressionIndex?: number;
}

export interface CompiledPolicy {
  evaluate(input: AdmissionInput): PolicyFailure[];
  /** The failures and the audit annotations (by key, without the policy name), as the API server records them. */
  evaluateRequest(input: AdmissionInput): PolicyOutcome;
}

export interface PolicyOutcome {
  failures: PolicyFailure[];
  auditAnnotations: Record<string, string>;
}

export const POLICY_VARIABLES = [
  'object',
  'oldObject',
  'params',
  'namespaceObject',
  'request',
  'variables',
  'authorizer',
] as const;

/** Compiles every expression of the policy; problems name the field (`spec.validations[0].expression`). */
export function compilePolicy(
  spec: PolicySpec,
): { policy: CompiledPolicy } | { problems: Array<CelProblem & { field: string }> } {
  const problems: Array<CelProblem & { field: string }> = [];
  const compile = (expression: string, field: string): CelProgram | undefined => {
    const out = compileCel(expression, POLICY_VARIABLES);
    if ('problem' in out) problems.push({ ...out.problem, field });
    return 'program' in out ? out.program : undefined;
  };
  const conditions = (spec.matchConditions ?? []).map((c, i) =>
    compile(c.expression, `spec.matchConditions[${i}].expression`),
  );
  const variables = (spec.variables ?? []).map((v, i) => ({
    name: v.name,
    program: compile(v.expression, `spec.variables[${i}].expression`),
  }));
  const validations = (spec.validations ?? []).map((v, i) => ({
    ...v,
    index: i,
    program: compile(v.expression, `spec.validations[${i}].expression`),
    messageProgram:
      v.messageExpression === undefined
        ? undefined
        : compile(v.messageExpression, `spec.validations[${i}].messageExpression`),
  }));
  const audits = (spec.auditAnnotations ?? []).map((a, i) => ({
    key: a.key,
    program: compile(a.valueExpression, `spec.auditAnnotations[${i}].valueExpression`),
  }));
  if (problems.length) return { problems };
  const failClosed = (spec.failurePolicy ?? 'Fail') === 'Fail';
  const none: PolicyOutcome = { failures: [], auditAnnotations: {} };
  const policy: CompiledPolicy = {
    evaluate: (input) => policy.evaluateRequest(input).failures,
    evaluateRequest(input) {
      return withAuthorizer(input.authorizer, () => evaluateRequest(input));
    },
  };
  function evaluateRequest(input: AdmissionInput): PolicyOutcome {
    const r = input.request;
    const bindings: Record<string, CelInput> = {
      authorizer: authorizerValue({
        group: r.resource.group,
        resource: r.resource.resource,
        subresource: r.subResource ?? '',
        namespace: r.namespace ?? '',
        name: r.name,
      }) as CelInput,
      object: converted(input.object),
      oldObject: converted(input.oldObject),
      params: toCel(input.params),
      namespaceObject: toCel(input.namespaceObject),
      request: toCel(input.request),
    };
    for (const [i, c] of conditions.entries()) {
      const out = c!.evaluate(bindings);
      if (!out.ok)
        return failClosed
          ? {
              failures: [
                {
                  message: `matchCondition '${spec.matchConditions![i]!.name}': ${out.error}`,
                  reason: 'Invalid',
                },
              ],
              auditAnnotations: {},
            }
          : none;
      if (out.value !== true) return none;
    }
    const vars: Record<string, CelInput> = {};
    for (const [name, value] of Object.entries(input.variables ?? {})) vars[name] = toCel(value);
    bindings.variables = vars;
    for (const v of variables) {
      const out = v.program!.evaluate(bindings);
      // Kubernetes evaluates variables lazily: a broken one only fails the expressions that read it.
      if (out.ok) vars[v.name] = out.value as CelInput;
    }
    const failures: PolicyFailure[] = [];
    for (const v of validations) {
      const out = v.program!.evaluate(bindings);
      const reason = v.reason ?? 'Invalid';
      if (!out.ok) {
        if (failClosed)
          failures.push({
            message: `expression '${v.expression}' resulted in error: ${out.error}`,
            reason,
            expressionIndex: v.index,
          });
        continue;
      }
      if (out.value === true) continue;
      let message = v.message;
      if (v.messageProgram) {
        const m = v.messageProgram.evaluate(bindings);
        if (m.ok && celToString(m.value).trim() !== '') message = celToString(m.value);
      }
      failures.push({
        message: message ?? `failed expression: ${v.expression}`,
        reason,
        expressionIndex: v.index,
      });
    }
    // auditAnnotations: a string value is recorded; null or '' leaves the key out; an error fails
    // the request under failurePolicy Fail, like a validation's.
    const auditAnnotations: Record<string, string> = {};
    for (const a of audits) {
      const out = a.program!.evaluate(bindings);
      if (!out.ok) {
        if (failClosed)
          failures.push({
            message: `expression '${a.key}' resulted in error: ${out.error}`,
            reason: 'Invalid',
          });
        continue;
      }
      if (out.value === null || out.value === undefined) continue;
      const text = celToString(out.value);
      if (text !== '') auditAnnotations[a.key] = text;
    }
    return { failures, auditAnnotations };
  }
  return { policy };
}

/**
 * The CEL form of an object, kept per object: the checker and the verdict tests evaluate many
 * policies on the same (never modified) object. Callers hand in objects they do not change afterwards.
 */
const conversions = new WeakMap<object, CelInput>();
function converted(value: unknown): CelInput {
  if (value === null || typeof value !== 'object') return toCel(value);
  let hit = conversions.get(value);
  if (hit === undefined) conversions.set(value, (hit = toCel(value)));
  return hit;
}

/**
 * Whether match constraints (of a policy) or match resources (of a binding) select a request:
 * resource rules by group, version, resource and operation, the namespace selector against the
 * namespace's labels (cluster-scoped objects other than Namespaces always pass it) and the object
 * selector against the object's (or, on DELETE, the old object's) labels.
 */
export function matchesRequest(
  match: MatchResources | undefined,
  request: AdmissionRequestInfo,
  labels: { object?: Record<string, string>; namespace?: Record<string, string> },
  defaultRules: boolean,
): boolean {
  if (!match) return true;
  const ruleMatches = (r: ResourceRule) =>
    listed(r.apiGroups, request.resource.group) &&
    listed(r.apiVersions, request.resource.version) &&
    resourceListed(r.resources, request.resource.resource, request.subResource) &&
    listed(r.operations, request.operation) &&
    (!r.resourceNames?.length || r.resourceNames.includes(request.name));
  if (match.resourceRules ? !match.resourceRules.some(ruleMatches) : !defaultRules) return false;
  if (match.excludeResourceRules?.some(ruleMatches)) return false;
  const isNamespace = request.resource.group === '' && request.resource.resource === 'namespaces';
  if (request.namespace || isNamespace) {
    const nsLabels = isNamespace ? labels.object : labels.namespace;
    if (!selects(match.namespaceSelector, nsLabels)) return false;
  }
  return selects(match.objectSelector, labels.object);
}

// admissionregistration's resource rules: a lone star is every resource but no subresource; star-slash-star
// is everything; star-slash-status is that subresource of any resource.
function resourceListed(values: string[] | undefined, resource: string, sub: string | undefined): boolean {
  if (!values) return true;
  if (!sub) return values.includes('*') || values.includes('*/*') || values.includes(resource);
  return [`${resource}/${sub}`, `*/${sub}`, `${resource}/*`, '*/*'].some((v) => values.includes(v));
}

function listed(values: string[] | undefined, value: string): boolean {
  return !values || values.includes('*') || values.includes(value);
}

function selects(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  // An absent selector selects everything (the API server defaults it to {}).
  return selector === undefined || selectorFromLabelSelector(selector).matches(labels ?? {});
}
