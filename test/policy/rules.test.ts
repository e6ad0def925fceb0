import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/policy/rules/index.js';
import { HYGIENE_CASES, OBJECT_CASES } from './cases/objects.js';
import { PEER_CASES } from './cases/peers.js';
import { PSS_CASES } from './cases/pss.js';
import { WORKLOAD_CASES } from './cases/workload.js';
import { SCHEMA_CASES } from './cases/schema.js';
import { TERRAFORM_CASES } from './cases/terraform.js';
import { expectedPosition, findingsOf, terraformFindingsOf, type RuleCase } from './rule-harness.js';

const CASES = [
  ...PSS_CASES,
  ...WORKLOAD_CASES,
  ...OBJECT_CASES,
  ...HYGIENE_CASES,
  ...SCHEMA_CASES,
  ...PEER_CASES,
  ...TERRAFORM_CASES,
];

const findings = (c: RuleCase, text: string) =>
  c.rule.startsWith('terraform-')
    ? terraformFindingsOf(text, c.rule, c.terraform?.module)
    : Promise.resolve(findingsOf(text, c.rule, c.kubeVersion, c.allowedRegistries));

describe('rule catalog', () => {
  it('has a failing and a passing case for every rule', () => {
    const covered = new Set(CASES.map((c) => c.rule));
    expect(RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it('has unique rule IDs with complete catalog text', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES)
      for (const text of [r.title, r.checks, r.rationale, r.remediation])
        expect(text.length, r.id).toBeGreaterThan(5);
  });
});

describe.each(CASES)('$rule', (c) => {
  it('reports the failing case at the offending field', async () => {
    const found = await findings(c, c.fail);
    expect(found.length).toBeGreaterThan(0);
    expect(found.map((f) => ({ line: f.line, column: f.column }))).toContainEqual(expectedPosition(c.fail));
  });
  it('accepts the passing case', async () => {
    expect((await findings(c, c.pass)).map((f) => `${f.line}:${f.column} ${f.message}`)).toEqual([]);
  });
});
