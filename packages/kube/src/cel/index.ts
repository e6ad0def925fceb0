/**
 * @slipway/kube/cel: Kubernetes CEL (cel-spec through @bufbuild/cel, plus the Kubernetes libraries the
 * policies use) and ValidatingAdmissionPolicy evaluation, shared by `slipway check`/`policy export`
 * and the sandbox's admission. A separate entry point so that importing @slipway/kube stays cheap.
 */
export { compileCel, type CelOutcome, type CelProblem, type CelProgram } from './environment.js';
export { KUBERNETES_FUNCS } from './library.js';
export { type AuthzAttributes, type AuthzDecision, type AuthzUser, type CelAuthorizer } from './authz.js';
export { celToString, fromCel, toCel } from './values.js';
export {
  compilePolicy,
  matchesRequest,
  POLICY_VARIABLES,
  type AdmissionInput,
  type AdmissionRequestInfo,
  type CompiledPolicy,
  type MatchResources,
  type PolicyFailure,
  type PolicyOutcome,
  type PolicySpec,
  type ResourceRule,
} from './validating-policy.js';
