/**
 * The writers against the real renderApp: three hand-written effective specs (until the spec
 * loader and the examples land, examples.test.ts covers those), judged by the real helm and kubectl.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeCompose } from '../../src/render/compose/index.js';
import type { FormatInput } from '../../src/render/formats.js';
import { writeKustomize } from '../../src/render/kustomize/index.js';
import { renderApp } from '../../src/render/index.js';
import { composeSchemaErrors } from './compose-schema.js';
import { helmLint, judgeHelm, judgeKustomize, withTempDir } from './judges.js';
import { RESOLVED_ENVS, resolvedApp, resolvedSpec } from './resolved-fixture.js';

function input(): FormatInput {
  return {
    spec: resolvedSpec,
    environments: RESOLVED_ENVS.map((env) => {
      const app = resolvedApp(env);
      return { environment: env, app, objects: renderApp(app).objects };
    }),
  };
}

describe('writers over renderApp output', () => {
  it('helm template equals render for every environment, and helm lint --strict is clean', async () => {
    const data = input();
    await withTempDir(async (dir) => {
      for (const judged of await judgeHelm(data, dir)) expect(judged.actual, judged.environment).toEqual(judged.expected);
      expect(await helmLint(dir, data)).toEqual([]);
    });
  });

  it('kubectl kustomize equals render for every environment', async () => {
    const data = input();
    await withTempDir(async (dir) => {
      for (const judged of await judgeKustomize(data, dir, writeKustomize(data).files)) {
        expect(judged.actual, judged.environment).toEqual(judged.expected);
      }
    });
  });

  it('compose is schema-valid for every environment', () => {
    for (const env of input().environments) {
      const out = writeCompose({ spec: resolvedSpec, environments: [env] });
      expect(composeSchemaErrors(parse(out.files.get('docker-compose.yml')!)), env.environment).toEqual([]);
    }
  });
});
