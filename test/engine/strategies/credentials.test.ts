/** Dependency credentials Secrets: keys per type, a URL that parses, created once and never rewritten. */
import type { KubeObject } from '@slipway/kube';
import { describe, expect, it } from 'vitest';
import { MemoryCluster } from '../../../src/cluster/memory.js';
import { credentialsSecret, ensureCredentials } from '../../../src/engine/credentials.js';
import { parseSpec } from '../../../src/spec/parse.js';
import { resolveEnvironment } from '../../../src/spec/resolve.js';

const SPEC = `app: shop
services:
  api: { image: ghcr.io/acme/api:1, port: 8080, env: { DATABASE_URL: "\${db.url}" } }
dependencies:
  db: { type: postgres, database: orders }
  cache: { type: redis }
  events: { type: kafka }
  legacy: { type: mysql, external: { secret: legacy-db } }
environments:
  staging: {}
`;
const app = resolveEnvironment(parseSpec(SPEC, 'slipway.yaml'), 'staging');

describe('dependency credentials', () => {
  it.each([
    ['db', ['username', 'password', 'url'], 'postgresql://shop:pw-1@shop-db.', ':5432/orders'],
    ['cache', ['password', 'url'], 'redis://:pw-1@shop-cache.', ':6379'],
  ])('%s: keys %j and a URL to its Service', (name, keys, prefix, suffix) => {
    const secret = credentialsSecret(app, name, 'pw-1') as unknown as {
      metadata: { name: string };
      stringData: Record<string, string>;
    };
    expect(secret.metadata.name).toBe(`shop-${name}-credentials`);
    expect(Object.keys(secret.stringData)).toEqual(keys);
    expect(secret.stringData.url?.startsWith(prefix)).toBe(true);
    expect(secret.stringData.url?.endsWith(suffix)).toBe(true);
    expect(new URL(secret.stringData.url!).password).toBe('pw-1');
  });

  it('kafka has no credentials; an external dependency brings its own Secret', () => {
    expect(credentialsSecret(app, 'events', 'x')).toBeUndefined();
    expect(credentialsSecret(app, 'legacy', 'x')).toBeUndefined();
  });

  it('created on the first deploy with random passwords, never rewritten by the next', async () => {
    const cluster = new MemoryCluster({ namespace: app.namespace });
    expect(await ensureCredentials(cluster, app)).toEqual(['shop-cache-credentials', 'shop-db-credentials']);
    const first = await cluster.get<
      KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> }
    >({ apiVersion: 'v1', kind: 'Secret', namespace: app.namespace, name: 'shop-db-credentials' });
    expect(await ensureCredentials(cluster, app)).toEqual([]);
    const again = await cluster.get({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: app.namespace,
      name: 'shop-db-credentials',
    });
    expect(again).toEqual(first);
    const password =
      first?.stringData?.password ?? Buffer.from(first?.data?.password ?? '', 'base64').toString();
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
