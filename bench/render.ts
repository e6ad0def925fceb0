/**
 * Render benchmark: a generated spec of 100 services (plus dependencies) with three environments.
 * Times, in one run and side by side:
 *   - Slipway: parse and validate slipway.yaml, resolve each environment, render its objects
 *     (the whole `slipway render --env X` pipeline for all three, in-process);
 *   - Slipway writing the Helm chart from those objects;
 *   - `helm template` of that chart for the same three environments (the real helm v4).
 * Each figure is the median of RUNS runs. Usage: npx tsx bench/render.ts [services] [runs]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { writeHelmChart } from '../src/render/helm/index.js';
import { renderApp } from '../src/render/index.js';
import { parseSpec } from '../src/spec/parse.js';
import { resolveEnvironment } from '../src/spec/resolve.js';
import { findKubeTool } from '../src/tools/kube-binaries.js';

const SERVICES = Number(process.argv[2] ?? 100);
const RUNS = Number(process.argv[3] ?? 7);
const ENVS = ['dev', 'staging', 'production'];

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
      ...(i % 5 === 0 && !scheduled ? { public: { host: `${name}.example.com`, tls: true } } : {}),
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
  try {
    const specFile = join(dir, 'slipway.yaml');
    writeFileSync(specFile, stringify(generatedSpec(SERVICES)));
    const helm = findKubeTool('helm');

    const renderAll = async () => {
      const app = parseSpec(readFileSync(specFile, 'utf8'), specFile);
      return ENVS.map((env) => {
        const resolved = resolveEnvironment(app, env);
        return { environment: env, app: resolved, objects: renderApp(resolved).objects, spec: app };
      });
    };
    const slipway: number[] = [];
    let rendered = await renderAll();
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      rendered = await renderAll();
      slipway.push(performance.now() - start);
    }
    const objects = rendered.reduce((n, r) => n + r.objects.length, 0);
    const input = {
      spec: rendered[0]!.spec,
      environments: rendered.map(({ environment, app, objects }) => ({ environment, app, objects })),
    };
    const chartWrite = Array.from({ length: RUNS }, () => time(() => writeHelmChart(input)));

    const chartDir = join(dir, 'chart');
    for (const [path, content] of writeHelmChart(input).files) {
      mkdirSync(dirname(join(chartDir, path)), { recursive: true });
      writeFileSync(join(chartDir, path), content);
    }
    const helmRun = () =>
      time(() => {
        for (const r of rendered) {
          execFileSync(
            helm,
            [
              'template',
              'bench',
              chartDir,
              '-f',
              join(chartDir, `values-${r.environment}.yaml`),
              '--namespace',
              r.app.namespace,
            ],
            { maxBuffer: 512 << 20 },
          );
        }
      });
    helmRun(); // warm the page cache and helm's own start-up files
    const helmTimes = Array.from({ length: RUNS }, helmRun);

    const s = median(slipway);
    const h = median(helmTimes);
    console.log(
      `spec: ${SERVICES} services, 2 dependencies, ${ENVS.length} environments -> ${objects} objects; median of ${RUNS} runs`,
    );
    console.log(`slipway render (parse + resolve + render, 3 envs)   ${s.toFixed(1).padStart(9)} ms`);
    console.log(
      `slipway helm chart writer (from those objects)       ${median(chartWrite).toFixed(1).padStart(9)} ms`,
    );
    console.log(`helm template of that chart (3 envs, real helm v4)   ${h.toFixed(1).padStart(9)} ms`);
    console.log(`ratio helm template / slipway render                 ${(h / s).toFixed(1).padStart(9)} x`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
