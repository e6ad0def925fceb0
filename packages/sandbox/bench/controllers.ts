/**
 * Controller benchmark, in-process against the sandbox's MemoryStore (no HTTP): N Deployments × R
 * replicas of simulated pods are created, and the time is taken when every ReplicaSet exists,
 * every pod exists, every pod is Ready, and every Deployment reports Available — plus the number
 * of store writes (resourceVersions) the controllers and kubelet needed.
 *
 *   npx tsx packages/sandbox/bench/controllers.ts [--deployments 200] [--replicas 5] [--startup-ms 300]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { getCondition, isPodReady, kinds, status, type Condition } from '../src/controllers/objects.js';
import { mergeSandboxConfig } from '../src/runtime/config.js';
import { startRuntime } from '../src/runtime/index.js';
import { MemoryStore } from '../src/store/memory-store.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const deployments = arg('deployments', 200);
const replicas = arg('replicas', 5);
const startupMs = arg('startup-ms', 300);

const store = new MemoryStore({ gracefulPodDeletion: true });
store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
const dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
const runtime = startRuntime(store, { dataDir, config: mergeSandboxConfig({ simulated: { startupMs } }) });
const k = kinds(store);

const t0 = performance.now();
const rv0 = Number(store.resourceVersion());
for (let i = 0; i < deployments; i++) {
  store.create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `app-${i}`, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: `app-${i}` } },
      template: {
        metadata: { labels: { app: `app-${i}` } },
        spec: {
          containers: [
            {
              name: 'app',
              image: `registry.example/app-${i}:1`,
              readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  });
}
const created = performance.now();

const phases: [string, () => boolean][] = [
  [`${deployments} ReplicaSets exist`, () => store.list(k.replicaSet, 'default').items.length >= deployments],
  [
    `${deployments * replicas} pods exist`,
    () => store.list(k.pod, 'default').items.length >= deployments * replicas,
  ],
  [
    `${deployments * replicas} pods Ready`,
    () => store.list(k.pod, 'default').items.filter(isPodReady).length >= deployments * replicas,
  ],
  [
    `${deployments} Deployments Available`,
    () =>
      store.list(k.deployment, 'default').items.filter((d) => {
        const st = status<{ availableReplicas?: number; conditions?: Condition[] }>(d);
        return (
          st.availableReplicas === replicas && getCondition(st.conditions, 'Available')?.status === 'True'
        );
      }).length === deployments,
  ],
];

const rows: [string, number][] = [['create Deployments (API calls only)', created - t0]];
for (const [name, done] of phases) {
  const deadline = performance.now() + 300_000;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out: ${name}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  rows.push([name, performance.now() - t0]);
}
const writes = Number(store.resourceVersion()) - rv0;
await runtime.stop();
rmSync(dataDir, { recursive: true, force: true });

console.log(
  `sandbox controllers: ${deployments} Deployments × ${replicas} replicas, simulated pods (start-up ${startupMs} ms), Node ${process.version}`,
);
for (const [name, ms] of rows)
  console.log(`  ${name.padEnd(40)} ${(ms / 1000).toFixed(2).padStart(8)} s after start`);
console.log(`  store writes: ${writes} (${(writes / (deployments * replicas)).toFixed(1)} per pod)`);
console.log(`  wall time to all Available: ${((rows.at(-1)?.[1] ?? 0) / 1000).toFixed(2)} s`);
