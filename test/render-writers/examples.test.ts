/**
 * Every example, every environment: the Helm chart (helm template with values-<env>.yaml, and
 * helm lint --strict) and the kustomize overlays (kubectl kustomize) yield exactly render's
 * objects; compose is valid against the Compose Specification schema. Real helm and kubectl,
 * one run per environment, two at a time.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeCompose } from '../../src/render/compose/index.js';
import type { FormatInput } from '../../src/cli/formats.js';
import { podSecurityLevel } from '../../src/policy/pss/level.js';
import { renderApp } from '../../src/render/index.js';
import { writeKustomize } from '../../src/render/kustomize/index.js';
import { parseSpec } from '../../src/spec/parse.js';
import { environmentNames, resolveEnvironment } from '../../src/spec/resolve.js';
import { composeSchemaErrors } from './compose-schema.js';
import { helmLint, judgeHelm, judgeKustomize, withTempDir } from './judges.js';

const EXAMPLES = readdirSync('examples')
  .filter((d) => existsSync(join('examples', d, 'slipway.yaml')))
  .sort();

/** An image tag for specs that name none (render never assumes latest); any fixed tag works here. */
const TEST_TAG = '0.0.0-test';

function exampleInput(name: string): FormatInput {
  const file = join('examples', name, 'slipway.yaml');
  const spec = parseSpec(readFileSync(file, 'utf8'), file);
  const images = Object.fromEntries(Object.keys(spec.services).map((s) => [s, TEST_TAG]));
  const files: Record<string, string> = {};
  const environments = environmentNames(spec).map((env) => {
    const app = resolveEnvironment(spec, env, file);
    for (const service of Object.values(app.services)) {
      for (const c of service.config ?? [])
        if (c.from) files[c.from] = readFileSync(join('examples', name, c.from), 'utf8');
    }
    const objects = renderApp(app, { images: spec.version ? {} : images, files }).objects;
    return {
      environment: env,
      app,
      objects,
      podSecurity: podSecurityLevel(objects, app.kubernetes?.version),
    };
  });
  return { spec, environments, files };
}

describe.each(EXAMPLES)('example %s', (name) => {
  it('helm template -f values-<env>.yaml equals render for every environment; helm lint --strict is clean', async () => {
    const data = exampleInput(name);
    await withTempDir(async (dir) => {
      for (const judged of await judgeHelm(data, dir)) {
        expect(judged.actual, `${name}/${judged.environment}`).toEqual(judged.expected);
        expect(judged.generated, `${name}/${judged.environment}`).toEqual(judged.expectedGenerated);
      }
      expect(await helmLint(dir, data)).toEqual([]);
    });
  });

  it('kubectl kustomize overlays/<env> equals render for every environment', async () => {
    const data = exampleInput(name);
    await withTempDir(async (dir) => {
      for (const judged of await judgeKustomize(data, dir, writeKustomize(data).files)) {
        expect(judged.actual, `${name}/${judged.environment}`).toEqual(judged.expected);
        expect(judged.generated, `${name}/${judged.environment}`).toEqual(judged.expectedGenerated);
      }
    });
  });

  it('docker-compose.yml is valid for every environment', () => {
    const data = exampleInput(name);
    for (const env of data.environments) {
      const out = writeCompose({ spec: data.spec, environments: [env], files: data.files });
      expect(
        composeSchemaErrors(parse(out.files.get('docker-compose.yml')!)),
        `${name}/${env.environment}`,
      ).toEqual([]);
    }
  });
});
