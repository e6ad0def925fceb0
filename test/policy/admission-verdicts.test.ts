import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withTable } from '../../src/policy/admission/table.js';
import { admissionTable } from './admission-table.js';
import { exportable } from '../../src/policy/admission/model.js';
import { JUDGES, verdictsFor } from '../../src/policy/admission/verdicts.js';
import { RULES } from '../../src/policy/rules/index.js';
import { fixtureSets } from './admission-cases.js';

const EXPORTED = RULES.filter(exportable);

describe('equal verdicts: slipway check, VAP, Gatekeeper and Kyverno on every exported rule fixture', () => {
  it.each(EXPORTED.map((r) => r.id))('%s', (id) => {
    const rule = EXPORTED.find((r) => r.id === id)!;
    const sets = fixtureSets(id);
    expect(sets.length).toBeGreaterThan(0);
    const disagreements: string[] = [];
    let failing = 0;
    for (const set of sets) {
      for (const v of verdictsFor(rule, set.manifests, set.options)) {
        if (v.verdicts.check === 'fail') failing++;
        // An object a policy does not match is admitted: the same as a pass.
        const norm = (x: string) => (x === 'skip' ? 'pass' : x);
        const differing = JUDGES.filter((j) => norm(v.verdicts[j]) !== v.verdicts.check);
        if (differing.length)
          disagreements.push(
            `${set.name} ${v.object}: ${JSON.stringify(v.verdicts)} ${v.messages.join('; ')}`,
          );
      }
    }
    expect(disagreements).toEqual([]);
    // The failing fixture fails in check, so the agreement above includes refusals, not only passes.
    expect(failing).toBeGreaterThan(0);
  });
});

describe('docs/policy-admission.md', () => {
  it('holds the current rule × format table (npx tsx scripts/gen-policy-admission-doc.ts)', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '..', '..', 'docs', 'policy-admission.md'), 'utf8');
    expect(doc).toBe(withTable(doc, admissionTable()));
  });
});
