/**
 * Drift benchmark, side by side in the same sandbox run: a 100-service app (one Deployment,
 * Service and env ConfigMap each, and the app's NetworkPolicies) applied by Slipway's field
 * manager and recorded as a deployed release; then, with two fields changed behind Slipway's back,
 * `slipway drift` (checkDrift, in-process, API calls counted at its Cluster interface) against
 * `kubectl diff --server-side --field-manager=slipway --force-conflicts` (the same dry run) over
 * the same manifests (a fresh process each run; its requests
 * counted from its -v=6 log). Both must find the drift: the figures are for the same answer.
 *
 *   npx tsx bench/drift.ts [--services 100] [--runs 3]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { KubeObject } from '@slipway/kube';
import type { Cluster } from '../src/cluster/cluster.js';
import { KubeCluster } from '../src/cluster/kube.js';
import { loadSpec } from '../src/cli/load-spec.js';
import { checkDrift, driftCount } from '../src/drift/check.js';
import { FIELD_MANAGER } from '../src/engine/defaults.js';
import { SecretReleaseStore } from '../src/engine/releases/secrets.js';
import { renderApp } from '../src/render/index.js';
import { manifestsYaml } from '../src/render/manifests.js';
import { resolveEnvironment } from '../src/spec/resolve.js';
import { kubectlPath } from '../test/helpers/kube-tools.js';
import { startSandboxEnv } from '../test/e2e/sandbox-env.js';
import { spawn } from 'node:child_process';
import { loadLine, median, ms } from './measure.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Counts the Cluster calls (each is one API request; an apply of n objects is n requests). */
function counting(cluster: Cluster): { cluster: Cluster; calls: () => number; reset(): void } {
  let n = 0;
  const proxy = new Proxy(cluster, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        n += prop === 'apply' && Array.isArray(args[0]) ? (args[0] as unknown[]).length : 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { cluster: proxy, calls: () => n, reset: () => void (n = 0) };
}

function runProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

async function main(): Promise<void> {
  const services = arg('services', 100);
  const runs = arg('runs', 3);
  console.log(loadLine());
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-drift-'));
  const env = await startSandboxEnv({ runtime: false });
  try {
    const specPath = join(dir, 'slipway.yaml');
    const body = Array.from(
      { length: services },
      (_, i) =>
        `  s${i}:\n    image: sample-service:1.0.0\n    port: 8080\n    env: { INDEX: "${i}" }\n    resources: { cpu: 10m, memory: 32Mi }\n`,
    ).join('');
    writeFileSync(specPath, `app: bench\nservices:\n${body}environments:\n  dev: {}\n`);
    const app = resolveEnvironment(await loadSpec(specPath), 'dev', specPath);
    const objects = renderApp(app).objects as KubeObject[];
    const counted = counting(
      KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig, namespace: app.namespace }),
    );
    const store = new SecretReleaseStore(counted.cluster, app.namespace);
    await counted.cluster.apply(
      [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: app.namespace } }],
      {
        fieldManager: FIELD_MANAGER,
      },
    );
    await counted.cluster.apply(objects, { fieldManager: FIELD_MANAGER });
    const now = new Date().toISOString();
    await store.create({
      app: app.app,
      environment: 'dev',
      revision: 1,
      phase: 'deployed',
      strategy: 'rolling',
      spec: app,
      overrides: [],
      images: {},
      createdAt: now,
      updatedAt: now,
      steps: [],
      inventory: objects.map((o) => ({
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: o.metadata.name ?? '',
        namespace: app.namespace,
      })),
    });
    const manifests = join(dir, 'manifests.yaml');
    writeFileSync(manifests, manifestsYaml(objects as Parameters<typeof manifestsYaml>[0]));
    // Two changes behind Slipway's back, so both tools have something to find.
    const [a, b] = [0, Math.floor(services / 2)];
    await env.kubectl([
      '-n',
      app.namespace,
      'set',
      'image',
      `deployment/bench-s${a}`,
      `s${a}=sample-service:9`,
    ]);
    await env.kubectl(['-n', app.namespace, 'scale', `deployment/bench-s${b}`, '--replicas=5']);

    const slipway: number[] = [];
    let calls = 0;
    let found = 0;
    for (let r = 0; r < runs; r++) {
      counted.reset();
      const t0 = performance.now();
      const report = await checkDrift({ cluster: counted.cluster, store }, app);
      slipway.push(performance.now() - t0);
      calls = counted.calls();
      found = driftCount(report);
    }
    const kubectl: number[] = [];
    let requests = 0;
    let kubectlExit = 0;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      // Asynchronously: the sandbox answers from this process's event loop.
      const run = await runProcess(
        kubectlPath(),
        [
          '--kubeconfig',
          env.kubeconfig,
          '--cache-dir',
          join(dir, 'cache'),
          'diff',
          '--server-side',
          '--field-manager=slipway',
          '--force-conflicts',
          '-f',
          manifests,
          '-v=6',
        ],
        { ...process.env, KUBECONFIG: env.kubeconfig, HOME: dir },
      );
      kubectl.push(performance.now() - t0);
      kubectlExit = run.status ?? -1;
      if (kubectlExit > 1) console.error(run.stderr.split('\n').slice(-8).join('\n'));
      requests = (run.stderr.match(/"Response" verb="/g) ?? []).length;
    }
    console.log(`${objects.length} objects (${services} services), ${runs} runs each, medians:`);
    console.log(
      `slipway drift (in-process)       ${ms(median(slipway))}  ${calls} API calls, ${found} drifted field(s)/object(s)`,
    );
    console.log(
      `kubectl diff --server-side       ${ms(median(kubectl))}  ${requests} API requests (-v=6), exit ${kubectlExit} (1 = differences)`,
    );
  } finally {
    await env.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
