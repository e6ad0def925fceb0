import type { KubeObject } from '@slipway/kube';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getCondition, kinds, status, type Condition } from '../controllers/objects.js';
import { startHarness, until, type Harness } from '../../testing/harness.js';
import { get } from '../../testing/http.js';

let h: Harness;
beforeEach(() => {
  h = startHarness();
});
afterEach(() => h.close());

function sampleDeployment(tag: string, replicas = 2, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'sample', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'sample' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'sample' }, annotations },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: 'app',
              image: `sample-service:${tag}`,
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 1 },
              livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  };
}

const service: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'sample', namespace: 'default' },
  spec: { selector: { app: 'sample' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
};

const deploymentOf = () => h.store.get(kinds(h.store).deployment, 'default', 'sample') as KubeObject;
const rolledOut = (tag: string) => () => {
  const d = deploymentOf();
  const st = (d.status ?? {}) as {
    updatedReplicas?: number;
    availableReplicas?: number;
    replicas?: number;
    observedGeneration?: number;
  };
  const image = (d.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
    .containers[0]?.image;
  return (
    image === `sample-service:${tag}` &&
    st.observedGeneration === d.metadata.generation &&
    st.updatedReplicas === 2 &&
    st.replicas === 2 &&
    st.availableReplicas === 2
  );
};
const proxyPort = () => h.runtime.servicePorts().find((p) => p.name === 'sample' && p.port === 80)?.localPort;

describe('process pods of sample-service behind the Service proxy', () => {
  it('serves through the Service port, captures logs, and rolls out a new version with zero failed requests', async () => {
    h.apply(service);
    h.apply(sampleDeployment('v1'));
    await until('v1 rolled out', rolledOut('v1'));
    const port = await until('proxy port', proxyPort);
    expect(await get(port)).toEqual({ code: 200, body: '{"version":"v1"}\n' });
    const pods = h.store.list(kinds(h.store).pod, 'default').items;
    const ips = new Set(pods.map((p) => status<{ podIP: string }>(p).podIP));
    expect(ips.size).toBe(2);
    expect(h.runtime.podLogs('default', pods[0]?.metadata.name as string, {})).toMatch(
      /sample-service v1 listening on/,
    );
    const ep = h.store.get(kinds(h.store).endpoints, 'default', 'sample') as KubeObject & {
      subsets: { addresses: unknown[]; ports: unknown[] }[];
    };
    expect(ep.subsets[0]?.addresses).toHaveLength(2);
    expect(ep.subsets[0]?.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);

    // Hammer the proxy port while the template changes; every request must succeed.
    let stop = false;
    const results: { code: number; body: string }[] = [];
    const client = (async () => {
      for (let i = 0; i < 20_000 && !stop; i++) results.push(await get(port));
    })();
    await new Promise((r) => setTimeout(r, 200));
    h.apply(sampleDeployment('v2'));
    await until('v2 rolled out', rolledOut('v2'), 40_000);
    await until(
      'old pods gone',
      () => h.store.list(kinds(h.store).pod, 'default').items.length === 2,
      20_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await client;
    const failed = results.filter((r) => r.code !== 200);
    expect(failed).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
    expect(results.some((r) => r.body.includes('"v1"'))).toBe(true);
    expect(results.at(-1)?.body).toBe('{"version":"v2"}\n');
  }, 90_000);

  it('error-rate fault answers a share of requests with 500; crash-after restarts with a growing restartCount', async () => {
    h.apply(service);
    h.apply(sampleDeployment('v1', 1, { 'sandbox.slipway.dev/fault': 'error-rate=0.25' }));
    await until(
      'ready',
      () => ((deploymentOf().status ?? {}) as { availableReplicas?: number }).availableReplicas === 1,
    );
    const port = await until('proxy port', proxyPort);
    const codes: number[] = [];
    for (let i = 0; i < 40; i++) codes.push((await get(port)).code);
    expect(codes.filter((c) => c === 500)).toHaveLength(10);
    const metrics = await get(port, '/metrics');
    expect(metrics.body).toMatch(/http_requests_total\{path="\/",code="500"\} 10/);

    h.apply(sampleDeployment('v3', 1, { 'sandbox.slipway.dev/fault': 'crash-after=1s' }));
    const restarted = await until(
      'a restart',
      () =>
        h.store
          .list(kinds(h.store).pod, 'default')
          .items.find(
            (p) =>
              (status<{ containerStatuses?: { restartCount: number; image: string }[] }>(p)
                .containerStatuses?.[0]?.restartCount ?? 0) >= 1,
          ),
      20_000,
    );
    const cs = status<{ containerStatuses: { lastState: { terminated?: { exitCode: number } } }[] }>(
      restarted,
    ).containerStatuses[0];
    expect(cs?.lastState.terminated?.exitCode).toBe(137);
    expect(h.runtime.podLogs('default', restarted.metadata.name as string, { previous: true })).toMatch(
      /listening/,
    );
  }, 60_000);

  it('fails readiness for real when the process says so, and mounts ConfigMap files with env from refs', async () => {
    h.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'default' },
      data: { 'app.conf': 'hello', FLAG: '1' },
    });
    const d = sampleDeployment('v1', 1);
    const c = (
      d.spec as { template: { spec: { containers: Record<string, unknown>[]; volumes?: unknown[] } } }
    ).template.spec;
    c.containers[0]!.env = [
      { name: 'FAIL_READINESS', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'FLAG' } } },
      { name: 'CONF', value: '/etc/app/app.conf' },
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ];
    c.containers[0]!.volumeMounts = [{ name: 'cfg', mountPath: '/etc/app' }];
    c.volumes = [{ name: 'cfg', configMap: { name: 'cfg' } }];
    h.apply(d);
    const pod = await until('running', () =>
      h.store
        .list(kinds(h.store).pod, 'default')
        .items.find((p) => status<{ phase?: string }>(p).phase === 'Running'),
    );
    await new Promise((r) => setTimeout(r, 2500));
    const now = h.store.get(kinds(h.store).pod, 'default', pod.metadata.name as string) as KubeObject;
    expect(getCondition(status<{ conditions: Condition[] }>(now).conditions, 'Ready')?.status).toBe('False');
    const worker = h.runtime.kubelet.worker('default', pod.metadata.name as string);
    const addr = worker?.resolve(undefined, 8080);
    expect(addr).toBeDefined();
    expect((await get(addr!.port, '/readyz')).code).toBe(503);
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    expect(
      readFileSync(join(h.dataDir, 'pods', pod.metadata.uid as string, 'volumes', 'cfg', 'app.conf'), 'utf8'),
    ).toBe('hello');
  }, 30_000);
});
