/**
 * Issue 18: one realistic compose file per class of what used to import and then fail to render
 * (test/fixtures/compose/*), imported by the pure importer; what each class must carry.
 * test/cli/compose-round-trip.test.ts runs the same files through validate, check and render.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registryFromRemote } from './compose-build.js';
import { importCompose, type ComposeImportOptions } from './compose-import.js';
import { interpolate } from './compose-interpolate.js';
import { composeSpecText } from './init-template.js';
import { parseSpec, resolveEnvironment } from './index.js';

const FIXTURES = resolve(import.meta.dirname, '..', '..', 'test', 'fixtures', 'compose');

function importFixture(name: string, opts: ComposeImportOptions = {}) {
  const path = join(FIXTURES, name, 'docker-compose.yml');
  const reader = {
    read: (p: string) => {
      try {
        return readFileSync(resolve(dirname(path), p), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
  return importCompose(readFileSync(path, 'utf8'), 'docker-compose.yml', reader, { name, ...opts });
}

const notes = (r: ReturnType<typeof importFixture>) => r.notes.map((n) => `${n.path}: ${n.message}`);

describe('build-only services', () => {
  it('without a registry they are listed for the caller to ask about', () => {
    const r = importFixture('build-only');
    expect(r.buildOnly).toEqual(['api', 'web']);
    expect(r.spec.registry).toBeUndefined();
  });

  it('with one, the spec names the registry, records the build and tags with a version', () => {
    const r = importFixture('build-only', { registry: 'ghcr.io/acme', registrySource: '--registry' });
    expect(r.spec).toMatchObject({ app: 'build-only', registry: 'ghcr.io/acme', version: '0.1.0' });
    expect(r.spec.services.api).toMatchObject({ build: { context: './api', dockerfile: 'Dockerfile' } });
    expect(r.spec.services.api?.image).toBeUndefined();
    expect(r.spec.services.web).toMatchObject({
      build: { context: './web' },
      env: { API_URL: '${api.url}/v1' },
    });
    expect(notes(r)).toContain(
      'services.api.build: built from ./api by the CI workflow; its image is ghcr.io/acme/build-only-api (registry from --registry)',
    );
  });

  it('the git remote names a registry on GitHub and GitLab, and none elsewhere', () => {
    expect(registryFromRemote('git@github.com:Acme/shop.git')).toBe('ghcr.io/acme');
    expect(registryFromRemote('https://github.com/acme/shop')).toBe('ghcr.io/acme');
    expect(registryFromRemote('ssh://git@gitlab.com/group/sub/shop.git')).toBe(
      'registry.gitlab.com/group/sub/shop',
    );
    expect(registryFromRemote('https://git.example.com/acme/shop.git')).toBeUndefined();
  });
});

describe('compose interpolation', () => {
  it.each([
    ['${A}', 'a', []],
    ['$A-$$A', 'a-$A', []],
    ['${MISSING:-dflt}', 'dflt', []],
    ['${EMPTY:-dflt}', 'dflt', []],
    ['${EMPTY-dflt}', '', []],
    ['${MISSING-${A}x}', 'ax', []],
    ['${A:+alt}|${MISSING:+alt}', 'alt|', []],
    ['${MISSING}', '', ['MISSING']],
    ['${MISSING:?say why}', '', ['MISSING (say why)']],
    ['${EMPTY:?}', '', ['EMPTY (EMPTY is required)']],
    ['$${literal}', '${literal}', []],
  ])('%s -> %j', (text, value, missing) => {
    const r = interpolate(text, { A: 'a', EMPTY: '' });
    expect(r.value).toBe(value);
    expect(r.unresolved.map((u) => (u.required ? `${u.name} (${u.required})` : u.name))).toEqual(missing);
  });

  it('.env values become values, missing ones "" or secret names, each in the review', () => {
    const r = importFixture('interpolation');
    const app = r.spec.services.app;
    expect(app?.image).toBe('ghcr.io/acme/shop:2.3.1');
    expect(app?.port).toBe(8080);
    expect(app?.args).toEqual(['serve', '--port', '8080']);
    expect(app?.env).toEqual({
      TZ: '',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      GREETING: 'hello from .env',
      CACHE_TTL: '300',
      PRICE_TEMPLATE: '$${amount} EUR',
      DATABASE_URL: '${db.url}',
    });
    expect(app?.secrets).toEqual(['SMTP_PASSWORD', 'STRIPE_KEY']);
    expect(r.spec.dependencies?.db).toEqual({ type: 'postgres', version: '16', database: 'shop' });
    expect(notes(r)).toEqual(
      expect.arrayContaining([
        'services.app.environment.TZ: ${TIMEZONE} is used without a value; TZ is "" as Compose would make it: set it',
        'services.app.environment.SMTP_PASSWORD: ${SMTP_PASSWORD} (required: set SMTP_PASSWORD in .env) is used without a value; SMTP_PASSWORD became a secret name (set it with slipway secrets)',
        'services.app.environment.STRIPE_KEY: ${STRIPE_API_KEY} is used without a value; STRIPE_KEY became a secret name (set it with slipway secrets)',
      ]),
    );
    expect(r.variables.map((v) => v.name)).toEqual(['TIMEZONE', 'SMTP_PASSWORD', 'STRIPE_API_KEY']);
    // Never a broken reference: the written spec validates as it is.
    const spec = parseSpec(composeSpecText(r, 'docker-compose.yml'), 'slipway.yaml');
    expect(resolveEnvironment(spec, 'default').services.app?.env?.TZ).toBe('');
  });
});

describe('environment names Kubernetes accepts', () => {
  it('dotted names are kept and validate without a kubernetes.version', () => {
    const r = importFixture('dotted-env');
    expect(r.spec.services.search?.env).toMatchObject({
      'discovery.type': 'single-node',
      'xpack.security.enabled': 'false',
    });
    expect(r.spec.services.kibana?.env).toMatchObject({
      ELASTICSEARCH_HOSTS: '${search.url}',
      'server.publicBaseUrl': 'http://localhost:5601',
    });
    expect(r.spec.kubernetes).toBeUndefined();
    parseSpec(composeSpecText(r, 'docker-compose.yml'), 'slipway.yaml');
  });

  it('a name only relaxed validation accepts makes the spec target Kubernetes 1.33', () => {
    const text =
      'services:\n  app:\n    image: ghcr.io/acme/app:1.0.0\n    environment:\n      "JAVA OPTS": -Xmx1g\n';
    const r = importCompose(text, 'compose.yaml', { read: () => undefined }, { name: 'app' });
    expect(r.spec.kubernetes).toEqual({ version: '1.33' });
    const spec = parseSpec(composeSpecText(r, 'compose.yaml'), 'slipway.yaml');
    expect(resolveEnvironment(spec, 'default').services.app?.env).toEqual({ 'JAVA OPTS': '-Xmx1g' });
    expect(() =>
      parseSpec(
        composeSpecText(r, 'compose.yaml').replace('version: "1.33"', 'version: "1.31"'),
        'slipway.yaml',
      ),
    ).toThrow('"JAVA OPTS" is not an environment variable name Kubernetes 1.31 accepts');
  });
});

describe('health, resources, volumes, start order, profiles and extensions', () => {
  const r = importFixture('full-service');
  const { api, exporter, adminer } = r.spec.services;

  it('healthcheck -> readiness, and a liveness twice as patient', () => {
    expect(api?.health?.readiness).toEqual({
      http: '/healthz',
      period: '15s',
      timeout: '2s',
      initialDelay: '20s',
      failureThreshold: 4,
    });
    expect(api?.health?.liveness).toMatchObject({ http: '/healthz', failureThreshold: 8 });
    expect(exporter?.health?.readiness).toEqual({ exec: ['/bin/exporter', 'health'], period: '30s' });
  });

  it('deploy.resources -> resources, named volumes -> sized volumes owned by the user', () => {
    expect(api?.resources).toEqual({
      cpu: '250m',
      memory: '256Mi',
      limits: { cpu: '1500m', memory: '768Mi' },
    });
    expect(api?.replicas).toBe(2);
    expect(api?.volumes?.map((v) => [v.name, v.path, v.size, v.owner?.uid])).toEqual([
      ['receipts', '/var/lib/ledger/receipts', '1Gi', 10001],
      ['tmp-data', '/scratch', '1Gi', 10001],
    ]);
  });

  it('start order, profiles and x- extensions are in the review', () => {
    expect(notes(r)).toEqual(
      expect.arrayContaining([
        'services.api.depends_on: db (service_healthy): dependencies are running and ready before services start, no field needed',
        'services.exporter.depends_on: api (service_healthy): Slipway does not order services; readiness checks hold traffic until api answers',
        'services.adminer.profiles: Compose starts it only with --profile tools; imported like any other service: remove it if the cluster does not need it',
        'x-logging: extension x-logging: Compose ignores it; its YAML anchors are used where referenced',
        'services.api.x-team: extension x-team: Compose ignores it',
      ]),
    );
    expect(adminer?.image).toBe('adminer:4.8.1');
    expect(r.unmapped.map((n) => n.path)).toEqual(['services.api.logging']);
  });
});

describe('known database images', () => {
  it('postgres, mariadb, redis, kafka and chroma become dependencies with their connections wired', () => {
    const r = importFixture('databases');
    expect(r.spec.dependencies).toEqual({
      pg: { type: 'postgres', version: '16', database: 'catalog', storage: '1Gi' },
      legacy: { type: 'mysql', version: '11.4', database: 'orders' },
      cache: { type: 'redis', version: '7.4' },
      broker: { type: 'kafka', version: '3.8.0' },
      vectors: { type: 'chromadb', version: '0.5.20', storage: '1Gi' },
    });
    expect(r.spec.services.app?.env).toEqual({
      DATABASE_URL: '${pg.url}',
      LEGACY_DB_HOST: '${legacy.host}',
      LEGACY_DB_PORT: '${legacy.port}',
      LEGACY_DB_USER: '${legacy.user}',
      LEGACY_DB_PASSWORD: '${legacy.password}',
      LEGACY_DB_NAME: '${legacy.database}',
      REDIS_URL: '${cache.url}',
      KAFKA_BOOTSTRAP_SERVERS: '${broker.bootstrap}',
      CHROMA_URL: '${vectors.url}',
    });
  });
});
