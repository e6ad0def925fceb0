import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestsYaml, renderApp } from '../../src/render/index.js';
import { startSandboxEnv, writeManifest, type SandboxEnv } from '../e2e/sandbox-env.js';
import { FIXTURES } from './fixtures.js';
import { goldenCases, resolveExample } from './golden-files.js';
import type { ResolvedApp } from '../../src/spec/resolved.js';

/**
 * The real kubectl v1.33 judges the rendered objects: `kubectl apply --dry-run=server
 * --validate=strict` against the local sandbox API server, which rejects unknown or duplicate
 * fields and wrong types the way a real API server does.
 */
describe('kubectl apply --dry-run=server --validate=strict', () => {
  let env: SandboxEnv;
  beforeAll(async () => {
    env = await startSandboxEnv();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('the judge can fail: an unknown field is refused', async () => {
    const objects = renderApp(FIXTURES.shop!()).objects.filter((o) => o.kind === 'Deployment');
    const broken = {
      ...objects[0]!,
      metadata: { ...objects[0]!.metadata, namespace: 'default' },
      spec: { ...(objects[0]!.spec as object), replicaz: 2 },
    };
    const file = writeManifest(env, 'broken.yaml', manifestsYaml([broken]));
    const r = await env.kubectlResult(['apply', '--dry-run=server', '--validate=strict', '-f', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown field "spec.replicaz"/);
  });

  const apps: Array<[string, () => ResolvedApp]> = [
    ...Object.entries(FIXTURES).map(([name, make]): [string, () => ResolvedApp] => [`fixture ${name}`, make]),
    ...goldenCases().map((c): [string, () => ResolvedApp] => [
      `examples/${c.example} ${c.environment}`,
      () => resolveExample(c.example, c.environment),
    ]),
  ];

  it.each(apps)('accepts every object of %s', async (name, make) => {
    const app = make();
    // HTTPRoute, ServiceMonitor and PrometheusRule are CRDs the sandbox does not serve (test/metrics/monitoring.test.ts judges the last two against the Prometheus Operator's schemas).
    const crds = new Set(['HTTPRoute', 'ServiceMonitor', 'PrometheusRule']);
    const objects = renderApp(app).objects.filter((o) => !crds.has(o.kind));
    await env.kubectlResult(['create', 'namespace', app.namespace]);
    const file = writeManifest(env, `${name.replace(/[^a-z0-9-]/gi, '_')}.yaml`, manifestsYaml(objects));
    const r = await env.kubectlResult(['apply', '--dry-run=server', '--validate=strict', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(objects.length);
  });
});
