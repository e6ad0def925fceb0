/**
 * The chart installed for real: helm v4 against the sandbox API server (which validates fields
 * strictly, as kubectl's fieldValidation=Strict does on a cluster). Install the first environment,
 * upgrade to production, and read back what the server stores. Without controllers nothing runs,
 * so hooks are skipped (--no-hooks): the migration Job would never complete.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHelmChart } from '../../src/render/helm/index.js';
import { renderApp } from '../../src/render/index.js';
import { parseSpec } from '../../src/spec/parse.js';
import { environmentNames, resolveEnvironment } from '../../src/spec/resolve.js';
import { startSandboxEnv, type SandboxEnv } from '../e2e/sandbox-env.js';
import { writeTree } from './compare.js';

let env: SandboxEnv;
beforeAll(async () => {
  env = await startSandboxEnv();
});
afterAll(async () => {
  await env?.stop();
});

describe('the agentic-rag chart on a live API server', () => {
  it('installs dev, upgrades to production, and the server holds production’s objects', async () => {
    const file = 'examples/agentic-rag/slipway.yaml';
    const spec = parseSpec(readFileSync(file, 'utf8'), file);
    const envs = environmentNames(spec).map((name) => {
      const app = resolveEnvironment(spec, name, file);
      return { environment: name, app, objects: renderApp(app).objects };
    });
    const chart = join(env.dir, 'chart');
    await writeTree(chart, writeHelmChart({ spec, environments: envs }).files);
    const [first, production] = [envs[0]!, envs.find((e) => e.environment === 'production')!];
    const ns = first.app.namespace;

    const install = await env.helm([
      'install',
      spec.app,
      chart,
      '-f',
      join(chart, `values-${first.environment}.yaml`),
      '--namespace',
      ns,
      '--create-namespace',
      '--no-hooks',
    ]);
    expect(install.stdout).toContain('STATUS: deployed');
    await env.helm([
      'upgrade',
      spec.app,
      chart,
      '-f',
      join(chart, 'values-production.yaml'),
      '--namespace',
      production.app.namespace,
      '--no-hooks',
    ]);

    const live = JSON.parse(
      (
        await env.kubectl([
          'get',
          'deploy,statefulset,hpa,ingress,configmap,service',
          '-n',
          production.app.namespace,
          '-o',
          'json',
        ])
      ).stdout,
    ) as {
      items: {
        kind: string;
        metadata: { name: string };
        spec?: Record<string, unknown>;
        data?: Record<string, string>;
      }[];
    };
    const wanted = production.objects.filter((o) =>
      ['Deployment', 'StatefulSet', 'HorizontalPodAutoscaler', 'Ingress', 'ConfigMap', 'Service'].includes(
        o.kind,
      ),
    );
    const names = (list: { kind: string; metadata: { name: string } }[]) =>
      list.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(names(live.items.filter((o) => o.metadata.name !== 'kube-root-ca.crt'))).toEqual(names(wanted));
    for (const want of wanted) {
      const got = live.items.find((o) => o.kind === want.kind && o.metadata.name === want.metadata.name)!;
      if (want.kind === 'ConfigMap') expect(got.data, want.metadata.name).toEqual(want.data);
      if (want.kind === 'Deployment' || want.kind === 'StatefulSet') {
        const spec = want.spec as {
          replicas?: number;
          template: { spec: { containers: { image: string; resources: unknown }[] } };
        };
        const gotSpec = got.spec as typeof spec;
        if (spec.replicas !== undefined) expect(gotSpec.replicas, want.metadata.name).toBe(spec.replicas);
        expect(gotSpec.template.spec.containers.map((c) => [c.image, c.resources])).toEqual(
          spec.template.spec.containers.map((c) => [c.image, c.resources]),
        );
      }
    }
  });
});
