import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeCompose } from '../../src/render/compose/index.js';
import { composeCpus, composeMemory } from '../../src/render/compose/units.js';
import type { FormatInput } from '../../src/cli/formats.js';
import type { ResolvedApp } from '../../src/spec/resolved.js';
import type { App } from '../../src/spec/schema.js';
import { composeSchemaErrors } from './compose-schema.js';

function input(): FormatInput {
  const app = {
    app: 'shop',
    version: '1.2.3',
    environment: 'dev',
    namespace: 'shop-dev',
    approval: 'none',
    environments: ['dev'],
    deploy: {},
    backups: {},
    services: {
      api: {
        image: 'ghcr.io/acme/shop-api:1.2.3',
        port: 8080,
        env: { DATABASE_URL: '${db.url}', CACHE: '${cache.url}', PRICE: 'costs $5', WORKER: '${web.url}/x' },
        secrets: ['STRIPE_KEY'],
        migrations: { command: ['npm', 'run', 'migrate'] },
        volumes: [{ name: 'data', path: '/data', size: '1Gi' }],
        config: [{ path: '/etc/api/app.yaml', content: 'a: 1\n' }],
        public: { host: 'shop.example.com' },
        health: { readiness: '/readyz' },
      },
      web: {
        build: { context: './web' },
        port: 3000,
        env: { KAFKA: '${events.bootstrap}', CHROMA: '${vectors.url}', MYSQL: '${legacy.url}' },
      },
      report: { image: 'ghcr.io/acme/report:1', schedule: '0 2 * * *', command: ['report'] },
    },
    dependencies: {
      db: { type: 'postgres' },
      cache: { type: 'redis' },
      events: { type: 'kafka' },
      vectors: { type: 'chromadb' },
      legacy: { type: 'mysql', version: '8.0' },
    },
  } as unknown as ResolvedApp;
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'shop-api', labels: { 'app.kubernetes.io/name': 'api' } },
    spec: {
      template: {
        spec: {
          securityContext: { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 },
          terminationGracePeriodSeconds: 40,
          containers: [
            {
              name: 'api',
              image: 'ghcr.io/acme/shop-api:1.2.3',
              securityContext: { readOnlyRootFilesystem: true },
              resources: {
                requests: { cpu: '250m', memory: '256Mi' },
                limits: { cpu: '500m', memory: '512Mi' },
              },
            },
          ],
        },
      },
    },
  };
  return {
    spec: { app: 'shop', services: {} } as App,
    environments: [{ environment: 'dev', app, objects: [deployment] }],
  };
}

describe('compose writer', () => {
  const out = writeCompose(input());
  const doc = parse(out.files.get('docker-compose.yml')!);

  it('is valid against the Compose Specification JSON Schema', () => {
    expect(composeSchemaErrors(doc)).toEqual([]);
    expect(
      composeSchemaErrors({ services: { x: { depends_on: { y: { condition: 'sometimes' } } } } }),
    ).not.toEqual([]);
  });

  it('runs the dependencies with healthchecks and makes the app wait for them', () => {
    expect(doc.services.db.image).toBe('postgres:16');
    expect(doc.services.db.healthcheck.test[1]).toBe('pg_isready');
    expect(doc.services.api.depends_on).toEqual({
      db: { condition: 'service_healthy' },
      cache: { condition: 'service_healthy' },
      web: { condition: 'service_started' },
      'api-volume-init': { condition: 'service_completed_successfully' },
      'api-migrate': { condition: 'service_completed_successfully' },
    });
    expect(doc.services.api.environment.DATABASE_URL).toBe(
      'postgres://shop:${SHOP_DB_PASSWORD:-slipway-dev}@db:5432/shop',
    );
    expect(doc.services.api.environment.WORKER).toBe('http://web:3000/x');
    expect(doc.services.api.environment.PRICE).toBe('costs $$5');
    expect(doc.services.api.environment.STRIPE_KEY).toBe('${STRIPE_KEY}');
    expect(doc.services.web.environment.KAFKA).toBe('events:9092');
    expect(doc.services.events.environment.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://events:9092');
  });

  it('keeps the cluster’s limits and non-root user, and hands volumes to that user', () => {
    expect(doc.services.api.deploy.resources.limits).toEqual({ cpus: '0.5', memory: '512M' });
    expect(doc.services.api.user).toBe('10001:10001');
    expect(doc.services.api.read_only).toBe(true);
    expect(doc.services.api.volumes).toEqual(['api-data:/data']);
    expect(doc.services['api-volume-init'].command[2]).toBe('chown -R 10001:10001 /data');
    expect(doc.volumes).toHaveProperty('api-data');
    expect(out.files.get('config/api/etc-api-app.yaml')).toBe('a: 1\n');
  });

  it('names every field Compose cannot express', () => {
    const paths = out.warnings.map((w) => w.path);
    expect(doc.services.api.healthcheck.test).toEqual([
      'CMD',
      'wget',
      '-q',
      '--spider',
      'http://localhost:8080/readyz',
    ]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'services.api.public',
        'services.api.health.readiness',
        'services.report.schedule',
        'services.api.volumes',
      ]),
    );
    expect(doc.services.report.profiles).toEqual(['jobs']);
  });

  it('converts quantities the way Docker reads them', () => {
    expect(composeMemory('512Mi')).toBe('512M');
    expect(composeMemory('1Gi')).toBe('1G');
    expect(composeMemory('500M')).toBe('500000000b');
    expect(composeCpus('500m')).toBe('0.5');
    expect(composeCpus('2')).toBe('2');
  });
});

describe('compose writer, discord-bot', () => {
  it('keeps what the team’s docker-compose.yml did: port, non-root 1000:1000, 512M / 0.5 CPU, SQLite volume, healthcheck', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseSpec } = await import('../../src/spec/parse.js');
    const { resolveEnvironment } = await import('../../src/spec/resolve.js');
    const { renderApp } = await import('../../src/render/index.js');
    const file = 'examples/discord-bot/slipway.yaml';
    const spec = parseSpec(readFileSync(file, 'utf8'), file);
    const app = resolveEnvironment(spec, 'production', file);
    const objects = renderApp(app, { images: { bot: 'latest-build' } }).objects;
    const generated = parse(
      writeCompose({ spec, environments: [{ environment: 'production', app, objects }] }).files.get(
        'docker-compose.yml',
      )!,
    );
    const team = parse(readFileSync('examples/discord-bot/docker-compose.yml', 'utf8'));
    expect(composeSchemaErrors(generated)).toEqual([]);
    const ours = generated.services.bot;
    const theirs = team.services.bot;
    expect(ours.ports).toEqual(theirs.ports);
    expect(ours.user).toBe(theirs.user);
    expect(ours.volumes).toEqual(theirs.volumes);
    expect(Object.keys(generated.volumes)).toEqual(Object.keys(team.volumes));
    expect(ours.deploy.resources.limits).toEqual(theirs.deploy.resources.limits);
    expect(ours.deploy.resources.reservations).toEqual(theirs.deploy.resources.reservations);
    expect(ours.build).toEqual(theirs.build);
    expect(ours.restart).toBe(theirs.restart);
    for (const [key, value] of Object.entries(theirs.environment)) expect(ours.environment[key]).toBe(value);
    expect(ours.healthcheck.test.slice(0, 4)).toEqual(theirs.healthcheck.test.slice(0, 4));
    // The volume is handed to uid 1000 before the bot starts, as the cluster's fsGroup does.
    expect(generated.services['bot-volume-init'].command[2]).toBe('chown -R 1000:1000 /app/data');
    expect(ours.depends_on['bot-volume-init']).toEqual({ condition: 'service_completed_successfully' });
  });
});
