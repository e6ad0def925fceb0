import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../../src/render/index.js';
import { exampleNames, GOLDEN_DIR, goldenCases, renderGolden, resolveExample, ROOT } from './golden-files.js';
import { pssViolations } from './pss-check.js';
import { OpenApiValidator } from './openapi-schema.js';
import { sharedPath } from '../helpers/shared.js';

const cases = goldenCases();
const swagger = sharedPath('kubernetes-openapi', 'swagger-v1.36.json');
const validator = swagger ? new OpenApiValidator(swagger) : undefined;

describe('golden files (regenerate with: npx tsx scripts/update-golden.ts)', () => {
  it('covers the five reference systems, every declared environment', () => {
    expect(exampleNames().length).toBeGreaterThanOrEqual(5);
    for (const example of exampleNames())
      expect(cases.filter((c) => c.example === example).length, example).toBeGreaterThan(0);
  });

  it('has no stale golden file', () => {
    const wanted = new Set(cases.map((c) => c.file));
    const present = existsSync(GOLDEN_DIR)
      ? readdirSync(GOLDEN_DIR).flatMap((d) =>
          readdirSync(join(GOLDEN_DIR, d)).map((f) => join(GOLDEN_DIR, d, f)),
        )
      : [];
    expect(present.filter((f) => !wanted.has(f)).map((f) => relative(ROOT, f))).toEqual([]);
  });

  it.each(cases)('$example/$environment matches byte for byte', ({ example, environment, file }) => {
    expect(existsSync(file), `${relative(ROOT, file)} is missing`).toBe(true);
    expect(renderGolden(example, environment)).toBe(readFileSync(file, 'utf8'));
  });

  it.each(cases)('$example/$environment renders the same bytes twice', ({ example, environment }) => {
    expect(renderGolden(example, environment)).toBe(renderGolden(example, environment));
  });

  it.each(cases)(
    '$example/$environment: every workload passes PSS restricted',
    ({ example, environment }) => {
      expect(pssViolations(renderApp(resolveExample(example, environment)).objects)).toEqual([]);
    },
  );

  it.skipIf(!validator).each(cases)(
    '$example/$environment: every object is valid against the Kubernetes 1.36 OpenAPI document',
    ({ example, environment }) => {
      for (const o of renderApp(resolveExample(example, environment)).objects) {
        // CRDs, not in the core document (the monitoring kinds: test/metrics/monitoring.test.ts)
        if (o.kind === 'HTTPRoute' || o.apiVersion === 'monitoring.coreos.com/v1') continue;
        expect(validator!.validate(o), `${o.kind}/${o.metadata.name}`).toEqual([]);
      }
    },
  );
});
