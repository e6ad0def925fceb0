import type { NamedObject } from '@slipway/kube';
import { parseManifests } from '../../src/policy/load/parse.js';
import { evaluatePss } from '../../src/policy/pss/evaluate.js';
import { PSS_LATEST } from '../../src/policy/pss/version.js';
import { workloadOf } from '../../src/policy/workloads.js';
import { manifestsYaml } from '../../src/render/index.js';

/**
 * Every rendered workload is admitted at Pod Security "restricted", judged by src/policy's PSS
 * evaluator (itself proven against the upstream pod-security-admission fixtures in
 * test/policy/pss-fixtures.test.ts).
 */
export function pssViolations(objects: NamedObject[]): string[] {
  const parsed = parseManifests(manifestsYaml(objects), 'rendered.yaml');
  const out: string[] = [];
  for (const m of parsed.manifests) {
    const w = workloadOf(m);
    if (!w) continue;
    const result = evaluatePss(w, 'restricted', PSS_LATEST);
    for (const v of result.violations) out.push(`${m.ref.kind}/${m.ref.name}: ${v.check.id}`);
  }
  return out;
}
