/**
 * `secrets.store: vault | aws | gcp` renders External Secrets Operator objects instead of leaving
 * the Secrets to the deploy: judged by the operator's v1 CRD schemas (@kubernetes-models/external-secrets,
 * a devDependency used only here), and `slipway check` passes the rendered app.
 */
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { SecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@slipway/kube';
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/cluster/cluster.js';
import { requireServedAddOns } from '../../src/engine/add-ons.js';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { renderApp } from '../../src/render/index.js';
import { parseSpec } from '../../src/spec/parse.js';
import { resolveEnvironment } from '../../src/spec/resolve.js';

const spec = (store: string) => `app: shop
services:
  api:
    image: ghcr.io/acme/api:1.0.0
    port: 8080
    secrets: [STRIPE_KEY, API_TOKEN]
    resources: { cpu: 100m, memory: 128Mi }
  worker:
    image: ghcr.io/acme/worker:1.0.0
    secrets: [API_TOKEN]
    resources: { cpu: 100m, memory: 128Mi }
  web:
    image: ghcr.io/acme/web:1.0.0
    port: 8080
    resources: { cpu: 100m, memory: 128Mi }
secrets:
${store}
environments:
  staging: {}
  production:
    replicas: 2
    secrets: { refreshInterval: 15m }
`;

const STORES: Record<string, string> = {
  vault: '  store: vault\n  vault: { server: "https://vault.example.com:8200", role: shop-reader }',
  aws: '  store: aws\n  aws: { region: eu-west-1, roleArn: "arn:aws:iam::123456789012:role/shop-secrets" }',
  gcp: '  store: gcp\n  gcp: { project: acme-prod, serviceAccount: shop-secrets@acme-prod.iam.gserviceaccount.com }',
};

function rendered(store: string, env = 'production') {
  return renderApp(resolveEnvironment(parseSpec(spec(STORES[store]!), 'slipway.yaml'), env)).objects;
}

describe('secrets.store renders External Secrets Operator objects', () => {
  it.each(Object.keys(STORES))('%s: valid against the operator CRD schemas', (store) => {
    const objects = rendered(store);
    const stores = objects.filter((o) => o.kind === 'SecretStore');
    const externals = objects.filter((o) => o.kind === 'ExternalSecret');
    expect(stores).toHaveLength(1);
    expect(externals.map((o) => o.metadata.name)).toEqual(['shop-api-secrets', 'shop-worker-secrets']);
    for (const o of stores) expect(() => new SecretStore(o as never).validate()).not.toThrow();
    for (const o of externals) expect(() => new ExternalSecret(o as never).validate()).not.toThrow();
    // The judge is not lenient: a value outside the CRD's enum, or a store without a provider, is refused.
    const broken = structuredClone(externals[0]!) as unknown as {
      spec: { target: { creationPolicy: string } };
    };
    broken.spec.target.creationPolicy = 'Always';
    expect(() => new ExternalSecret(broken as never).validate()).toThrow(/creationPolicy/);
    const empty = structuredClone(stores[0]!) as unknown as { spec: { provider?: unknown } };
    delete empty.spec.provider;
    expect(() => new SecretStore(empty as never).validate()).toThrow(/provider/);
    // No Secret object is rendered: the operator writes them.
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  });

  it('vault: Kubernetes auth through the app ServiceAccount, one property per name, refresh per environment', () => {
    const objects = rendered('vault');
    const store = objects.find((o) => o.kind === 'SecretStore') as unknown as { spec: unknown };
    expect(store.spec).toEqual({
      provider: {
        vault: {
          server: 'https://vault.example.com:8200',
          path: 'secret',
          version: 'v2',
          auth: {
            kubernetes: {
              mountPath: 'kubernetes',
              role: 'shop-reader',
              serviceAccountRef: { name: 'shop-secrets-reader' },
            },
          },
        },
      },
    });
    const api = objects.find(
      (o) => o.metadata.name === 'shop-api-secrets' && o.kind === 'ExternalSecret',
    ) as unknown as {
      spec: Record<string, unknown>;
    };
    expect(api.spec).toEqual({
      refreshInterval: '15m',
      secretStoreRef: { name: 'shop-secrets', kind: 'SecretStore' },
      target: { name: 'shop-api-secrets', creationPolicy: 'Owner' },
      data: [
        { secretKey: 'API_TOKEN', remoteRef: { key: 'shop/production', property: 'API_TOKEN' } },
        { secretKey: 'STRIPE_KEY', remoteRef: { key: 'shop/production', property: 'STRIPE_KEY' } },
      ],
    });
    const staging = rendered('vault', 'staging').find((o) => o.kind === 'ExternalSecret') as unknown as {
      spec: { refreshInterval: string };
    };
    expect(staging.spec.refreshInterval).toBe('1h');
  });

  it('aws and gcp: the ServiceAccount carries the cloud identity; the default gcp key has no /', () => {
    const sa = (store: string) =>
      rendered(store).find((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'shop-secrets-reader')!;
    expect(sa('aws').metadata.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/shop-secrets',
    });
    expect(sa('gcp').metadata.annotations).toEqual({
      'iam.gke.io/gcp-service-account': 'shop-secrets@acme-prod.iam.gserviceaccount.com',
    });
    const gcp = rendered('gcp').find((o) => o.kind === 'ExternalSecret') as unknown as {
      spec: { data: Array<{ remoteRef: { key: string } }> };
    };
    expect(gcp.spec.data[0]!.remoteRef.key).toBe('shop-production');
  });

  it('a deploy to a cluster without the operator is refused before anything is applied', async () => {
    const objects = rendered('vault') as unknown as KubeObject[];
    const asked: string[] = [];
    const without = {
      serves: async (apiVersion: string, kind: string) => (asked.push(`${kind} ${apiVersion}`), false),
    } as unknown as Cluster;
    await expect(requireServedAddOns(without, objects)).rejects.toThrow(
      /the cluster does not serve ExternalSecret \(external-secrets.io\/v1\)/,
    );
    const withIt = { serves: async () => true } as unknown as Cluster;
    await expect(requireServedAddOns(withIt, objects)).resolves.toBeUndefined();
    expect(asked).toEqual(['ExternalSecret external-secrets.io/v1']);
  });

  it('slipway check passes the rendered app', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-eso-'));
    writeFileSync(join(dir, 'slipway.yaml'), spec(STORES.vault!));
    const { io, stdout, stderr } = memoryIo({ cwd: dir });
    const code = await main(
      ['node', 'slipway', 'check', '-f', join(dir, 'slipway.yaml'), '--env', 'production'],
      io,
    );
    expect(code, stdout() + stderr()).toBe(0);
  });
});
