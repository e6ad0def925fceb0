import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withTable } from '../../src/policy/admission/table.js';
import { admissionTable } from './admission-table.js';
import { exportable } from '../../src/policy/admission/model.js';
import { JUDGES, rulePanel, verdictsFor } from '../../src/policy/admission/verdicts.js';
import { parseManifests } from '../../src/policy/load/parse.js';
import { PSS_LATEST } from '../../src/policy/pss/version.js';
import { sharedPath } from '../helpers/shared.js';
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
  it('holds the current rule × format table (npx tsx --conditions=source scripts/gen-policy-admission-doc.ts)', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '..', '..', 'docs', 'policy-admission.md'), 'utf8');
    expect(doc).toBe(withTable(doc, admissionTable()));
  });
});

/**
 * The upstream Pod Security Standards fixtures (kubernetes/pod-security-admission testdata, 148 pods
 * in ../shared) are a wider test of the exported Pod Security rules than their own fixtures: every
 * exported pod-security rule must give the same verdict in check and in the three formats on each.
 */
const pssRoot = sharedPath('conformance', 'pod-security');

describe.skipIf(!pssRoot)('equal verdicts on the upstream Pod Security Standards fixtures', () => {
  it('every exported pod-security rule agrees with check on all 148 pods', () => {
    const files = (['baseline', 'restricted'] as const).flatMap((level) =>
      (['pass', 'fail'] as const).flatMap((expect) =>
        readdirSync(join(pssRoot!, level, expect)).map((f) => join(pssRoot!, level, expect, f)),
      ),
    );
    expect(files.length).toBe(148);
    const sets = files.map((f) => parseManifests(readFileSync(f, 'utf8'), f).manifests);
    const options = { kubeVersion: { major: 1, minor: 35 }, pssVersion: PSS_LATEST };
    const rules = EXPORTED.filter((r) => r.category === 'pod-security');
    expect(rules.length).toBeGreaterThan(10);
    const disagreements: string[] = [];
    let refused = 0;
    for (const rule of rules) {
      const panel = rulePanel(rule, options);
      for (const [i, set] of sets.entries())
        for (const v of panel(set)) {
          if (v.verdicts.check === 'fail') refused++;
          const norm = (x: string) => (x === 'skip' ? 'pass' : x);
          if (JUDGES.some((j) => norm(v.verdicts[j]) !== v.verdicts.check))
            disagreements.push(
              `${rule.id} ${files[i]}: ${JSON.stringify(v.verdicts)} ${v.messages.join('; ')}`,
            );
        }
    }
    expect(disagreements).toEqual([]);
    expect(refused).toBeGreaterThan(50);
  });
});
