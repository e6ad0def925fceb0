import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/policy/rules/index.js';
import { HYGIENE_CASES, OBJECT_CASES } from './cases/objects.js';
import { PEER_CASES } from './cases/peers.js';
import { PSS_CASES } from './cases/pss.js';
import { WORKLOAD_CASES } from './cases/workload.js';
import { SCHEMA_CASES } from './cases/schema.js';
import { expectedPosition, findingsOf } from './rule-harness.js';

const CASES = [
  ...PSS_CASES,
  ...WORKLOAD_CASES,
  ...OBJECT_CASES,
  ...HYGIENE_CASES,
  ...SCHEMA_CASES,
  ...PEER_CASES,
];

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
  it('reports the failing case at the offending field', () => {
    const findings = findingsOf(c.fail, c.rule, c.kubeVersion, c.allowedRegistries);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.map((f) => ({ line: f.line, column: f.column }))).toContainEqual(
      expectedPosition(c.fail),
    );
  });
  it('accepts the passing case', () => {
    expect(
      findingsOf(c.pass, c.rule, c.kubeVersion, c.allowedRegistries).map(
        (f) => `${f.line}:${f.column} ${f.message}`,
      ),
    ).toEqual([]);
  });
});
