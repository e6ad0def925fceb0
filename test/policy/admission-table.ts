import { exportable } from '../../src/policy/admission/model.js';
import { renderAdmissionTable } from '../../src/policy/admission/table.js';
import { verdictsFor, type ObjectVerdicts } from '../../src/policy/admission/verdicts.js';
import { RULES } from '../../src/policy/rules/index.js';
import { fixtureSets } from './admission-cases.js';

/** Verdicts of every exported rule on its own fixtures, and the docs table made from them. */
export function admissionVerdicts(): Map<string, ObjectVerdicts[]> {
  return new Map(
    RULES.filter(exportable).map((rule) => [
      rule.id,
      fixtureSets(rule.id).flatMap((s) => verdictsFor(rule, s.manifests, s.options)),
    ]),
  );
}

export function admissionTable(): string {
  return renderAdmissionTable(RULES, admissionVerdicts());
}
