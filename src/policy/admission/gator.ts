import type { Manifest, Rule } from '../types.js';
import type { PolicyExport } from './export.js';
import { expectationsOf } from './policy-test.js';

/**
 * A `gator verify` suite (test.gatekeeper.sh/v1alpha1 Suite) for the exported Gatekeeper policies,
 * from a team's `slipway policy test` fixtures: one test per exported rule that some fixture names,
 * with its ConstraintTemplate and Constraint in files of their own (gator reads one object per file),
 * and one case per fixture object, `violations: yes` where it expects `rule=fail`. Expectations on
 * rules without an admission form are reported, not written.
 */
export interface GatorSuite {
  /** Relative path → file content (objects are written as YAML by the caller). */
  files: Map<string, unknown>;
  cases: number;
  skipped: string[];
}

export function gatorSuite(
  exported: PolicyExport['policies'],
  fixtures: ReadonlyArray<readonly Manifest[]>,
  rules: ReadonlyMap<string, Rule>,
): GatorSuite {
  const byRule = new Map(exported.map((p) => [p.policy.rule, p]));
  const files = new Map<string, unknown>();
  const tests = new Map<
    string,
    Array<{ name: string; object: string; assertions: Array<{ violations: string }> }>
  >();
  const skipped: string[] = [];
  let cases = 0;
  for (const manifests of fixtures) {
    for (const e of expectationsOf(manifests, rules).expectations) {
      const policy = byRule.get(e.rule);
      const label = `${e.manifest.ref.kind}/${e.manifest.ref.name} (${e.manifest.file})`;
      if (!policy) {
        skipped.push(`${e.rule} on ${label}: the rule has no admission form`);
        continue;
      }
      const object = `cases/${e.rule}/${cases}-${e.manifest.ref.kind.toLowerCase()}-${e.manifest.ref.name}.yaml`;
      files.set(object, e.manifest.body);
      const list = tests.get(e.rule) ?? [];
      list.push({ name: label, object, assertions: [{ violations: e.expected === 'fail' ? 'yes' : 'no' }] });
      tests.set(e.rule, list);
      cases++;
    }
  }
  for (const rule of tests.keys()) {
    const [template, constraint] = byRule.get(rule)!.objects;
    files.set(`${rule}/template.yaml`, template);
    files.set(`${rule}/constraint.yaml`, constraint);
  }
  files.set('suite.yaml', {
    apiVersion: 'test.gatekeeper.sh/v1alpha1',
    kind: 'Suite',
    tests: [...tests].map(([rule, list]) => ({
      name: rule,
      template: `${rule}/template.yaml`,
      constraint: `${rule}/constraint.yaml`,
      cases: list,
    })),
  });
  return { files, cases, skipped };
}
