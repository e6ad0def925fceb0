/**
 * Effective specs for three environments, written by hand as ResolvedApp (what the spec loader
 * produces), so the writers are judged against the real renderApp on every kind of object it
 * emits: Deployments, a StatefulSet with a SQLite volume, a CronJob, a migration Job, an HPA only
 * in production, Ingress, PDBs, NetworkPolicies, and all five in-cluster dependency types.
 */
import type { ResolvedApp } from '../../src/spec/resolved.js';
import type { App, Service } from '../../src/spec/schema.js';

export const RESOLVED_ENVS = ['dev', 'staging', 'production'] as const;

export const resolvedSpec = { app: 'shop', version: '2.4.1', description: 'A shop', services: {} } as App;

export function resolvedApp(env: (typeof RESOLVED_ENVS)[number]): ResolvedApp {
  const prod = env === 'production';
  const api: Service = {
    image: 'ghcr.io/acme/shop-api',
    port: 8080,
    health: { readiness: '/readyz', liveness: '/healthz' },
    env: {
      LOG_LEVEL: prod ? 'warn' : 'debug',
      DATABASE_URL: '${db.url}',
      CACHE_URL: '${cache.url}',
      FEATURE: 'on',
      ...(prod ? { SENTRY: 'yes' } : {}),
    },
    secrets: ['STRIPE_KEY'],
    resources: { cpu: prod ? '500m' : '100m', memory: '256Mi' },
    replicas: { dev: 1, staging: 2, production: 3 }[env],
    ...(prod ? { autoscale: { min: 3, max: 10, cpu: 70 } } : {}),
    public: { host: prod ? 'shop.example.com' : `${env}.shop.example.com`, tls: true },
    migrations: { command: ['npm', 'run', 'migrate'] },
    config: [{ path: '/etc/shop/app.yaml', content: `mode: ${env}\nlisten: "{{ not a template }}"\n` }],
  };
  const bot: Service = {
    image: 'ghcr.io/acme/shop-bot',
    command: ['/bot'],
    env: { DB_PATH: '${notes.path}', EVENTS: '${events.bootstrap}', VECTORS: '${vectors.url}' },
    volumes: [{ name: 'data', path: '/data', size: '1Gi', owner: { uid: 10001, gid: 10001 } }],
    resources: { cpu: 0.5, memory: '512Mi', limits: { cpu: 0.5, memory: '512Mi' } },
  };
  const report: Service = {
    image: 'ghcr.io/acme/shop-report',
    schedule: '0 2 * * *',
    command: ['report'],
    env: { API: '${api.url}' },
  };
  return {
    app: 'shop',
    version: '2.4.1',
    environment: env,
    namespace: prod ? 'shop' : `shop-${env}`,
    imagePullSecrets: prod ? ['ghcr-production'] : ['ghcr'],
    approval: prod ? 'required' : 'none',
    services: { api, bot, report },
    dependencies: {
      db: { type: 'postgres', version: '16', storage: prod ? '20Gi' : '1Gi' },
      cache: { type: 'redis' },
      events: { type: 'kafka' },
      vectors: { type: 'chromadb' },
      notes: { type: 'sqlite', service: 'bot', volume: 'data', file: 'notes.db' },
    },
    deploy: {},
    backups: {},
    environments: [...RESOLVED_ENVS],
  } as ResolvedApp;
}
