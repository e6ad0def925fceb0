import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { exportPolicies } from '../../src/policy/admission/export.js';
import { ADMISSION_FORMATS, DEFAULT_NAMESPACE_SELECTOR } from '../../src/policy/admission/formats.js';
import { RULES } from '../../src/policy/rules/index.js';
import { sharedPath } from '../helpers/shared.js';
import { OpenApiValidator } from '../render/openapi-schema.js';

const exportOf = (format: (typeof ADMISSION_FORMATS)[number], allowedRegistries?: string[]) =>
  exportPolicies({
    rules: RULES,
    format,
    options: { allowedRegistries },
    exportOptions: { namespaceSelector: DEFAULT_NAMESPACE_SELECTOR, paramsNamespace: 'slipway-system' },
  });

describe('slipway policy export', () => {
  it('exports the same rules in every format and lists every other rule with a reason', () => {
    const counts = ADMISSION_FORMATS.map((f) => exportOf(f).policies.length);
    expect(new Set(counts).size).toBe(1);
    const result = exportOf('vap');
    expect(result.policies.length + result.notExported.length).toBe(RULES.length);
    expect(result.notExported.every((n) => n.reason.length > 10)).toBe(true);
    expect(result.notExported.map((n) => n.rule)).toContain('net-service-no-pods');
  });

  it('maps severity to validationActions and enforcement, and options to parameters', () => {
    const vap = exportOf('vap', ['ghcr.io/acme/']).policies;
    const binding = (rule: string) =>
      vap
        .find((p) => p.policy.rule === rule)!
        .objects.find((o) => o.kind === 'ValidatingAdmissionPolicyBinding')!;
    expect(binding('pss-privileged').spec).toMatchObject({ validationActions: ['Deny'] });
    expect(binding('res-memory-limit').spec).toMatchObject({ validationActions: ['Warn', 'Audit'] });
    const registry = vap.find((p) => p.policy.rule === 'img-registry')!.objects;
    expect(registry.map((o) => o.kind)).toEqual([
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
      'Namespace',
      'ConfigMap',
    ]);
    expect(registry[2]).toMatchObject({ metadata: { name: 'slipway-system' } });
    expect(registry[3]).toMatchObject({
      metadata: { namespace: 'slipway-system' },
      data: { allowedRegistries: 'ghcr.io/acme/' },
    });
    const constraint = exportOf('gatekeeper', ['ghcr.io/acme/'])
      .policies.find((p) => p.policy.rule === 'img-registry')!
      .objects.find((o) => o.kind === 'SlipwayImgRegistry')!;
    expect(constraint.spec).toMatchObject({
      enforcementAction: 'warn',
      parameters: { allowedRegistries: ['ghcr.io/acme/'] },
    });
  });

  it('writes one file per rule and the list of rules not exported; a bad format exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-export-'));
    writeFileSync(join(dir, '.slipway-check.yaml'), 'allowedRegistries: [ghcr.io/acme/]\n');
    const run = memoryIo({ cwd: dir });
    expect(
      await main(['node', 'slipway', 'policy', 'export', '--format', 'kyverno', '--out', 'out'], run.io),
    ).toBe(0);
    expect(run.stdout()).toMatch(/^exported \d+ of \d+ rules as kyverno; \d+ not exported into out\//);
    const files = readdirSync(join(dir, 'out'));
    expect(files).toContain('NOT-EXPORTED.txt');
    expect(files).toContain('img-registry.yaml');
    expect(readFileSync(join(dir, 'out', 'img-registry.yaml'), 'utf8')).toContain("['ghcr.io/acme/']");
    const bad = memoryIo({ cwd: dir });
    expect(await main(['node', 'slipway', 'policy', 'export', '--format', 'opa'], bad.io)).toBe(2);
    expect(bad.stderr()).toContain('--format opa: expected one of vap, gatekeeper, kyverno');
  });
});

const swagger = sharedPath('kubernetes-openapi', 'swagger-v1.36.json');

describe.skipIf(!swagger)(
  'exported ValidatingAdmissionPolicies against the Kubernetes OpenAPI document',
  () => {
    const validator = swagger ? new OpenApiValidator(swagger) : (undefined as never as OpenApiValidator);
    it('every VAP, binding and parameter ConfigMap is valid', () => {
      const objects = exportOf('vap', ['ghcr.io/acme/']).policies.flatMap((p) => p.objects);
      expect(objects.length).toBeGreaterThan(60);
      for (const o of objects)
        expect(
          validator.validate(o as never),
          `${o.kind}/${String((o.metadata as { name: string }).name)}`,
        ).toEqual([]);
    });

    it('the YAML on stdout parses back to the same objects', async () => {
      const run = memoryIo();
      expect(await main(['node', 'slipway', 'policy', 'export'], run.io)).toBe(0);
      const docs = parseAllDocuments(run.stdout())
        .map((d) => d.toJS() as Record<string, unknown>)
        .filter(Boolean);
      expect(docs.length).toBe(exportOf('vap').policies.flatMap((p) => p.objects).length);
      expect(run.stderr()).toMatch(/^exported \d+ of \d+ rules as vap/);
    });
  },
);
