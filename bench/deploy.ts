/**
 * Deploy benchmark, side by side on the sandbox (each tool in its own fresh sandbox, real
 * sample-service processes): the same version change made by Slipway (rolling) and by
 * `helm upgrade --install --wait` of the chart Slipway renders, and the way back (`slipway rollback
 * --to 1` versus `helm rollback 1 --wait`). For each it prints the wall time, the time the new pods
 * took from the first one's creation to the last one Ready (watched in-process on the sandbox store,
 * millisecond clock), and the difference: what the tool itself adds. Slipway also reports the API
 * calls it made (counted at its Cluster interface; helm's are not counted), in all and per service.
 *
 * `--services N` deploys a generated app of N copies of the sample service (1 replica each, all
 * rolling out at once) instead of the sample-service example (2 replicas); `--runs R` repeats each
 * tool R times (a fresh sandbox each) and prints medians.
 *
 *   npx tsx bench/deploy.ts [--services 50] [--runs 5]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { memoryIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import type { Cluster } from '../src/cluster/cluster.js';
import { KubeCluster } from '../src/cluster/kube.js';
import { systemClock } from '../src/engine/clock.js';
import { deploy } from '../src/engine/deploy.js';
import { applyOverrides } from '../src/engine/overrides.js';
import { SecretReleaseStore } from '../src/engine/releases/secrets.js';
import { rollback } from '../src/engine/rollback.js';
import { isPodReady, kinds } from '@slipway/sandbox';
import { loadSpec } from '../src/cli/load-spec.js';
import { resolveEnvironment } from '../src/spec/resolve.js';
import { stringify } from 'yaml';
import { helm } from '../test/helpers/kube-tools.js';
import { startSandboxEnv, type SandboxEnv } from '../test/e2e/sandbox-env.js';
import { helmUpgradeArgs } from './measure.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const SERVICES = arg('services', 0);
const RUNS = arg('runs', 1);

/** N copies of the sample service, one replica each, in one app; or the sample-service example. */
function benchSpec(): { file: string; services: string[]; cleanup(): void } {
  if (SERVICES <= 0)
    return { file: 'examples/sample-service/slipway.yaml', services: ['web'], cleanup: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-deploy-'));
  const services = Array.from({ length: SERVICES }, (_, i) => `web-${String(i).padStart(3, '0')}`);
  const service = {
    image: 'sample-service:1.0.0',
    port: 8080,
    health: {
      readiness: { http: '/readyz', period: '1s', failureThreshold: 2 },
      liveness: { http: '/healthz', period: '5s' },
    },
    env: { VERSION: '1.0.0' },
    resources: { cpu: '10m', memory: '32Mi' },
  };
  const file = join(dir, 'slipway.yaml');
  writeFileSync(
    file,
    stringify({
      app: 'sample',
      version: '1.0.0',
      services: Object.fromEntries(services.map((n) => [n, service])),
      deploy: { strategy: 'rolling', timeout: '5m' },
      environments: { dev: { replicas: 1 } },
    }),
  );
  return { file, services, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
const BENCH = benchSpec();
const SPEC = BENCH.file;
const images = (tag: string) => BENCH.services.map((n) => `${n}=sample-service:${tag}`);

/** Times when pods were first seen and became Ready (performance.now()); readiness spans the pods of one image created since a moment. */
function watchPods(env: SandboxEnv): { readiness(image: string, since: number): number; stop(): void } {
  const seen = new Map<string, { image: string; created: number; ready?: number }>();
  const stop = env.sandbox.store.watch(kinds(env.sandbox.store).pod, 'sample', {}, (e) => {
    const name = e.object.metadata.name ?? '';
    const image =
      ((e.object.spec as { containers?: Array<{ image?: string }> }).containers ?? [])[0]?.image ?? '';
    const entry = seen.get(name) ?? { image, created: performance.now() };
    if (entry.ready === undefined && isPodReady(e.object)) entry.ready = performance.now();
    seen.set(name, entry);
  });
  return {
    readiness(image, since) {
      const pods = [...seen.values()].filter((p) => p.image === image && p.created >= since);
      if (pods.length === 0 || pods.some((p) => p.ready === undefined)) return NaN;
      return Math.max(...pods.map((p) => p.ready!)) - Math.min(...pods.map((p) => p.created));
    },
    stop,
  };
}

/** Counts the Cluster calls the engine makes (each is at least one API request; a watch is a list and a watch). */
function counting(cluster: Cluster): { cluster: Cluster; calls: () => number; reset(): void } {
  let n = 0;
  const proxy = new Proxy(cluster, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        n +=
          prop === 'apply' && Array.isArray(args[0])
            ? (args[0] as unknown[]).length
            : prop === 'watch'
              ? 2
              : 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { cluster: proxy, calls: () => n, reset: () => void (n = 0) };
}

async function slipwayRun(): Promise<Record<string, number>> {
  const env = await startSandboxEnv({ runtime: true });
  const pods = watchPods(env);
  try {
    const resolved = resolveEnvironment(await loadSpec(SPEC), 'dev', SPEC);
    const counted = counting(KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig, namespace: 'sample' }));
    const ctx = {
      cluster: counted.cluster,
      store: new SecretReleaseStore(counted.cluster, 'sample'),
      clock: systemClock,
      holder: 'bench',
      emit: () => undefined,
    };
    const release = async (tag: string) => {
      const { app, overrides } = applyOverrides(resolved, [], images(tag));
      const r = await deploy(ctx, { app, overrides, strategy: 'rolling', skipAnalysis: true });
      if (r.exitCode !== 0) throw new Error(`slipway deploy ${tag}: ${r.outcome} ${r.message}`);
    };
    await release('1.0.0');
    counted.reset();
    let t0 = performance.now();
    await release('2.0.0');
    const upgrade = performance.now() - t0;
    const upgradeCalls = counted.calls();
    const upgradeReady = pods.readiness('sample-service:2.0.0', t0);
    counted.reset();
    t0 = performance.now();
    const back = await rollback(ctx, { app: 'sample', environment: 'dev', to: 1 });
    if (back.exitCode !== 0) throw new Error(`slipway rollback: ${back.message}`);
    const rollbackMs = performance.now() - t0;
    return {
      upgrade,
      upgradeReady,
      upgradeCalls,
      rollback: rollbackMs,
      rollbackReady: pods.readiness('sample-service:1.0.0', t0),
      rollbackCalls: counted.calls(),
    };
  } finally {
    pods.stop();
    await env.stop();
  }
}

async function helmRun(): Promise<Record<string, number>> {
  const env = await startSandboxEnv({ runtime: true });
  const pods = watchPods(env);
  const chart = mkdtempSync(join(tmpdir(), 'slipway-bench-chart-'));
  try {
    const io = memoryIo();
    if (
      (await main(['node', 'slipway', 'render', '-f', SPEC, '--format', 'helm', '--out', chart], io.io)) !== 0
    )
      throw new Error(`render: ${io.stderr()}`);
    const home = {
      KUBECONFIG: env.kubeconfig,
      HELM_CACHE_HOME: join(env.dir, 'hc'),
      HELM_CONFIG_HOME: join(env.dir, 'hf'),
      HELM_DATA_HOME: join(env.dir, 'hd'),
    };
    const upgrade = (tag: string) =>
      helm(
        helmUpgradeArgs(
          chart,
          'sample',
          'sample',
          BENCH.services.map((n) => [`sample-${n}`, n] as const),
          tag,
        ),
        { env: home },
      );
    await upgrade('1.0.0');
    let t0 = performance.now();
    await upgrade('2.0.0');
    const upgradeMs = performance.now() - t0;
    const upgradeReady = pods.readiness('sample-service:2.0.0', t0);
    t0 = performance.now();
    await helm(['rollback', 'sample', '1', '--namespace', 'sample', '--wait', '--timeout', '5m'], {
      env: home,
    });
    const rollbackMs = performance.now() - t0;
    return {
      upgrade: upgradeMs,
      upgradeReady,
      rollback: rollbackMs,
      rollbackReady: pods.readiness('sample-service:1.0.0', t0),
    };
  } finally {
    pods.stop();
    rmSync(chart, { recursive: true, force: true });
    await env.stop();
  }
}

const load = loadavg()[0]!.toFixed(1);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const runs: Array<{ s: Record<string, number>; h: Record<string, number> }> = [];
for (let r = 0; r < RUNS; r++) runs.push({ s: await slipwayRun(), h: await helmRun() });
BENCH.cleanup();
const med = (tool: 's' | 'h') =>
  Object.fromEntries(Object.keys(runs[0]![tool]).map((k) => [k, median(runs.map((r) => r[tool][k]!))]));
const s = med('s');
const h = med('h');
const ms = (n: number | undefined) =>
  n === undefined || Number.isNaN(n) ? '   n/a' : `${Math.round(n).toString().padStart(6)}`;
const what = SERVICES > 0 ? `${SERVICES} services × 1 replica (generated)` : 'sample-service, 2 replicas';
console.log(
  `${what}, sandbox with real processes; load average ${load} at start; medians of ${RUNS} run(s); milliseconds`,
);
const n = BENCH.services.length;
console.log('                                wall   pods ready  tool overhead  API calls  per service');
console.log(
  `slipway deploy (rolling)     ${ms(s.upgrade)}       ${ms(s.upgradeReady)}         ${ms(s.upgrade! - s.upgradeReady!)}     ${ms(s.upgradeCalls)}     ${(s.upgradeCalls! / n).toFixed(1).padStart(6)}`,
);
console.log(
  `helm upgrade --wait          ${ms(h.upgrade)}       ${ms(h.upgradeReady)}         ${ms(h.upgrade! - h.upgradeReady!)}        n/a`,
);
console.log(
  `slipway rollback --to 1      ${ms(s.rollback)}       ${ms(s.rollbackReady)}         ${ms(s.rollback! - s.rollbackReady!)}     ${ms(s.rollbackCalls)}     ${(s.rollbackCalls! / n).toFixed(1).padStart(6)}`,
);
console.log(
  `helm rollback 1 --wait       ${ms(h.rollback)}       ${ms(h.rollbackReady)}         ${ms(h.rollback! - h.rollbackReady!)}        n/a`,
);
console.log(
  `ratio slipway ÷ helm: deploy ${(s.upgrade! / h.upgrade!).toFixed(2)}×, rollback ${(s.rollback! / h.rollback!).toFixed(2)}×`,
);
process.exit(0);
