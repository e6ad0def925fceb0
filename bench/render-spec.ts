/** The generated spec bench/render.ts and bench/sandbox.ts share: N services, two dependencies, three environments. */
/** A spec shaped like a large real app: mixed ports, env references, secrets, volumes, public hosts, a few jobs. */
export function generatedSpec(services: number): Record<string, unknown> {
  const svc: Record<string, unknown> = {};
  for (let i = 0; i < services; i++) {
    const name = `svc-${String(i).padStart(3, '0')}`;
    const scheduled = i % 10 === 9;
    svc[name] = {
      image: `ghcr.io/acme/${name}`,
      ...(scheduled
        ? { schedule: `${i % 60} * * * *`, command: ['run-job'] }
        : { port: 8000 + (i % 50), health: { readiness: '/readyz', liveness: '/healthz' } }),
      env: {
        LOG_LEVEL: 'info',
        DATABASE_URL: '${db.url}',
        ...(i % 3 === 0 ? { CACHE_URL: '${cache.url}' } : {}),
        ...(i > 0 && !scheduled
          ? { UPSTREAM: `\${svc-${String(i % 10 === 0 ? i - 2 : i - 1).padStart(3, '0')}.url}` }
          : {}),
      },
      secrets: i % 4 === 0 ? ['API_TOKEN'] : undefined,
      resources: { cpu: '100m', memory: '128Mi' },
      ...(i % 7 === 0 && !scheduled ? { volumes: [{ name: 'data', path: '/data', size: '1Gi' }] } : {}),
      ...(i % 5 === 0 && !scheduled
        ? { public: { host: `${name}.example.com`, tls: { issuer: 'letsencrypt' } } }
        : {}),
      ...(i % 20 === 0 && !scheduled ? { migrations: { command: ['migrate'] } } : {}),
    };
  }
  const perEnv = (replicas: number, cpu: string) => ({
    replicas,
    services: Object.fromEntries(
      Object.keys(svc)
        .filter((_, i) => i % 2 === 0)
        .map((n) => [n, { resources: { cpu } }]),
    ),
  });
  return {
    app: 'bench',
    version: '1.0.0',
    services: JSON.parse(JSON.stringify(svc)),
    dependencies: { db: { type: 'postgres' }, cache: { type: 'redis' } },
    environments: {
      dev: perEnv(1, '100m'),
      staging: perEnv(2, '200m'),
      production: { ...perEnv(3, '500m'), namespace: 'bench-prod' },
    },
  };
}
