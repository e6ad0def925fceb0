import type { KubeObject } from '@slipway/kube';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeCluster } from '../../../src/cluster/kube.js';
import { MemoryCluster } from '../../../src/cluster/memory.js';
import { startSandboxEnv, type SandboxEnv } from '../../e2e/sandbox-env.js';
import { MemoryReleaseStore } from '../../../src/engine/releases/memory.js';
import { SecretReleaseStore } from '../../../src/engine/releases/secrets.js';
import { UserError } from '../../../src/errors.js';
import { releaseStoreContract, sampleRelease } from './contract.js';

releaseStoreContract('memory driver', () => new MemoryReleaseStore());
releaseStoreContract(
  'Secret driver on the in-memory cluster',
  () => new SecretReleaseStore(new MemoryCluster({ namespace: 'shop' }), 'shop'),
);

describe('on the sandbox API server, through client-node', () => {
  let env: SandboxEnv;
  let cluster: KubeCluster;
  let n = 0;
  beforeAll(async () => {
    env = await startSandboxEnv();
    cluster = KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig });
  });
  afterAll(() => env?.stop());
  releaseStoreContract('Secret driver on the sandbox', async () => {
    // A fresh namespace per case: the contract's cases each expect an empty history.
    const namespace = `releases-${++n}`;
    await cluster.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }], {
      fieldManager: 'slipway-test',
    });
    return new SecretReleaseStore(cluster, namespace);
  });

  it('real kubectl finds the records by label and reads the body as Helm users read theirs', async () => {
    const namespace = `releases-${++n}`;
    await cluster.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }], {
      fieldManager: 'slipway-test',
    });
    const store = new SecretReleaseStore(cluster, namespace);
    await store.create(sampleRelease(1, 'superseded'));
    await store.create(sampleRelease(2, 'deployed'));
    const listed = await env.kubectl([
      '-n',
      namespace,
      'get',
      'secrets',
      '-l',
      'owner=slipway,slipway.dev/status=deployed',
      '-o',
      'name',
    ]);
    expect(listed.stdout.trim()).toBe('secret/slipway.release.v1.shop-staging.v2');
    const body = await env.kubectl([
      '-n',
      namespace,
      'get',
      'secret',
      'slipway.release.v1.shop-staging.v2',
      '-o',
      'jsonpath={.data.release}',
    ]);
    const inner = Buffer.from(body.stdout.trim(), 'base64').toString('utf8');
    expect(
      (JSON.parse(gunzipSync(Buffer.from(inner, 'base64')).toString('utf8')) as { revision: number })
        .revision,
    ).toBe(2);
  });
});

describe('Secret driver format', () => {
  it('writes one Secret per revision, named and labelled like Helm records, body gzip+base64 JSON', async () => {
    const cluster = new MemoryCluster({ namespace: 'shop' });
    const store = new SecretReleaseStore(cluster, 'shop');
    await store.create(sampleRelease(3, 'pending'));
    const secret = await cluster.get<KubeObject & { type: string; data: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: 'shop',
      name: 'slipway.release.v1.shop-staging.v3',
    });
    expect(secret?.type).toBe('slipway.dev/release.v1');
    expect(secret?.metadata.labels).toEqual({
      owner: 'slipway',
      'slipway.dev/app': 'shop',
      'slipway.dev/env': 'staging',
      'slipway.dev/status': 'pending',
      'slipway.dev/revision': '3',
    });
    // What `kubectl get secret -o jsonpath='{.data.release}' | base64 -d | base64 -d | gunzip` shows.
    const inner = Buffer.from(secret!.data.release!, 'base64').toString('utf8');
    const json = JSON.parse(gunzipSync(Buffer.from(inner, 'base64')).toString('utf8')) as {
      revision: number;
      images: Record<string, string>;
      overrides: unknown[];
    };
    expect(json.revision).toBe(3);
    expect(json.images).toEqual({ api: 'ghcr.io/acme/shop-api:v3' });
    expect(json.overrides).toEqual([{ path: 'services.api.env.ERROR_RATE', value: '0.05' }]);
  });

  it('keeps the status label in step with the phase on update', async () => {
    const cluster = new MemoryCluster({ namespace: 'shop' });
    const store = new SecretReleaseStore(cluster, 'shop');
    await store.create(sampleRelease(1, 'pending'));
    await store.update(sampleRelease(1, 'rolled-back'));
    const { items } = await cluster.list(
      { apiVersion: 'v1', kind: 'Secret', namespace: 'shop' },
      { labelSelector: 'slipway.dev/status=rolled-back' },
    );
    expect(items.map((s) => s.metadata.name)).toEqual(['slipway.release.v1.shop-staging.v1']);
  });

  it('a corrupt record is a UserError that says how to inspect it', async () => {
    const cluster = new MemoryCluster({ namespace: 'shop' });
    await cluster.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'slipway.release.v1.shop-staging.v1',
        labels: { owner: 'slipway', 'slipway.dev/app': 'shop', 'slipway.dev/env': 'staging' },
      },
      data: { release: 'bm90IGd6aXA=' },
    });
    const err = await new SecretReleaseStore(cluster, 'shop')
      .list('shop', 'staging')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).hint).toContain(
      'kubectl -n shop get secret slipway.release.v1.shop-staging.v1',
    );
  });

  it('a record of a large spec stays far below the 1 MiB Secret limit', async () => {
    const services = Object.fromEntries(
      Array.from({ length: 400 }, (_, i) => [
        `svc${i}`,
        { image: `ghcr.io/acme/svc${i}`, port: 8080, env: { LOG_LEVEL: 'info', FEATURE: 'x'.repeat(50) } },
      ]),
    );
    const big = sampleRelease(1, 'pending');
    big.spec.services = services;
    const cluster = new MemoryCluster({ namespace: 'shop' });
    await new SecretReleaseStore(cluster, 'shop').create(big);
    const secret = await cluster.get<KubeObject & { data: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: 'shop',
      name: 'slipway.release.v1.shop-staging.v1',
    });
    expect(JSON.stringify(big).length).toBeGreaterThan(50_000);
    expect(secret!.data.release!.length).toBeLessThan(20_000);
  });
});
