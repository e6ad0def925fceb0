import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from '#yaml';
import { z } from '#zod';
import { loadSpec } from '../cli/load-spec.js';
import { UserErrors } from '../errors.js';
import {
  environmentNames,
  parseReferences,
  parseSpec,
  resolveEnvironment,
  specJsonSchema,
  specJsonSchemaText,
} from './index.js';
import { mergeOverlay } from './merge.js';
import { AppSchema, EnvironmentSchema } from './schema.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const EXAMPLES = readdirSync(join(ROOT, 'examples')).filter((d) => {
  try {
    return readFileSync(join(ROOT, 'examples', d, 'slipway.yaml')).length > 0;
  } catch {
    return false;
  }
});

describe('examples', () => {
  it('covers the five reference systems and the sample service', () => {
    expect(EXAMPLES.sort()).toEqual([
      'agentic-rag',
      'analytics-platform',
      'api-web-db-redis-kafka',
      'discord-bot',
      'sample-service',
      'teams-planner',
    ]);
  });

  it.each(EXAMPLES)('%s resolves in every environment it declares', async (name) => {
    const app = await loadSpec(join(ROOT, 'examples', name, 'slipway.yaml'));
    const envs = environmentNames(app);
    expect(envs.length).toBeGreaterThanOrEqual(3);
    for (const env of envs) expect(resolveEnvironment(app, env).environment).toBe(env);
  });

  it('agentic-rag runs 1, 2 and 3 replicas in dev, staging and production', async () => {
    const app = await loadSpec(join(ROOT, 'examples', 'agentic-rag', 'slipway.yaml'));
    expect(
      ['dev', 'staging', 'production'].map((e) => resolveEnvironment(app, e).services.ingest?.replicas),
    ).toEqual([1, 2, 3]);
    // the API autoscales in production from 3, so the replicas shorthand leaves it alone
    expect(resolveEnvironment(app, 'production').services.api?.autoscale?.min).toBe(3);
    expect(resolveEnvironment(app, 'dev').services.api?.public).toBeUndefined();
  });

  it('discord-bot keeps the compose limits and a sqlite file on its volume', async () => {
    const app = await loadSpec(join(ROOT, 'examples', 'discord-bot', 'slipway.yaml'));
    const prod = resolveEnvironment(app, 'production');
    expect(prod.services.bot?.resources?.limits).toEqual({ cpu: '500m', memory: '512Mi' });
    expect(prod.services.bot?.volumes).toEqual([
      {
        name: 'data',
        path: '/app/data',
        size: '5Gi',
        accessMode: 'ReadWriteOnce',
        owner: { uid: 1000, gid: 1000 },
      },
    ]);
    expect(prod.dependencies.memory).toMatchObject({ type: 'sqlite', service: 'bot', volume: 'data' });
  });
});

describe('JSON Schema', () => {
  it('the committed copy is current (regenerate: npx tsx scripts/spec-schema.ts)', () => {
    expect(readFileSync(join(ROOT, 'schema', 'slipway.schema.json'), 'utf8')).toBe(specJsonSchemaText());
  });

  it('is draft-07 and accepts every example, as a real validator judges', () => {
    const schema = specJsonSchema();
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    // strict mode rejects unknown keywords and formats; union types are legal draft-07.
    const validate = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true }).compile(schema);
    for (const name of EXAMPLES) {
      const ok = validate(parse(readFileSync(join(ROOT, 'examples', name, 'slipway.yaml'), 'utf8')));
      expect(ok, `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(validate({ app: 'x', services: { api: { image: 'x', imagee: 'y' } } })).toBe(false);
    expect(validate({ app: 'x', services: { api: { port: 'http' } } })).toBe(false);
    expect(
      validate({
        app: 'x',
        services: {},
        environments: { dev: { dependencies: { db: { storage: '1Gi' } } } },
      }),
    ).toBe(true);
  });
});

describe('environment overlays', () => {
  const spec = `app: shop
services:
  api:
    image: ghcr.io/acme/api:1
    port: 8080
    env: { A: "1", B: "2" }
    command: [serve, --fast]
    volumes:
      - { name: data, path: /data, size: 1Gi }
      - { name: logs, path: /logs, size: 1Gi }
    public: { host: shop.example.com }
  cron:
    image: ghcr.io/acme/api:1
    schedule: "@daily"
  scaled:
    image: ghcr.io/acme/api:1
    autoscale: { min: 2, max: 4, cpu: 80 }
dependencies:
  db: { type: postgres, version: "16", storage: 10Gi }
environments:
  dev:
    replicas: 1
    services:
      api:
        env: { B: null, C: "3" }
        command: [serve]
        volumes: [{ name: data, size: 5Gi }, { name: cache, path: /cache, size: 1Gi }]
        public: null
    dependencies:
      db: { storage: 2Gi }
  production:
    replicas: 3
    approval: required
    namespace: shop-prod
`;
  const app = parseSpec(spec, 'slipway.yaml');

  it('deep-merges maps, replaces scalars and plain lists, merges named lists by name, removes nulls', () => {
    const dev = resolveEnvironment(app, 'dev');
    const api = dev.services.api;
    expect(api?.env).toEqual({ A: '1', C: '3' });
    expect(api?.command).toEqual(['serve']);
    expect(api?.volumes).toEqual([
      { name: 'data', path: '/data', size: '5Gi' },
      { name: 'logs', path: '/logs', size: '1Gi' },
      { name: 'cache', path: '/cache', size: '1Gi' },
    ]);
    expect(api?.public).toBeUndefined();
    // an overlay naming only dependencies.db.storage need not repeat type
    expect(dev.dependencies.db).toEqual({ type: 'postgres', version: '16', storage: '2Gi' });
  });

  it('applies the replicas shorthand to long-running services without their own count', () => {
    const prod = resolveEnvironment(app, 'production');
    expect(prod.services.api?.replicas).toBe(3);
    expect(prod.services.cron?.replicas).toBeUndefined();
    expect(prod.services.scaled?.replicas).toBeUndefined();
    expect(prod).toMatchObject({
      environment: 'production',
      approval: 'required',
      namespace: 'shop-prod',
      environments: ['dev', 'production'],
    });
    expect(resolveEnvironment(app, 'dev')).toMatchObject({ approval: 'none', namespace: 'shop' });
  });

  it('leaves the parsed App untouched', () => {
    resolveEnvironment(app, 'dev');
    expect(app.services.api?.env).toEqual({ A: '1', B: '2' });
  });

  it('a spec without environments has one named default', () => {
    const bare = parseSpec('app: x\nservices:\n  api: { image: x }\n', 'slipway.yaml');
    expect(environmentNames(bare)).toEqual(['default']);
    expect(resolveEnvironment(bare, 'default').environments).toEqual(['default']);
    expect(() => resolveEnvironment(bare, 'dev')).toThrow(
      /unknown environment "dev"; the spec declares: default/,
    );
  });

  it('mergeOverlay: null inside a new item means unset, plain lists replace whole', () => {
    expect(mergeOverlay({ a: [1, 2] }, { a: [3] })).toEqual({ a: [3] });
    expect(mergeOverlay({ a: { b: 1 } }, { a: { c: { d: null, e: 2 } } })).toEqual({
      a: { b: 1, c: { e: 2 } },
    });
    expect(mergeOverlay({ a: 1 }, { a: null })).toEqual({});
  });

  it('overlays stay strict at every depth', () => {
    expect(() => parseSpec(`${spec}    dependencies:\n      db: { storge: 1Gi }\n`, 'slipway.yaml')).toThrow(
      UserErrors,
    );
  });
});

describe('YAML anchors', () => {
  it('top-level x- keys hold anchors; << merge keys are expanded', () => {
    const app = parseSpec(
      'app: shop\nx-common: &common\n  image: ghcr.io/acme/api:1\n  resources: { cpu: 100m }\nservices:\n  api:\n    <<: *common\n    port: 80\n',
      'slipway.yaml',
    );
    expect(app.services.api).toEqual({ image: 'ghcr.io/acme/api:1', resources: { cpu: '100m' }, port: 80 });
    expect(Object.keys(app)).not.toContain('x-common');
  });
});

describe('parseReferences', () => {
  it('finds each reference with its offsets and skips $${...}', () => {
    const value = 'postgres://${db.user}@${db.host}:5432 $${literal.x}';
    expect(parseReferences(value)).toEqual([
      { text: '${db.user}', target: 'db', output: 'user', start: 11, end: 21 },
      { text: '${db.host}', target: 'db', output: 'host', start: 22, end: 32 },
    ]);
    expect(value.slice(11, 21)).toBe('${db.user}');
    expect(parseReferences('${a-b.url}')[0]).toMatchObject({ target: 'a-b', output: 'url' });
    expect(parseReferences('${nodot}')).toEqual([]);
  });
});

describe('sections built on first use', () => {
  it('answer optin and optout as the schema they build would', () => {
    const deferred = [AppSchema, EnvironmentSchema].flatMap((o) =>
      Object.values(o.shape as Record<string, z.ZodType>)
        .map((f) => (f instanceof z.ZodOptional ? (f.unwrap() as z.ZodType) : f))
        .filter((f): f is z.ZodLazy => f instanceof z.ZodLazy),
    );
    expect(deferred.length).toBeGreaterThanOrEqual(7 + 14);
    for (const lazy of deferred) {
      const built = lazy.unwrap() as z.ZodType;
      expect([lazy._zod.optin, lazy._zod.optout]).toEqual([built._zod.optin, built._zod.optout]);
      expect([built._zod.optin, built._zod.optout]).toEqual([undefined, undefined]);
    }
  });
});
