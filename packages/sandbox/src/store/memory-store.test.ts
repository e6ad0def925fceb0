import type { KubeObject } from '@slipway/kube';
import { describe, expect, it } from 'vitest';
import type { ResourceType, WatchEvent } from '../types.js';
import { MemoryStore } from './memory-store.js';

const deployments: ResourceType = {
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  kind: 'Deployment',
  namespaced: true,
};
const configmaps: ResourceType = {
  group: '',
  version: 'v1',
  resource: 'configmaps',
  kind: 'ConfigMap',
  namespaced: true,
};
const namespaces: ResourceType = {
  group: '',
  version: 'v1',
  resource: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
};

function storeWithDefault(historySize?: number): MemoryStore {
  const store = new MemoryStore({ historySize });
  store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  return store;
}

function deployment(name: string, image = 'nginx:1.27'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, creationTimestamp: null },
        spec: {
          containers: [
            {
              name: 'app',
              image,
              ports: [{ containerPort: 80 }],
              resources: { limits: { cpu: '1000m', memory: '1024Mi' } },
            },
          ],
        },
      },
    },
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('MemoryStore', () => {
  it('assigns identity, versions and defaults on create', () => {
    const store = storeWithDefault();
    const d = store.create(deployment('web'));
    expect(d.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.metadata.generation).toBe(1);
    expect(d.metadata.namespace).toBe('default');
    expect(d.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const spec = d.spec as {
      replicas: number;
      strategy: unknown;
      template: {
        metadata: object;
        spec: {
          containers: { ports: { protocol: string }[]; resources: unknown; imagePullPolicy: string }[];
          restartPolicy: string;
        };
      };
    };
    expect(spec.replicas).toBe(1);
    expect(spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
    });
    expect(spec.template.metadata).toEqual({ labels: { app: 'web' } });
    expect(spec.template.spec.containers[0]?.ports[0]?.protocol).toBe('TCP');
    expect(spec.template.spec.containers[0]?.resources).toEqual({ limits: { cpu: '1', memory: '1Gi' } });
    expect(spec.template.spec.containers[0]?.imagePullPolicy).toBe('IfNotPresent');
    expect(spec.template.spec.restartPolicy).toBe('Always');
    const generated = store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { generateName: 'cfg-' },
    });
    expect(generated.metadata.name).toMatch(/^cfg-[a-z0-9]{5}$/);
    expect(generated.metadata.generation).toBeUndefined();
  });

  it('refuses duplicates, missing namespaces and stale versions with Kubernetes reasons', () => {
    const store = storeWithDefault();
    const d = store.create(deployment('web'));
    expect(() => store.create(deployment('web'))).toThrow(
      expect.objectContaining({ status: 409, reason: 'AlreadyExists' }),
    );
    expect(() => store.create({ ...deployment('x'), metadata: { name: 'x', namespace: 'nope' } })).toThrow(
      expect.objectContaining({ status: 404, message: 'namespaces "nope" not found' }),
    );
    store.update({ ...d, metadata: { ...d.metadata, labels: { app: 'web', tier: 'front' } } });
    expect(() => store.update(d)).toThrow(expect.objectContaining({ status: 409, reason: 'Conflict' }));
    expect(() =>
      store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }),
    ).toThrow(expect.objectContaining({ status: 422 }));
  });

  it('bumps generation only on spec changes and ignores status on the main resource', () => {
    const store = storeWithDefault();
    const d = store.create(deployment('web'));
    const labelled = store.update({ ...d, metadata: { ...d.metadata, labels: { app: 'web', x: 'y' } } });
    expect(labelled.metadata.generation).toBe(1);
    const withStatus = store.update({ ...labelled, status: { replicas: 3 } });
    expect(withStatus.status).toBeUndefined();
    expect(withStatus.metadata.resourceVersion).toBe(labelled.metadata.resourceVersion);
    const statusWrite = store.update(
      { ...labelled, spec: { replicas: 9 }, status: { replicas: 3 } },
      { subresource: 'status' },
    );
    expect(statusWrite.status).toEqual({ replicas: 3 });
    expect((statusWrite.spec as { replicas: number }).replicas).toBe(1);
    expect(statusWrite.metadata.generation).toBe(1);
    const changed = store.update(deployment('web', 'nginx:1.28'));
    expect(changed.metadata.generation).toBe(2);
  });

  it('treats a write that changes nothing as a no-op: same resourceVersion, no event', async () => {
    const store = storeWithDefault();
    const d = store.create(deployment('web'));
    const events: WatchEvent[] = [];
    store.watch(deployments, 'default', { resourceVersion: d.metadata.resourceVersion }, (e) =>
      events.push(e),
    );
    const same = store.update(deployment('web'));
    await flush();
    expect(same.metadata.resourceVersion).toBe(d.metadata.resourceVersion);
    expect(events).toEqual([]);
  });

  it('replays history after a resourceVersion and answers 410 when it was compacted', async () => {
    const store = storeWithDefault(5);
    const first = store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    const seen: string[] = [];
    store.watch(configmaps, 'default', { resourceVersion: first.metadata.resourceVersion }, (e) =>
      seen.push(`${e.type} ${e.object.metadata.name}`),
    );
    store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
    store.delete(configmaps, 'default', 'a');
    await flush();
    expect(seen).toEqual(['ADDED b', 'DELETED a']);
    for (let i = 0; i < 10; i++)
      store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` } });
    expect(() =>
      store.watch(configmaps, 'default', { resourceVersion: first.metadata.resourceVersion }, () => {}),
    ).toThrow(expect.objectContaining({ status: 410 }));
  });

  it('turns selector transitions into ADDED and DELETED for label-selected watches', async () => {
    const store = storeWithDefault();
    const cm = store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', labels: { tier: 'x' } },
    });
    const seen: string[] = [];
    store.watch(
      configmaps,
      'default',
      { labelSelector: 'tier=y', resourceVersion: cm.metadata.resourceVersion },
      (e) => seen.push(e.type),
    );
    const y = store.update({ ...cm, metadata: { ...cm.metadata, labels: { tier: 'y' } } });
    const y2 = store.update({ ...y, data: { k: 'v' } });
    store.update({ ...y2, metadata: { ...y2.metadata, labels: { tier: 'z' } } });
    await flush();
    expect(seen).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
  });

  it('holds objects with finalizers until the last one is removed', () => {
    const store = storeWithDefault();
    store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'f', finalizers: ['example.com/keep'] },
    });
    const deleting = store.delete(configmaps, 'default', 'f');
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    expect(() =>
      store.update({
        ...deleting,
        metadata: { ...deleting.metadata, finalizers: ['example.com/keep', 'other'] },
      }),
    ).toThrow(expect.objectContaining({ status: 422 }));
    store.update({ ...deleting, metadata: { ...deleting.metadata, finalizers: [] } });
    expect(store.get(configmaps, 'default', 'f')).toBeUndefined();
  });

  it('collects dependents: background, foreground and orphan', () => {
    const store = storeWithDefault();
    const owned = (name: string, owner: KubeObject, block = true) =>
      store.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name,
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: owner.metadata.name as string,
              uid: owner.metadata.uid as string,
              blockOwnerDeletion: block,
            },
          ],
        },
      });
    const bg = store.create(deployment('bg'));
    owned('bg-child', bg);
    store.delete(deployments, 'default', 'bg');
    expect(store.get(configmaps, 'default', 'bg-child')).toBeUndefined();

    const fg = store.create(deployment('fg'));
    const child = owned('fg-child', fg);
    store.update({ ...child, metadata: { ...child.metadata, finalizers: ['example.com/slow'] } });
    const pending = store.delete(deployments, 'default', 'fg', { propagationPolicy: 'Foreground' });
    expect(pending.metadata.finalizers).toContain('foregroundDeletion');
    expect(store.get(deployments, 'default', 'fg')).toBeDefined();
    const slow = store.get(configmaps, 'default', 'fg-child') as KubeObject;
    store.update({ ...slow, metadata: { ...slow.metadata, finalizers: [] } });
    expect(store.get(deployments, 'default', 'fg')).toBeUndefined();

    const or = store.create(deployment('or'));
    owned('or-child', or);
    store.delete(deployments, 'default', 'or', { propagationPolicy: 'Orphan' });
    expect(store.get(deployments, 'default', 'or')).toBeUndefined();
    expect(store.get(configmaps, 'default', 'or-child')?.metadata.ownerReferences).toBeUndefined();
  });

  it('deletes a namespace after its contents, refusing new content meanwhile', () => {
    const store = storeWithDefault();
    store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tmp' } });
    store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'held', namespace: 'tmp', finalizers: ['example.com/x'] },
    });
    const ns = store.delete(namespaces, undefined, 'tmp');
    expect((ns.status as { phase: string }).phase).toBe('Terminating');
    expect(() =>
      store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'new', namespace: 'tmp' } }),
    ).toThrow(expect.objectContaining({ status: 403 }));
    const held = store.get(configmaps, 'tmp', 'held') as KubeObject;
    store.update({ ...held, metadata: { ...held.metadata, finalizers: [] } });
    expect(store.get(namespaces, undefined, 'tmp')).toBeUndefined();
  });

  it('allocates distinct ClusterIPs, keeps them across updates and refuses changes', () => {
    const store = storeWithDefault();
    const svc = (name: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { selector: { app: name }, ports: [{ port: 80 }] },
    });
    const a = store.create(svc('a'));
    const b = store.create(svc('b'));
    const ipA = (a.spec as { clusterIP: string }).clusterIP;
    expect(ipA).toMatch(/^10\.9[6-9]\./);
    expect(ipA).not.toBe((b.spec as { clusterIP: string }).clusterIP);
    expect((a.spec as { ports: unknown[] }).ports).toEqual([{ port: 80, protocol: 'TCP', targetPort: 80 }]);
    const updated = store.update({ ...svc('a'), metadata: { name: 'a', labels: { x: 'y' } } });
    expect((updated.spec as { clusterIP: string }).clusterIP).toBe(ipA);
    expect(() =>
      store.update({
        ...updated,
        spec: { ...(updated.spec as object), clusterIP: '10.96.9.9', clusterIPs: ['10.96.9.9'] },
      }),
    ).toThrow(expect.objectContaining({ status: 422 }));
  });

  it('filters lists by label and field selectors', () => {
    const store = storeWithDefault();
    store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', labels: { env: 'prod', tier: 'web' } },
    });
    store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', labels: { env: 'dev' } } });
    const names = (opts: { labelSelector?: string; fieldSelector?: string }) =>
      store.list(configmaps, 'default', opts).items.map((o) => o.metadata.name);
    expect(names({ labelSelector: 'env in (prod,staging),tier' })).toEqual(['a']);
    expect(names({ labelSelector: 'env!=prod' })).toEqual(['b']);
    expect(names({ labelSelector: '!tier' })).toEqual(['b']);
    expect(names({ fieldSelector: 'metadata.name=b' })).toEqual(['b']);
    expect(() => names({ fieldSelector: 'spec.foo=1' })).toThrow(expect.objectContaining({ status: 400 }));
  });
});

describe('MemoryStore validation (422 Invalid)', () => {
  it('refuses workloads whose selector is missing, does not match, or changes', () => {
    const store = storeWithDefault();
    const noSelector = deployment('a');
    delete (noSelector.spec as Record<string, unknown>).selector;
    expect(() => store.create(noSelector)).toThrow(
      expect.objectContaining({
        status: 422,
        message: 'Deployment.apps "a" is invalid: spec.selector: Required value',
      }),
    );
    const mismatch = deployment('b');
    (mismatch.spec as { selector: unknown }).selector = { matchLabels: { app: 'other' } };
    expect(() => store.create(mismatch)).toThrow(
      expect.objectContaining({
        status: 422,
        message: expect.stringContaining('`selector` does not match template `labels`'),
      }),
    );
    const ok = store.create(deployment('c'));
    const moved = structuredClone(ok);
    (moved.spec as { selector: unknown; template: { metadata: { labels: unknown } } }).selector = {
      matchLabels: { app: 'c', v: '2' },
    };
    (moved.spec as { template: { metadata: { labels: unknown } } }).template.metadata.labels = {
      app: 'c',
      v: '2',
    };
    expect(() => store.update(moved)).toThrow(
      expect.objectContaining({
        status: 422,
        message: expect.stringContaining('spec.selector: Invalid value'),
      }),
    );
  });

  it('refuses containers without an image and Services without ports', () => {
    const store = storeWithDefault();
    expect(() =>
      store.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'x' }] },
      }),
    ).toThrow(
      expect.objectContaining({
        status: 422,
        message: 'Pod "p" is invalid: spec.containers[0].image: Required value',
        details: expect.objectContaining({
          causes: [
            { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' },
          ],
        }),
      }),
    );
    expect(() =>
      store.create({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 's' },
        spec: { selector: { app: 's' } },
      }),
    ).toThrow(
      expect.objectContaining({ status: 422, message: 'Service "s" is invalid: spec.ports: Required value' }),
    );
    expect(
      store.create({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'headless' },
        spec: { clusterIP: 'None', selector: { app: 'h' } },
      }).spec,
    ).toMatchObject({ clusterIPs: ['None'] });
  });
});
