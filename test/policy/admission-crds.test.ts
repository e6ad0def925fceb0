import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { exportPolicies } from '../../src/policy/admission/export.js';
import { DEFAULT_NAMESPACE_SELECTOR, type AdmissionFormat } from '../../src/policy/admission/formats.js';
import { exportable } from '../../src/policy/admission/model.js';
import { RULES } from '../../src/policy/rules/index.js';
import { compileCrdSchema, loadCrdSchema, schemaErrors, type Schema } from './crd-schema.js';

/**
 * Exported Gatekeeper and Kyverno objects against the projects' published CRD schemas, vendored
 * without descriptions by scripts/gen-admission-crd-schemas.ts (test/fixtures/admission-crds; the
 * source line of each file names the commit). Unknown fields are refused, as strict field validation does.
 */
const load = loadCrdSchema;
const compile = compileCrdSchema;
const errors = schemaErrors;

const objectsOf = (format: AdmissionFormat) =>
  exportPolicies({
    rules: RULES,
    format,
    options: { allowedRegistries: ['ghcr.io/acme/'] },
    // Every rule on, so that those off by default are exported and validated too.
    config: { rules: Object.fromEntries(RULES.map((r) => [r.id, 'on' as const])) },
    exportOptions: { namespaceSelector: DEFAULT_NAMESPACE_SELECTOR, paramsNamespace: 'slipway-system' },
  }).policies.flatMap((p) => p.objects);

describe('exported objects against the Gatekeeper and Kyverno CRD schemas', () => {
  it('every ConstraintTemplate, and every Constraint (match, enforcementAction, parameters by its template)', () => {
    const template = compile(load('gatekeeper-constrainttemplate-v1.schema.json'));
    const match = compile(
      (load('gatekeeper-match.schema.json').properties as Record<string, Schema>).embeddedMatch as Schema,
    );
    const objects = objectsOf('gatekeeper');
    const templates = objects.filter((o) => o.kind === 'ConstraintTemplate');
    expect(templates.length).toBe(RULES.filter(exportable).length);
    for (const t of templates) {
      expect(errors(template, t), String((t.metadata as Schema).name)).toEqual([]);
      const spec = t.spec as {
        crd: { spec: { names: { kind: string }; validation: { openAPIV3Schema: Schema } } };
      };
      const kind = spec.crd.spec.names.kind;
      // Gatekeeper requires the template's name to be its Constraint kind in lower case.
      expect((t.metadata as Schema).name).toBe(kind.toLowerCase());
      const constraint = objects.find((o) => o.kind === kind)!;
      const cspec = constraint.spec as { match: unknown; enforcementAction: string; parameters?: unknown };
      expect(Object.keys(cspec).every((k) => ['match', 'enforcementAction', 'parameters'].includes(k))).toBe(
        true,
      );
      expect(errors(match, cspec.match), kind).toEqual([]);
      expect(['deny', 'warn']).toContain(cspec.enforcementAction);
      expect(errors(compile(spec.crd.spec.validation.openAPIV3Schema), cspec.parameters ?? {}), kind).toEqual(
        [],
      );
    }
  });

  // Compiling the ClusterPolicy schema takes a second or two: once for both tests.
  const kyverno = (() => {
    let v: ValidateFunction | undefined;
    return () => (v ??= compile(load('kyverno-clusterpolicy-v1.schema.json')));
  })();

  it('every Kyverno ClusterPolicy', () => {
    const policy = kyverno();
    const objects = objectsOf('kyverno');
    expect(objects.length).toBe(RULES.filter(exportable).length);
    for (const o of objects) expect(errors(policy, o), String((o.metadata as Schema).name)).toEqual([]);
  });

  it('the checker refuses what the CRD refuses', () => {
    const policy = kyverno();
    const bad = structuredClone(objectsOf('kyverno')[0]!) as { spec: { rules: Array<Schema> } };
    bad.spec.rules[0]!.validate = { ...(bad.spec.rules[0]!.validate as Schema), failureAction: 'Block' };
    expect(errors(policy, bad).join('\n')).toContain('failureAction');
  });
});
