/**
 * Conformance with @kubernetes/client-node 1.4.0: typed list and create, watch (410 Expired as an
 * ERROR event), an informer that relists after 410, and server-side apply through
 * KubernetesObjectApi.patch with application/apply-patch+yaml.
 */
import {
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  makeInformer,
  type KubernetesObject,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';

let env: SandboxEnv;
let kc: KubeConfig;

beforeAll(async () => {
  env = await startSandboxEnv({ historySize: 10, watchTimeoutSeconds: 1 });
  kc = new KubeConfig();
  kc.loadFromFile(env.kubeconfig);
});
afterAll(async () => {
  await env?.stop();
});

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('client-node', () => {
  it('lists and creates through the typed API', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toEqual(
      expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease']),
    );
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'typed' }, data: { a: '1' } },
    });
    const list = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: '' });
    expect(list.items.map((c) => c.metadata?.name)).toContain('typed');
    await expect(
      core.readNamespacedConfigMap({ namespace: 'default', name: 'missing' }),
    ).rejects.toMatchObject({ code: 404 });
  });

  it('applies server-side through KubernetesObjectApi.patch', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const spec: KubernetesObject & { spec: Record<string, unknown> } = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ssa', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'ssa' } },
        template: {
          metadata: { labels: { app: 'ssa' } },
          spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] },
        },
      },
    };
    const created = await objects.patch(
      spec,
      undefined,
      undefined,
      'slipway-test',
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(created.metadata?.managedFields?.[0]?.manager).toBe('slipway-test');
    const updated = await objects.patch(
      { ...spec, spec: { ...spec.spec, replicas: 3 } },
      undefined,
      undefined,
      'slipway-test',
      true,
      PatchStrategy.ServerSideApply,
    );
    expect((updated as { spec: { replicas: number } }).spec.replicas).toBe(3);
    expect(updated.metadata?.generation).toBe(2);
  });

  it('gets an ERROR event with 410 Expired for a resourceVersion older than the history', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    for (let i = 0; i < 15; i++)
      await core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: `churn-${i}` } },
      });
    const events: { type: string; code?: number }[] = [];
    let done = false;
    await new Watch(kc).watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: '1' },
      (type, obj: { code?: number }) => events.push({ type, code: obj.code }),
      () => (done = true),
    );
    await until(() => done, 'the expired watch to end');
    expect(events).toEqual([{ type: 'ERROR', code: 410 }]);
  });

  it('keeps an informer consistent across a 410 by relisting', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'inf' } } });
    let lists = 0;
    const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/inf/configmaps', () => {
      lists++;
      return core.listNamespacedConfigMap({ namespace: 'inf' });
    });
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'one' } } });
    await until(
      () => informer.list('inf').some((c) => c.metadata?.name === 'one'),
      'the informer to see "one"',
    );
    // Changes elsewhere push the informer's resourceVersion out of the 10-event history; its next
    // watch (the server ends each one after 1 s) is answered with 410 and it must list again.
    for (let i = 0; i < 15; i++)
      await core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: `elsewhere-${i}` } },
      });
    await until(() => lists >= 2, 'the informer to relist', 15_000);
    await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'two' } } });
    await until(
      () => informer.list('inf').some((c) => c.metadata?.name === 'two'),
      'the informer to see "two"',
    );
    await informer.stop();
  });
});
