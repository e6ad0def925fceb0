import { describe, expect, it } from 'vitest';
import { newContext } from '../../src/render/context.js';
import { escapeExpansion, serviceEnv } from '../../src/render/objects/env.js';
import type { Dependency } from '../../src/spec/schema.js';
import { resolved } from './fixtures.js';

const deps: Record<string, Dependency> = {
  db: { type: 'postgres' },
  cache: { type: 'redis' },
  ext: { type: 'postgres', external: { secret: 'prod-db', key: 'DATABASE_URL' } },
  vectors: { type: 'chromadb' },
  lite: { type: 'sqlite', service: 'bot', volume: 'data', file: 'bot.db' },
};

function envOf(env: Record<string, string>) {
  const app = resolved({
    dependencies: deps,
    services: {
      api: { image: 'a:1', env, secrets: ['TOKEN'] },
      web: { image: 'w:1', port: 3000 },
      bot: { image: 'b:1', volumes: [{ name: 'data', path: '/var/lib/bot', size: '1Gi' }] },
    },
  });
  const ctx = newContext(app);
  const out = serviceEnv(ctx, 'services.api', 'api', app.services.api!);
  return { ...out, problems: ctx.problems };
}

const secret = (name: string, key: string) => ({ secretKeyRef: { name, key } });

describe('serviceEnv: reference rules', () => {
  it.each<[string, string, unknown[], Record<string, string>]>([
    ['plain value goes to the ConfigMap', 'info', [], { X: 'info' }],
    [
      'secret output: secretKeyRef to the credentials Secret',
      '${db.url}',
      [{ name: 'X', valueFrom: secret('shop-db-credentials', 'url') }],
      {},
    ],
    ['non-secret output: a plain value', '${db.host}', [{ name: 'X', value: 'shop-db.shop.svc' }], {}],
    [
      'external url: the external Secret and key',
      '${ext.url}',
      [{ name: 'X', valueFrom: secret('prod-db', 'DATABASE_URL') }],
      {},
    ],
    [
      'external other output: same-named key',
      '${ext.password}',
      [{ name: 'X', valueFrom: secret('prod-db', 'password') }],
      {},
    ],
    [
      'service reference: its Service URL',
      '${web.url}',
      [{ name: 'X', value: 'http://shop-web.shop.svc:3000' }],
      {},
    ],
    [
      'sqlite: the file on the volume',
      '${lite.url}',
      [{ name: 'X', value: 'sqlite:///var/lib/bot/bot.db' }],
      {},
    ],
    [
      'embedded secret: a helper defined first, then $(VAR)',
      'redis://:${cache.password}@${cache.host}:${cache.port}',
      [
        { name: 'SLIPWAY_REF_CACHE_PASSWORD', valueFrom: secret('shop-cache-credentials', 'password') },
        { name: 'X', value: 'redis://:$(SLIPWAY_REF_CACHE_PASSWORD)@shop-cache.shop.svc:6379' },
      ],
      {},
    ],
    ['$${...} is a literal in a plain value', 'a $${b.c}', [], { X: 'a ${b.c}' }],
    [
      '$${...} is a literal beside a reference',
      '$${x.y}:${db.port}',
      [{ name: 'X', value: '${x.y}:5432' }],
      {},
    ],
    [
      'a literal $( beside a reference is escaped',
      '$(x) ${db.host}',
      [{ name: 'X', value: '$$(x) shop-db.shop.svc' }],
      {},
    ],
  ])('%s', (_name, value, env, plain) => {
    const out = envOf({ X: value });
    expect(out.problems).toEqual([]);
    expect(out.env).toEqual([...env, { name: 'TOKEN', valueFrom: secret('shop-api-secrets', 'TOKEN') }]);
    expect(out.plain).toEqual(plain);
  });

  it('collects in-cluster targets for NetworkPolicies, not external or sqlite ones', () => {
    expect(
      envOf({ A: '${db.url}', B: '${ext.url}', C: '${lite.path}', D: '${web.host}', E: '${vectors.url}' })
        .targets,
    ).toEqual(['db', 'vectors', 'web']);
  });

  it.each([
    ['${db.nope}', '${db.nope}: db has no output "nope"'],
    ['${bot.url}', '${bot.url}: bot has no output "url"'],
  ])('%s is an error', (value, message) => {
    expect(envOf({ X: value }).problems.map((p) => p.message)).toEqual([message]);
  });

  it('escapeExpansion doubles only the $( that the kubelet would expand', () => {
    expect(escapeExpansion('a $(B) $C ${D}')).toBe('a $$(B) $C ${D}');
  });
});
