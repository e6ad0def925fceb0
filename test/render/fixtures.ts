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
        env: { LOG_LEVEL: 'info', DATABASE_URL: '${db.url}', CACHE: 'redis://:${cache.password}@${cache.host}:${cache.port}/0', EVENTS: '${events.bootstrap}' },
        secrets: ['STRIPE_KEY'],
        resources: { cpu: '500m', memory: '512Mi' },
        replicas: 3,
        autoscale: { min: 3, max: 10, cpu: 70 },
        public: { host: 'shop.example.com', tls: true },
        migrations: { command: ['npm', 'run', 'migrate'] },
      },
      worker: { image: 'ghcr.io/acme/shop-worker', command: ['node', 'worker.js'], env: { API: '${api.url}' }, replicas: 2 },
      nightly: { image: 'ghcr.io/acme/shop-api', command: ['node', 'report.js'], schedule: '0 2 * * *' },
    },
    dependencies: {
      db: { type: 'postgres', version: '16', storage: '10Gi' },
      cache: { type: 'redis' },
      events: { type: 'kafka' },
    },
  });
}
