/**
 * The writers against the real renderApp: three hand-written effective specs (until the spec
 * loader and the examples land, examples.test.ts covers those), judged by the real helm and kubectl.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeCompose } from '../../src/render/compose/index.js';
import type { FormatInput } from '../../src/cli/formats.js';
import { writeKustomize } from '../../src/render/kustomize/index.js';
import { renderApp } from '../../src/render/index.js';
import { parseManifests } from '../../src/policy/load/parse.js';
import { evaluatePss } from '../../src/policy/pss/evaluate.js';
import { PSS_LATEST } from '../../src/policy/pss/version.js';
import { workloadOf } from '../../src/policy/workloads.js';
import { writeHelmChart } from '../../src/render/helm/index.js';
import { helm } from '../helpers/kube-tools.js';
import { writeTree } from './compare.js';
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
      for (const judged of await judgeHelm(data, dir))
        expect(judged.actual, judged.environment).toEqual(judged.expected);
      expect(await helmLint(dir, data)).toEqual([]);
    });
  });

  it('every pod in helm template output, the smoke test pod included, passes PSS restricted', async () => {
    const data = input();
    await withTempDir(async (dir) => {
      await writeTree(dir, writeHelmChart(data).files);
      const { stdout } = await helm([
        'template',
        'shop',
        dir,
        '-f',
        `${dir}/values-production.yaml`,
        '--namespace',
        'shop',
      ]);
      const workloads = parseManifests(stdout, 'helm-template.yaml').manifests.flatMap((m) => {
        const w = workloadOf(m);
        return w ? [{ name: `${m.ref.kind}/${m.ref.name}`, w }] : [];
      });
      expect(workloads.map((w) => w.name)).toContain('Pod/shop-smoke-test');
      const violations = workloads.flatMap(({ name, w }) =>
        evaluatePss(w, 'restricted', PSS_LATEST).violations.map((v) => `${name}: ${v.check.id}`),
      );
      expect(violations).toEqual([]);
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

  it('is deterministic: the same input gives the same bytes in every format', () => {
    const a = input();
    const b = input();
    for (const write of [writeHelmChart, writeKustomize])
      expect([...write(a).files]).toEqual([...write(b).files]);
    const compose = (data: FormatInput) => [
      ...writeCompose({ spec: data.spec, environments: [data.environments[2]!] }).files,
    ];
    expect(compose(a)).toEqual(compose(b));
  });

  it('compose is schema-valid for every environment', () => {
    for (const env of input().environments) {
      const out = writeCompose({ spec: resolvedSpec, environments: [env] });
      expect(composeSchemaErrors(parse(out.files.get('docker-compose.yml')!)), env.environment).toEqual([]);
    }
  });
});
