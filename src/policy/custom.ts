import { admissionPolicy } from './admission/model.js';
import { evaluatorOf, type CelEvaluator } from './cel-evaluator.js';
import type { CheckConfig } from './config.js';
import type { AdmissionCheck, Manifest, Rule, Severity, Violation } from './types.js';
import { isWorkloadKind } from './workloads.js';

/**
 * A team's own rules from `.slipway-check.yaml` (`customRules:`): a CEL expression over the object,
 * true when it passes, in the same dialect and with the same variables as the exported admission
 * policies. `slipway check` evaluates exactly the policy `slipway policy export` writes, through the
 * same evaluator the sandbox admits with, so the three cannot disagree.
 */
export interface CustomRuleConfig {
  id: string;
  kinds: string[];
  expression: string;
  message: string;
  severity?: Severity;
}

const cache = new WeakMap<CheckConfig, Rule[]>();

/** The custom rules of a configuration parseConfig read, as catalog rules (compiled once). */
export function customRules(config: CheckConfig): Rule[] {
  const hit = cache.get(config);
  if (hit) return hit;
  const cel = evaluatorOf(config);
  if (!cel) throw new Error('custom rules of a configuration parseConfig did not read');
  const rules = (config.customRules ?? []).map((c) => customRule(c, cel));
  cache.set(config, rules);
  return rules;
}

function customRule(c: CustomRuleConfig, cel: CelEvaluator): Rule {
  const admission: AdmissionCheck = {
    kinds: c.kinds.includes('workloads') ? 'workloads' : c.kinds,
    expression: c.expression,
    message: c.message,
  };
  const severity = c.severity ?? 'warning';
  const policy = admissionPolicy({ id: c.id, admission }, severity, {});
  const compiled = cel.compilePolicy({
    variables: policy.variables,
    validations: [{ expression: policy.expression }],
  });
  if ('problems' in compiled) throw new Error(`custom rule ${c.id}: ${compiled.problems[0]?.message}`);
  const matches = (m: Manifest) =>
    c.kinds.includes(m.ref.kind) || (c.kinds.includes('workloads') && isWorkloadKind(m.ref.kind));
  return {
    id: c.id,
    title: c.message,
    severity,
    category: 'custom',
    checks: `${c.kinds.join(', ')}: ${c.expression}`,
    rationale: 'A rule of this repository (.slipway-check.yaml customRules).',
    remediation: c.message,
    fixable: false,
    enabledByDefault: true,
    admission,
    run: (ctx) =>
      ctx.manifests.filter(matches).flatMap((m): Violation[] => {
        const failures = compiled.policy.evaluate({
          object: m.body,
          oldObject: null,
          request: {
            operation: 'CREATE',
            kind: { group: '', version: '', kind: m.ref.kind },
            resource: { group: '', version: '', resource: '' },
            name: m.ref.name,
            namespace: m.ref.namespace,
            dryRun: true,
          },
        });
        return failures.map((f) => ({
          manifest: m,
          path: ['metadata'],
          message: f.message.startsWith('expression ') ? `${c.message} (${f.message})` : c.message,
        }));
      }),
  };
}
