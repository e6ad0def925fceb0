import type { ResolvedApp } from '../../src/spec/resolved.js';

/** A ResolvedApp built by hand, for unit tests that must not depend on the spec loader. */
export function resolved(partial: Partial<ResolvedApp> & Pick<ResolvedApp, 'services'>): ResolvedApp {
  return {
    app: 'shop',
    environment: 'dev',
    namespace: 'shop',
    approval: 'none',
    dependencies: {},
    deploy: {},
    backups: {},
    environments: ['dev'],
    version: '1.0.0',
    ...partial,
  };
}

/** The design document's sketch, resolved for production. */
export function shop(): ResolvedApp {
  return resolved({
    environment: 'production',
    services: {
      api: {
        image: 'ghcr.io/acme/shop-api',
        port: 8080,
        health: { readiness: '/readyz', liveness: '/healthz' },
        env: {
          LOG_LEVEL: 'info',
          DATABASE_URL: '${db.url}',
          CACHE: 'redis://:${cache.password}@${cache.host}:${cache.port}/0',
          EVENTS: '${events.bootstrap}',
        },
        secrets: ['STRIPE_KEY'],
        resources: { cpu: '500m', memory: '512Mi' },
        replicas: 3,
        autoscale: { min: 3, max: 10, cpu: 70 },
        public: { host: 'shop.example.com', tls: true },
        migrations: { command: ['npm', 'run', 'migrate'] },
      },
      worker: {
        image: 'ghcr.io/acme/shop-worker',
        command: ['node', 'worker.js'],
        env: { API: '${api.url}' },
        replicas: 2,
      },
      nightly: { image: 'ghcr.io/acme/shop-api', command: ['node', 'report.js'], schedule: '0 2 * * *' },
    },
    dependencies: {
      db: { type: 'postgres', version: '16', storage: '10Gi' },
      cache: { type: 'redis' },
      events: { type: 'kafka' },
    },
  });
}

/** The discord-bot shape: a Go bot with SQLite on a volume, a health port, no public traffic. */
export function discordBot(): ResolvedApp {
  return resolved({
    app: 'discord-bot',
    namespace: 'bots',
    version: '2.1.0',
    services: {
      bot: {
        image: 'ghcr.io/acme/discord-bot',
        port: 8080,
        health: { readiness: '/ready', liveness: { http: '/health', period: '30s', timeout: '10s' } },
        env: { DATABASE_PATH: '${db.path}', LOG_LEVEL: 'info' },
        secrets: ['DISCORD_TOKEN', 'ANTHROPIC_API_KEY'],
        resources: { cpu: 0.5, memory: '512Mi' },
        volumes: [{ name: 'data', path: '/app/data', size: '1Gi', owner: { uid: 1000, gid: 1000 } }],
        config: [{ path: '/app/config/bot.yaml', content: 'prefix: "!"\n' }],
      },
    },
    dependencies: { db: { type: 'sqlite', service: 'bot', volume: 'data', file: 'bot.db' } },
  });
}

/** The agentic-RAG shape: an API and a web front, postgres, chromadb, redis, gateway routing, an external LLM key. */
export function agenticRag(): ResolvedApp {
  return resolved({
    app: 'rag',
    environment: 'staging',
    namespace: 'rag-staging',
    kubernetes: { ingress: 'gateway', gateway: { name: 'public', namespace: 'gateways' } },
    services: {
      api: {
        image: 'ghcr.io/acme/rag-api:3.2.1',
        port: 8000,
        health: {
          readiness: '/health/ready',
          liveness: '/health/live',
          startup: { http: '/health/live', failureThreshold: 30 },
        },
        env: {
          DATABASE_URL: '${db.url}',
          CHROMA_URL: '${vectors.url}',
          REDIS_URL: '${cache.url}',
          LLM_URL: '${llm.url}',
          PG: 'host=${db.host} user=${db.user} password=${db.password}',
        },
        replicas: 2,
        resources: { cpu: '250m', memory: '512Mi', limits: { cpu: '500m', memory: '1Gi' } },
        public: { host: 'rag.example.com', path: '/api' },
        migrations: { command: ['alembic', 'upgrade', 'head'], timeout: '10m' },
        placement: { spread: 'required', nodeSelector: { pool: 'general' } },
      },
      web: {
        image: 'ghcr.io/acme/rag-web:3.2.1',
        ports: [
          { name: 'http', port: 3000 },
          { name: 'metrics', port: 9100 },
        ],
        env: { API_URL: '${api.url}' },
        replicas: 2,
        public: { host: 'rag.example.com' },
      },
    },
    dependencies: {
      db: { type: 'postgres', version: '16', storage: '20Gi', database: 'rag' },
      vectors: { type: 'chromadb', storage: '10Gi' },
      cache: { type: 'redis' },
      llm: { type: 'postgres', external: { secret: 'llm-gateway' } },
    },
  });
}

/** Every hand-made fixture, for checks that must hold for all of them. */
export const FIXTURES: Record<string, () => ResolvedApp> = { shop, discordBot, agenticRag };
