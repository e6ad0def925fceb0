/**
 * How analyses reach Prometheus (issue 20): which target an analysis uses, the NetworkPolicy that
 * lets the Prometheus namespace scrape `metrics` ports, and the sandbox's service proxy answers
 * when there is nothing to proxy to. The full path (real Prometheus behind a Service, deploy step
 * of cd.yml) is cd-analysis.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCluster } from '../../src/cluster/memory.js';
import { KubeCluster } from '../../src/cluster/kube.js';
import { systemClock } from '../../src/engine/clock.js';
import { parseServiceRef, prometheusFactory } from '../../src/engine/analysis/prometheus.js';
import { renderApp } from '../../src/render/index.js';
import { parseSpec, resolveEnvironment } from '../../src/spec/index.js';
import { startSandboxEnv, type SandboxEnv } from '../e2e/sandbox-env.js';

const SPEC = `
app: shop
services:
  api:
    image: ghcr.io/acme/api:1.0.0
    ports: [{ name: http, port: 8080 }, { name: metrics, port: 9102 }]
  web:
    image: ghcr.io/acme/web:1.0.0
    port: 3000
deploy:
  prometheus: { service: observability/prometheus-operated:9090 }
  analysis:
    errors: { prometheus: { query: up }, min: 1 }
environments:
  staging: {}
`;

describe('NetworkPolicies admit the Prometheus namespace on metrics ports only', () => {
  it('api: observability may reach 9102, not 8080; web (no metrics port): no such rule', () => {
    const app = resolveEnvironment(parseSpec(SPEC, 'slipway.yaml'), 'staging', 'slipway.yaml');
    const policies = renderApp(app).objects.filter((o) => o.kind === 'NetworkPolicy');
    const ingressOf = (name: string) =>
      (policies.find((p) => p.metadata.name === name)?.spec as { ingress?: unknown[] } | undefined)
        ?.ingress ?? [];
    const fromObservability = {
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } } }],
      ports: [{ protocol: 'TCP', port: 9102 }],
    };
    expect(ingressOf('shop-api')).toContainEqual(fromObservability);
    expect(JSON.stringify(ingressOf('shop-web'))).not.toContain('observability');
  });
});

describe('the Prometheus an analysis queries', () => {
  const env = (extra: Record<string, unknown> = {}) => ({
    cluster: new MemoryCluster(),
    clock: systemClock,
    namespace: 'shop',
    vars: {},
    ...extra,
  });
  const resolved = (spec: object, extra: Record<string, unknown> = {}) =>
    prometheusFactory.create('errors', { min: 1, ...spec }, env(extra)).resolved.address;

  it('the entry first, then --prometheus-url, then deploy.prometheus', () => {
    const own = { prometheus: { query: 'up', address: 'http://own:9090' } };
    const bare = { prometheus: { query: 'up' } };
    const deploy = { prometheus: { service: 'monitoring/prom:web' } };
    expect(resolved(own, { prometheusAddress: 'http://flag', ...deploy })).toBe('http://own:9090');
    expect(resolved(bare, { prometheusAddress: 'http://flag', ...deploy })).toBe('http://flag');
    expect(resolved(bare, deploy)).toBe('service monitoring/prom:web (through the Kubernetes API server)');
    expect(() => resolved(bare)).toThrow(/no Prometheus address/);
    expect(parseServiceRef('https:monitoring/prom:9443')).toEqual({
      scheme: 'https',
      namespace: 'monitoring',
      name: 'prom',
      port: '9443',
    });
  });

  it('a cluster without a service proxy (in-memory) gives a measurement error, not a crash', async () => {
    const p = prometheusFactory.create(
      'errors',
      { min: 1, prometheus: { query: 'up' } },
      env({ prometheus: { service: 'm/p:9090' } }),
    );
    const m = await p.measure(new AbortController().signal);
    expect(m.phase).toBe('error');
    expect(m.message).toContain('has no API server service proxy');
  });
});

describe('the sandbox API server service proxy', () => {
  let sandbox: SandboxEnv;
  beforeAll(async () => {
    sandbox = await startSandboxEnv();
  }, 30_000);
  afterAll(async () => sandbox?.stop());

  it('404 for a missing Service, 503 when no runtime serves its endpoints; both read as analysis errors', async () => {
    const missing = await sandbox.kubectlResult([
      'get',
      '--raw',
      '/api/v1/namespaces/default/services/nope:80/proxy/',
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('services "nope" not found');
    const cluster = KubeCluster.fromKubeconfig({ kubeconfig: sandbox.kubeconfig, namespace: 'default' });
    await cluster.apply(
      [
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'prom', namespace: 'default' },
          spec: { ports: [{ port: 9090 }], selector: { app: 'prom' } },
        },
      ],
      { fieldManager: 'test' },
    );
    const res = await cluster.serviceProxyGet(
      { namespace: 'default', name: 'prom', port: '9090' },
      'api/v1/query',
      {
        query: 'up',
      },
    );
    expect(res.status).toBe(503);
    expect(res.body).toContain('no endpoints available for service \\"prom\\"');
    const p = prometheusFactory.create(
      'errors',
      { min: 1, prometheus: { query: 'up', service: 'default/prom:9090' } },
      { cluster, clock: systemClock, namespace: 'default', vars: {} },
    );
    const m = await p.measure(new AbortController().signal);
    expect(m.phase).toBe('error');
    expect(m.message).toContain('no endpoints available');
  });
});
