/**
 * The ObjectStore contract (packages/sandbox/src/types.ts) as one suite, run against the API server's
 * MemoryStore and the runtime's ContractStore double (store-contract.test.ts), so the controllers'
 * assumptions are checked on both.
 */
import type { KubeObject } from '@slipway/kube';
import { describe, expect, it } from 'vitest';
import { StoreError, type ObjectStore, type WatchEvent } from '../src/types.js';

export type StoreFactory = () => ObjectStore & { gracefulPodDeletion: boolean };

const deployment = (
  name: string,
  image = 'nginx:1',
  labels: Record<string, string> = { app: name },
): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default', labels },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
  },
});

/** Watch delivery may be deferred (the API server's store batches it in a microtask). */
const settle = () => new Promise<void>((r) => setImmediate(r));

function errorOf(f: () => unknown): StoreError {
  try {
    f();
  } catch (e) {
    if (e instanceof StoreError) return e;
    throw e;
  }
  throw new Error('expected a StoreError');
}

export function storeContract(name: string, make: StoreFactory): void {
  describe(`ObjectStore contract: ${name}`, () => {
    const setup = () => {
      const store = make();
      if (!store.get(store.typeFor('v1', 'Namespace')!, undefined, 'default'))
        store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
      return { store, deploy: store.typeFor('apps/v1', 'Deployment')!, pod: store.typeFor('v1', 'Pod')! };
    };

    it('create assigns uid, resourceVersion, generation 1, creationTimestamp and names from generateName', () => {
      const { store } = setup();
      const d = store.create(deployment('web'));
      expect(d.metadata).toMatchObject({ name: 'web', namespace: 'default', generation: 1 });
      expect(d.metadata.uid).toBeTruthy();
      expect(d.metadata.resourceVersion).toMatch(/^\d+$/);
      expect(d.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const p = store.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { generateName: 'web-', namespace: 'default' },
        spec: { containers: [{ name: 'c', image: 'x' }] },
      });
      expect(p.metadata.name).toMatch(/^web-.+/);
      expect(errorOf(() => store.create(deployment('web'))).status).toBe(409);
    });

    it('get and list return copies', () => {
      const { store, deploy } = setup();
      store.create(deployment('web'));
      const a = store.get(deploy, 'default', 'web') as KubeObject;
      a.metadata.labels = { changed: 'yes' };
      expect(store.get(deploy, 'default', 'web')?.metadata.labels).toEqual({ app: 'web' });
    });

    it('a stale resourceVersion is a 409 Conflict; generation moves only on spec changes', () => {
      const { store, deploy } = setup();
      const v1 = store.create(deployment('web'));
      const v2 = store.update({ ...v1, metadata: { ...v1.metadata, labels: { app: 'web', tier: 'front' } } });
      expect(v2.metadata.generation).toBe(1);
      expect(Number(v2.metadata.resourceVersion)).toBeGreaterThan(Number(v1.metadata.resourceVersion));
      expect(errorOf(() => store.update(v1)).reason).toBe('Conflict');
      const v3 = store.update({ ...deployment('web', 'nginx:2'), metadata: { ...v2.metadata } });
      expect(v3.metadata.generation).toBe(2);
      expect(store.get(deploy, 'default', 'web')?.metadata.generation).toBe(2);
    });

    it('the status subresource writes only status; the main resource ignores status', () => {
      const { store, deploy } = setup();
      const d = store.create(deployment('web'));
      const s = store.update(
        { ...d, spec: { ...(d.spec as object), replicas: 5 }, status: { replicas: 3 } },
        { subresource: 'status' },
      );
      expect(s.status).toEqual({ replicas: 3 });
      expect((s.spec as { replicas: number }).replicas).toBe(1);
      const m = store.update({ ...s, status: { replicas: 9 } });
      expect(m.status).toEqual({ replicas: 3 });
      expect(store.get(deploy, 'default', 'web')?.metadata.generation).toBe(1);
    });

    it('lists by label and field selector', () => {
      const { store, deploy } = setup();
      store.create(deployment('a', 'x', { app: 'a', tier: 'web' }));
      store.create(deployment('b', 'x', { app: 'b', tier: 'db' }));
      const names = (sel: { labelSelector?: string; fieldSelector?: string }) =>
        store.list(deploy, 'default', sel).items.map((o) => o.metadata.name);
      expect(names({ labelSelector: 'tier=web' })).toEqual(['a']);
      expect(names({ labelSelector: 'tier in (web,db),app!=b' })).toEqual(['a']);
      expect(names({ labelSelector: 'tier' })).toEqual(['a', 'b']);
      expect(names({ labelSelector: '!tier' })).toEqual([]);
      expect(names({ fieldSelector: 'metadata.name=b' })).toEqual(['b']);
    });

    it('watch from a list resourceVersion delivers later events only, in order; a no-op update emits nothing', async () => {
      const { store, deploy } = setup();
      store.create(deployment('old'));
      const { resourceVersion } = store.list(deploy, 'default');
      const events: WatchEvent[] = [];
      const stop = store.watch(deploy, 'default', { resourceVersion }, (e) => events.push(e));
      const d = store.create(deployment('web'));
      store.update(d);
      store.update({ ...d, metadata: { ...d.metadata, labels: { app: 'web', x: '1' } } });
      store.delete(deploy, 'default', 'web');
      await settle();
      stop();
      store.create(deployment('after'));
      expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
        'ADDED web',
        'MODIFIED web',
        'DELETED web',
      ]);
    });

    it('a watch sees an object leave its label selector as DELETED and enter it as ADDED', async () => {
      const { store, deploy } = setup();
      const { resourceVersion } = store.list(deploy, 'default');
      const events: string[] = [];
      const stop = store.watch(deploy, 'default', { resourceVersion, labelSelector: 'tier=web' }, (e) =>
        events.push(`${e.type} ${e.object.metadata.labels?.tier}`),
      );
      const d = store.create(deployment('a', 'x', { app: 'a', tier: 'web' }));
      const moved = store.update({ ...d, metadata: { ...d.metadata, labels: { app: 'a', tier: 'db' } } });
      store.update({ ...moved, metadata: { ...moved.metadata, labels: { app: 'a', tier: 'web' } } });
      await settle();
      stop();
      expect(events).toEqual(['ADDED web', 'DELETED db', 'ADDED web']);
    });

    it('a watch can resume from an older resourceVersion it has history for', () => {
      const { store, deploy } = setup();
      const { resourceVersion } = store.list(deploy, 'default');
      store.create(deployment('web'));
      const events: string[] = [];
      store.watch(deploy, 'default', { resourceVersion }, (e) =>
        events.push(`${e.type} ${e.object.metadata.name}`),
      )();
      expect(events).toEqual(['ADDED web']);
    });

    it('finalizers hold a delete with deletionTimestamp until they are removed; dependents are collected', () => {
      const { store, deploy, pod } = setup();
      const d = store.create({
        ...deployment('web'),
        metadata: { ...deployment('web').metadata, finalizers: ['example.com/hold'] },
      });
      const deleted = store.delete(deploy, 'default', 'web');
      expect(deleted.metadata.deletionTimestamp).toBeTruthy();
      const held = store.get(deploy, 'default', 'web') as KubeObject;
      expect(held.metadata.deletionTimestamp).toBeTruthy();
      store.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'child',
          namespace: 'default',
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: 'web',
              uid: d.metadata.uid as string,
              controller: true,
            },
          ],
        },
        spec: { containers: [{ name: 'c', image: 'x' }] },
      });
      store.update({ ...held, metadata: { ...held.metadata, finalizers: [] } });
      expect(store.get(deploy, 'default', 'web')).toBeUndefined();
      expect(store.get(pod, 'default', 'child')).toBeUndefined();
    });

    it('an Orphan delete leaves dependents without the owner reference', async () => {
      const { store, deploy, pod } = setup();
      const d = store.create(deployment('web'));
      store.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'child',
          namespace: 'default',
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: 'web',
              uid: d.metadata.uid as string,
              controller: true,
            },
          ],
        },
        spec: { containers: [{ name: 'c', image: 'x' }] },
      });
      store.delete(deploy, 'default', 'web', { propagationPolicy: 'Orphan' });
      for (let i = 0; i < 5; i++) await settle();
      expect(store.get(deploy, 'default', 'web')).toBeUndefined();
      expect(store.get(pod, 'default', 'child')?.metadata.ownerReferences ?? []).toEqual([]);
    });

    it('with a kubelet, a pod delete waits for the grace-0 delete', () => {
      const { store, pod } = setup();
      store.gracefulPodDeletion = true;
      store.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'default' },
        spec: { nodeName: 'sandbox-node', containers: [{ name: 'c', image: 'x' }] },
      });
      store.delete(pod, 'default', 'p');
      expect(store.get(pod, 'default', 'p')?.metadata.deletionTimestamp).toBeTruthy();
      store.delete(pod, 'default', 'p', { gracePeriodSeconds: 0 });
      expect(store.get(pod, 'default', 'p')).toBeUndefined();
    });
  });
}
