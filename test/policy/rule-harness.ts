import { check } from '../../src/policy/engine.js';
import { parseManifests } from '../../src/policy/load/parse.js';
import { parseTerraform, productionModule } from '../../src/policy/load/terraform.js';
import type { Finding } from '../../src/policy/types.js';
import { loadHcl } from '../../src/cli/hcl.js';

/**
 * Rule cases are YAML with the offending line marked by a trailing `# <-`; the expected column is the
 * first character of that line that is not indentation or a sequence dash (where a key or item starts).
 */
export interface RuleCase {
  rule: string;
  fail: string;
  pass: string;
  kubeVersion?: string;
  allowedRegistries?: string[];
  /** HCL read as `<module>/main.tf` (default module: `environments/staging`). */
  terraform?: { module: string };
}

export function expectedPosition(yaml: string): { line: number; column: number } {
  const lines = yaml.split('\n');
  const index = lines.findIndex((l) => /#\s*<-\s*$/.test(l));
  if (index < 0) throw new Error('case has no `# <-` marker');
  const line = lines[index] as string;
  return { line: index + 1, column: (/[^ -]/.exec(line)?.index ?? 0) + 1 };
}

export function findingsOf(
  yaml: string,
  rule: string,
  kubeVersion = '1.36',
  allowedRegistries?: string[],
): Finding[] {
  const parsed = parseManifests(yaml, 'case.yaml');
  if (parsed.problems.length)
    throw new Error(parsed.problems.map((p) => `${p.location?.line}: ${p.message}`).join('\n'));
  const [major, minor] = kubeVersion.split('.').map(Number) as [number, number];
  const outcome = check({
    manifests: parsed.manifests,
    options: { kubeVersion: { major, minor }, pssVersion: { major: 1, minor: 35 }, allowedRegistries },
    config: { rules: { [rule]: 'on' } },
  });
  return outcome.findings.filter((f) => f.rule === rule);
}

/** Findings of `rule` on HCL read as `<module>/main.tf` (a production module judges production rules). */
export async function terraformFindingsOf(
  hcl: string,
  rule: string,
  module = 'environments/staging',
): Promise<Finding[]> {
  const parsed = parseTerraform(hcl, `${module}/main.tf`, await loadHcl(), {
    module,
    production: productionModule(module),
  });
  if (parsed.problems.length)
    throw new Error(parsed.problems.map((p) => `${p.location?.line}: ${p.message}`).join('\n'));
  const outcome = check({
    manifests: parsed.manifests,
    options: { kubeVersion: { major: 1, minor: 36 }, pssVersion: { major: 1, minor: 35 } },
    config: { rules: { [rule]: 'on' } },
  });
  return outcome.findings.filter((f) => f.rule === rule);
}
