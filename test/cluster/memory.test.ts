import type { KubeObject } from '@slipway/kube';
import { describe, expect, it } from 'vitest';
import { ClusterError } from '../../src/cluster/cluster.js';
import { MemoryCluster } from '../../src/cluster/memory.js';
import { UserError } from '../../src/errors.js';
import { clusterContract } from './contract.js';

clusterContract('in-memory fake', async () => ({ cluster: new MemoryCluster({ namespace: 'shop' }) }));

describe('MemoryCluster faults and bookkeeping', () => {
  it('injects an error per verb through a field, like Helm FailingKubeClient', async () => {
    const c = new MemoryCluster();
    c.errors.apply = new ClusterError(500, 'Other', 'etcd timeout');
    await expect(
      c.apply([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }], {
        fieldManager: 'slipway',
      }),
    ).rejects.toThrow('etcd timeout');
    delete c.errors.apply;
    await expect(
      c.apply([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }], {
        fieldManager: 'slipway',
      }),
    ).resolves.toHaveLength(1);
  });

  it('an unreachable fake fails as the real client does: UserError exit code 3', async () => {
    const c = new MemoryCluster();
    c.unreachable = true;
    const err = await c.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(3);
  });

  it('counts API requests', async () => {
    const c = new MemoryCluster();
    await c.apply([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }], {
      fieldManager: 'slipway',
    });
    await c.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'x' });
    expect(c.requests.map((r) => r.verb)).toEqual(['apply', 'get']);
  });

  it('deleting an owner removes its dependents (Background) or orphans them', async () => {
    const c = new MemoryCluster();
    const job = await c.create<KubeObject>({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate' },
    });
    const owner = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      name: 'migrate',
      uid: job.metadata.uid!,
      controller: true,
    };
    await c.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'migrate-abc', ownerReferences: [owner] },
    });
    await c.delete(
      { apiVersion: 'batch/v1', kind: 'Job', name: 'migrate' },
      { propagationPolicy: 'Background' },
    );
    expect(await c.get({ apiVersion: 'v1', kind: 'Pod', name: 'migrate-abc' })).toBeUndefined();

    const job2 = await c.create<KubeObject>({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate' },
    });
    await c.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'migrate-def', ownerReferences: [{ ...owner, uid: job2.metadata.uid! }] },
    });
    await c.delete({ apiVersion: 'batch/v1', kind: 'Job', name: 'migrate' }, { propagationPolicy: 'Orphan' });
    const orphan = await c.get({ apiVersion: 'v1', kind: 'Pod', name: 'migrate-def' });
    expect(orphan?.metadata.ownerReferences).toEqual([]);
  });

  it('serves pod logs the test wrote, with tailLines', async () => {
    const c = new MemoryCluster();
    await c.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } });
    c.logs.set('default/p', 'one\ntwo\nthree\n');
    expect(await c.podLogs({ name: 'p' }, { tailLines: 2 })).toBe('two\nthree\n');
  });

  it('cluster-scoped kinds ignore namespaces', async () => {
    const c = new MemoryCluster({ namespace: 'shop' });
    const [ns] = await c.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }], {
      fieldManager: 'slipway',
    });
    expect(ns?.metadata.namespace).toBeUndefined();
    expect((await c.list({ apiVersion: 'v1', kind: 'Namespace' })).items).toHaveLength(1);
  });
});
