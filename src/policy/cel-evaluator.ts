import type { compileCel, compilePolicy, POLICY_VARIABLES } from '@slipway/kube/cel';

/**
 * What custom rules need of the CEL evaluator (@slipway/kube/cel with @bufbuild/cel, protobuf and
 * re2: about 130 modules, 200 ms of start-up). The caller loads it, and only for a configuration with
 * `customRules` (parseConfig's `loadCel`), so a plain `slipway check` never does; only its types are
 * imported here.
 */
export interface CelEvaluator {
  compileCel: typeof compileCel;
  compilePolicy: typeof compilePolicy;
  POLICY_VARIABLES: typeof POLICY_VARIABLES;
}

const evaluators = new WeakMap<object, CelEvaluator>();

/** Remembers the evaluator a configuration's custom rules were checked with (parseConfig). */
export function rememberEvaluator(config: object, cel: CelEvaluator): void {
  evaluators.set(config, cel);
}

/** The evaluator parseConfig loaded for this configuration, if it has custom rules. */
export function evaluatorOf(config: object): CelEvaluator | undefined {
  return evaluators.get(config);
}
