import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  containerPort,
  cpus,
  healthcheck,
  imageVersion,
  memory,
  parseEnvFile,
  splitCommand,
} from './compose-fields.js';
import { importCompose } from './compose-import.js';
import { composeSpecText } from './init-template.js';
import { parseSpec, resolveEnvironment } from './index.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

function importFile(rel: string) {
  const path = join(ROOT, rel);
  const reader = {
    read: (p: string) => {
      try {
        return readFileSync(resolve(dirname(path), p), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
  return importCompose(readFileSync(path, 'utf8'), rel, reader, { fallbackName: 'fallback' });
}

describe('importCompose: the discord-bot compose file', () => {
  const result = importFile('examples/discord-bot/docker-compose.yml');
  const bot = result.spec.services.bot;

  it('maps image, build, port, limits, user and the named volume', () => {
    expect(bot?.image).toBe('ghcr.io/bmad-code-org/bmad-discord-bot');
    expect(bot?.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(bot?.port).toBe(8080);
    expect(bot?.resources).toEqual({
      cpu: '250m',
      memory: '256Mi',
      limits: { cpu: '500m', memory: '512Mi' },
    });
    expect(bot?.security).toEqual({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
    expect(bot?.volumes).toEqual([
      { name: 'bot-data', path: '/app/data', size: '1Gi', owner: { uid: 1000, gid: 1000 } },
    ]);
  });

  it('reads env_file, keeps credentials out as secret names, turns wget into an HTTP check', () => {
    expect(bot?.env).toMatchObject({ BOT_LOG_LEVEL: 'info', BOT_RATE_LIMIT_PER_MINUTE: '60' });
    expect(bot?.secrets).toEqual(['BOT_TOKEN', 'GEMINI_API_KEY']);
    expect(JSON.stringify(result.spec)).not.toContain('replace-me');
    expect(bot?.health?.readiness).toEqual({
      http: '/health/live',
      period: '30s',
      timeout: '5s',
      initialDelay: '10s',
      failureThreshold: 3,
    });
    // Compose only marks the container unhealthy; liveness restarts it, so it waits twice as long.
    expect(bot?.health?.liveness).toMatchObject({ http: '/health/live', failureThreshold: 6 });
  });

  it('lists every field it could not map, with its position', () => {
    expect(result.unmapped.map((n) => `${n.where} ${n.path}`)).toEqual([
      'examples/discord-bot/docker-compose.yml:9:5 services.bot.container_name',
      'examples/discord-bot/docker-compose.yml:10:5 services.bot.restart',
      'examples/discord-bot/docker-compose.yml:36:5 services.bot.logging',
    ]);
  });

  it('writes a spec that validates and carries the schema line', () => {
    const text = composeSpecText(result, 'docker-compose.yml');
    expect(text.split('\n')[0]).toMatch(
      /^# yaml-language-server: \$schema=https:\/\/.*slipway\.schema\.json$/,
    );
    expect(text).not.toMatch(/[&*]a\d/); // no YAML aliases
    const app = parseSpec(text, 'slipway.yaml');
    expect(resolveEnvironment(app, 'default').services.bot?.port).toBe(8080);
  });
});

describe('importCompose: postgres + redis', () => {
  const result = importFile('test/fixtures/compose/postgres-redis/docker-compose.yml');

  it('turns the database and cache images into dependencies', () => {
    expect(result.spec.app).toBe('tasks');
    expect(result.spec.dependencies).toEqual({
      db: { type: 'postgres', version: '16.4', database: 'tasks', storage: '1Gi' },
      cache: { type: 'redis', version: '7' },
    });
    expect(Object.keys(result.spec.services)).toEqual(['web', 'worker']);
  });

  it('rewrites env values that pointed at them into references', () => {
    expect(result.spec.services.web?.env).toMatchObject({
      DATABASE_URL: '${db.url}',
      REDIS_URL: '${cache.url}',
      LOG_LEVEL: 'debug',
      FEATURE_FLAGS: 'search,export',
    });
    expect(result.spec.services.worker?.env).toEqual({
      DB_HOST: '${db.host}',
      DB_PORT: '${db.port}',
      DB_USER: '${db.user}',
      DB_PASSWORD: '${db.password}',
      DB_NAME: '${db.database}',
      REDIS_HOST: '${cache.host}',
      API_URL: '${web.url}/internal',
    });
    expect(result.spec.services.web?.secrets).toEqual(['SESSION_SECRET', 'SENTRY_DSN']);
  });

  it('maps command to args, exec and CMD-SHELL curl checks, replicas and limits-only resources', () => {
    const { web, worker } = result.spec.services;
    expect(worker?.args).toEqual(['node', 'dist/worker.js', '--queue', 'default jobs']);
    expect(worker?.health?.readiness).toEqual({ exec: ['node', 'dist/healthcheck.js'], period: '30s' });
    expect(web?.health?.readiness).toEqual({
      http: '/healthz',
      period: '10s',
      timeout: '3s',
      failureThreshold: 5,
    });
    expect(web?.replicas).toBe(2);
    expect(web?.resources).toEqual({ cpu: '1000m', memory: '1Gi', limits: { cpu: '1000m', memory: '1Gi' } });
  });

  it('reports the bind mount, build args, restart and networks instead of dropping them', () => {
    expect(result.unmapped.map((n) => n.path).sort()).toEqual([
      'networks',
      'services.web.build.args',
      'services.web.restart',
      'services.worker.volumes[0]',
    ]);
    expect(
      result.notes.some(
        (n) =>
          n.path === 'services.worker.depends_on' &&
          n.message.startsWith('web: Slipway does not order services'),
      ),
    ).toBe(true);
  });

  it('produces a valid spec whose references all check', () => {
    const app = parseSpec(composeSpecText(result, 'docker-compose.yml'), 'slipway.yaml');
    expect(resolveEnvironment(app, 'default').dependencies.db?.type).toBe('postgres');
  });
});

describe('compose field translations', () => {
  it.each([
    ['8080', 8080],
    ['80:8080', 8080],
    ['127.0.0.1:80:8080/tcp', 8080],
    [3000, 3000],
  ] as const)('port %s -> %s', (entry, port) => expect(containerPort(entry)?.port).toBe(port));

  it('ranges, udp and long syntax', () => {
    expect(containerPort('8000-8010:8000-8010')).toBeUndefined();
    expect(containerPort('53:53/udp')).toEqual({ port: 53, protocol: 'UDP' });
    expect(containerPort({ target: 80, published: 8080 })).toEqual({ port: 80 });
  });

  it('sizes, cpus, versions, commands and env files', () => {
    expect([memory('512M'), memory('1g'), memory('256mb'), memory('100')]).toEqual([
      '512Mi',
      '1Gi',
      '256Mi',
      '100',
    ]);
    expect([cpus('0.5'), cpus(2), cpus('x')]).toEqual(['500m', '2000m', undefined]);
    expect([
      imageVersion('postgres:16.4-bookworm'),
      imageVersion('redis'),
      imageVersion('redis:latest'),
      imageVersion('bitnami/kafka:3.8.0'),
    ]).toEqual(['16.4', undefined, undefined, '3.8.0']);
    expect(splitCommand(`sh -c 'echo hi' "a b"`)).toEqual(['sh', '-c', 'echo hi', 'a b']);
    expect(parseEnvFile('# c\nA=1\nexport B="two words"\n\nC=\n')).toEqual({ A: '1', B: 'two words', C: '' });
  });

  it('healthchecks: only a plain local curl/wget becomes an HTTP check', () => {
    expect(healthcheck({ test: ['CMD', 'curl', '-f', 'http://localhost:9000/ready'] }, 8080).probe).toEqual({
      http: '/ready',
      port: 9000,
    });
    expect(healthcheck({ test: 'curl -f http://localhost:8080/ || exit 1' }, 8080).probe).toEqual({
      http: '/',
    });
    expect(
      healthcheck({ test: ['CMD-SHELL', 'curl -f http://localhost:8080/ | grep ok'] }, 8080).probe,
    ).toEqual({ exec: ['sh', '-c', 'curl -f http://localhost:8080/ | grep ok'] });
    expect(healthcheck({ test: ['NONE'] }, 8080).problem).toMatch(/NONE/);
  });
});

describe('importCompose: mysql, kafka and chromadb', () => {
  const text = `services:
  app:
    image: ghcr.io/acme/app:2.1.0
    ports: ["8000"]
    environment:
      MYSQL_URL: mysql://root:pw@sql:3306/shop
      KAFKA_BOOTSTRAP_SERVERS: broker:9092
      CHROMA_HOST: vectors
      CHROMA_PORT: "8000"
      GREETING: hello
    secrets: [db_password]
  sql:
    image: mariadb:11.4
    environment: { MARIADB_DATABASE: shop }
  broker:
    image: bitnami/kafka:3.8.0
  vectors:
    image: chromadb/chroma:0.5.20
secrets:
  db_password:
    file: ./pw.txt
`;
  const result = importCompose(text, 'compose.yaml', { read: () => undefined }, { name: 'shop' });

  it('recognises the images and rewrites the env that named them', () => {
    expect(result.spec.dependencies).toEqual({
      sql: { type: 'mysql', version: '11.4', database: 'shop' },
      broker: { type: 'kafka', version: '3.8.0' },
      vectors: { type: 'chromadb', version: '0.5.20' },
    });
    expect(result.spec.services.app?.env).toEqual({
      MYSQL_URL: '${sql.url}',
      KAFKA_BOOTSTRAP_SERVERS: '${broker.bootstrap}',
      CHROMA_HOST: '${vectors.host}',
      CHROMA_PORT: '${vectors.port}',
      GREETING: 'hello',
    });
    expect(result.spec.services.app?.image).toBe('ghcr.io/acme/app:2.1.0');
  });

  it('reports Compose secrets at both levels', () => {
    expect(result.unmapped.map((n) => `${n.where} ${n.path}`)).toEqual([
      'compose.yaml:19:1 secrets',
      'compose.yaml:11:5 services.app.secrets',
    ]);
  });

  it('the result validates', () => {
    const app = parseSpec(composeSpecText(result, 'compose.yaml'), 'slipway.yaml');
    expect(Object.keys(resolveEnvironment(app, 'default').dependencies)).toEqual([
      'sql',
      'broker',
      'vectors',
    ]);
  });
});
