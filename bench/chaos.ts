/**
 * Issue 25, part 3: a deployer that dies. `slipway deploy` of examples/sample-service is killed with
 * SIGKILL at a random (seeded) point, RUNS times (default 50), into a sandbox with its runtime,
 * under a paced load of about 100 requests/s through the Service's proxy port. Each run: a seeded
 * strategy (rolling, blue-green, canary) and a seeded point among those a deploy of that strategy
 * passes (found by one plain deploy of each first), the deployer (the built CLI, its own process)
 * kills itself there (SLIPWAY_TEST_KILL_AT), then a seeded next command, `deploy` of the same
 * version or `rollback`, runs in-process. A run converged when that command exits 0 and then
 * exactly one release is deployed, none is pending, exactly one Deployment of the app has replicas,
 * running the deployed release's image, and the Service answers with that version. Time to
 * converge: from the killed process's exit to that state.
 *
 * Prints runs converged / total, the requests sent and failed, and the time to converge (median,
 * max), then a line per run. Run: npm run bench:chaos [-- --runs N --seed S] (after npm run build).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse, stringify } from 'yaml';
import { memoryIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { versionOf } from '../src/cli/demo/probe.js';
import { servicePort } from '../src/cli/demo/sandbox.js';
import { KubeCluster } from '../src/cluster/kube.js';
import { SecretReleaseStore } from '../src/engine/releases/secrets.js';
import { startSandboxEnv, type SandboxEnv } from '../test/e2e/sandbox-env.js';
import { builtCli, slipwayBin } from '../test/helpers/built-cli.js';
import { loadLine } from './measure.js';

const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const RUNS = Number(arg('--runs') ?? 50);
const SEED = Number(arg('--seed') ?? 2025);
const RATE = 100;
const STRATEGIES = ['rolling', 'blue-green', 'canary'] as const;
type Strategy = (typeof STRATEGIES)[number];

/** mulberry32: a tiny seeded PRNG, so a run can be replayed with --seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** About RATE GET / a second through the Service, each on its own; counts answers that are not 200. */
function pacedLoad(port: () => number) {
  const stats = { sent: 0, failed: 0, errors: new Map<string, number>() };
  const inFlight = new Set<Promise<void>>();
  const fail = (why: string) => {
    stats.failed++;
    stats.errors.set(why, (stats.errors.get(why) ?? 0) + 1);
  };
  const timer = setInterval(() => {
    stats.sent++;
    const p = fetch(`http://127.0.0.1:${port()}/`, { signal: AbortSignal.timeout(10_000) })
      .then(async (res) => {
        await res.text();
        if (res.status !== 200) fail(`HTTP ${res.status}`);
      })
      .catch((err: unknown) =>
        fail((err as Error).cause ? String((err as Error).cause) : (err as Error).message),
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, 1000 / RATE);
  return {
    stats,
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      return stats;
    },
  };
}

async function slipway(env: SandboxEnv, args: string[]) {
  const io = memoryIo({ env: { KUBECONFIG: env.kubeconfig } });
  const code = await main(['node', 'slipway', ...args], io.io);
  return { code, out: `${io.stdout()}${io.stderr()}` };
}

/** The built CLI as its own process (killing itself at `point` when given); its step events and how it ended. */
function spawnDeploy(env: SandboxEnv, args: string[], point?: string) {
  const child = spawn(process.execPath, [slipwayBin, ...args, '--output', 'json'], {
    env: { ...process.env, KUBECONFIG: env.kubeconfig, ...(point ? { SLIPWAY_TEST_KILL_AT: point } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  return new Promise<{ signal: NodeJS.Signals | null; code: number | null; steps: string[] }>((resolve) =>
    child.on('exit', (code, signal) =>
      resolve({
        code,
        signal,
        steps: out
          .split('\n')
          .filter((l) => l.includes('"type":"step"'))
          .map((l) => JSON.parse(l) as { step: string; status: string })
          .filter((e) => e.status === 'started' || e.status === 'ok')
          .map((e) => `${e.step}:${e.status}`),
      }),
    ),
  );
}

async function runBench(): Promise<void> {
  if (!builtCli('bench/chaos.ts')) process.exit(2);
  console.log(loadLine());
  const env = await startSandboxEnv({ runtime: true });
  const dir = mkdtempSync(join(tmpdir(), 'slipway-chaos-'));
  const spec = join(dir, 'slipway.yaml');
  const doc = parse(readFileSync('examples/sample-service/slipway.yaml', 'utf8')) as Record<string, unknown>;
  doc.deploy = { strategy: 'rolling', timeout: '2m', scaleDownDelay: '2s' };
  writeFileSync(spec, stringify(doc));
  // Canary steps are refused beside another strategy: the canary deploys read their own copy.
  const canarySpec = join(dir, 'canary.yaml');
  // The same scale-down delay: a rollback to a canary release while blue-green serves is blue-green.
  doc.deploy = {
    strategy: 'canary',
    timeout: '2m',
    scaleDownDelay: '2s',
    canary: { steps: [{ weight: 50 }, { pause: '1s' }] },
  };
  writeFileSync(canarySpec, stringify(doc));
  const cluster = KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig, namespace: 'sample' });
  const store = new SecretReleaseStore(cluster, 'sample');
  const deployArgs = (version: string, strategy: Strategy) => [
    'deploy',
    '-f',
    strategy === 'canary' ? canarySpec : spec,
    '--env',
    'dev',
    '--skip-analysis',
    '--strategy',
    strategy,
    '--set-image',
    `web=sample-service:${version}`,
  ];

  try {
    const first = await slipway(env, deployArgs('1.0.0', 'rolling'));
    if (first.code !== 0) throw new Error(`first deploy failed: ${first.out}`);
    // The points each strategy passes: its step events, plus the points between them that emit none.
    const points = new Map<Strategy, string[]>();
    let version = 1;
    // The reference for the time to converge: the same deploys, nobody killed.
    const plainMs: string[] = [];
    for (const strategy of STRATEGIES) {
      const started = performance.now();
      const plain = await spawnDeploy(env, deployArgs(`1.${version++}.0`, strategy));
      plainMs.push(`${strategy} ${((performance.now() - started) / 1000).toFixed(1)} s`);
      if (plain.code !== 0) throw new Error(`a plain ${strategy} deploy exited ${plain.code}`);
      const lock = plain.steps.indexOf('lock:ok');
      // Before the lock nothing is written: those points are left out.
      points.set(strategy, [
        ...new Set([
          ...plain.steps.slice(lock),
          'roll-out:applied',
          'recorded:deployed',
          'recorded:superseded',
        ]),
      ]);
    }
    const port = () => servicePort(env.sandbox, 'sample', 'sample-web')!;
    const load = pacedLoad(port);
    const random = prng(SEED);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const runs: Array<{ line: string; converged: boolean; killed: boolean; ms?: number }> = [];
    for (let run = 1; run <= RUNS; run++) {
      const strategy = pick(STRATEGIES);
      const point = pick(points.get(strategy)!);
      const next = random() < 0.7 ? 'deploy' : 'rollback';
      const tag = `2.${run}.0`;
      const killed = await spawnDeploy(env, deployArgs(tag, strategy), point);
      const t0 = performance.now();
      const label = `run ${run}: ${strategy} killed at ${point} (${killed.signal ?? `exit ${killed.code}`}), then ${next}`;
      const after =
        next === 'deploy'
          ? await slipway(env, deployArgs(tag, strategy))
          : await slipway(env, ['rollback', '-f', spec, '--env', 'dev']);
      const problems: string[] = [];
      if (after.code !== 0)
        problems.push(`${next} exited ${after.code}: ${after.out.trim().split('\n').at(-1)}`);
      const releases = await store.list('sample', 'dev');
      const deployed = releases.filter((r) => r.phase === 'deployed');
      if (deployed.length !== 1) problems.push(`${deployed.length} releases deployed`);
      if (releases.some((r) => r.phase === 'pending')) problems.push('a release still pending');
      const want = deployed[0]?.images.web?.split(':')[1];
      const { items } = await cluster.list<
        {
          metadata: { name?: string };
          spec?: { replicas?: number; template: { spec: { containers: Array<{ image: string }> } } };
        } & { apiVersion: string; kind: string }
      >(
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'sample' },
        { labelSelector: { 'app.kubernetes.io/instance': 'sample' } },
      );
      const running = items.filter((d) => (d.spec?.replicas ?? 1) > 0);
      if (running.length !== 1) problems.push(`running: ${running.map((d) => d.metadata.name).join(', ')}`);
      else if (running[0]!.spec?.template.spec.containers[0]?.image !== `sample-service:${want}`)
        problems.push(
          `${running[0]!.metadata.name} runs ${running[0]!.spec?.template.spec.containers[0]?.image}`,
        );
      const served = await versionOf(port()).catch((e: Error) => e.message);
      if (served !== want) problems.push(`the Service answers ${served}, the release is ${want}`);
      const ms = performance.now() - t0;
      const converged = problems.length === 0;
      runs.push({
        converged,
        killed: killed.signal === 'SIGKILL',
        ms: converged ? ms : undefined,
        line: `${label}: ${converged ? `converged in ${(ms / 1000).toFixed(1)} s (${want})` : problems.join('; ')}`,
      });
      process.stderr.write(`${runs.at(-1)!.line}\n`);
    }
    const stats = await load.stop();
    const times = runs.flatMap((r) => (r.ms === undefined ? [] : [r.ms]));
    console.log(`seed ${SEED}, ${RUNS} runs, load ~${RATE} requests/s through Service sample/sample-web`);
    console.log(`runs converged: ${runs.filter((r) => r.converged).length}/${RUNS}`);
    // A point the strategy passes in some deploys (a clean-up with nothing to delete is skipped) may not be reached.
    const finished = runs.filter((r) => !r.killed).length;
    console.log(
      `deployers killed: ${RUNS - finished}/${RUNS}${finished ? ` (${finished} finished before reaching their point)` : ''}`,
    );
    console.log(
      `requests: ${stats.sent} sent, ${stats.failed} failed${stats.failed ? ` (${[...stats.errors].map(([k, v]) => `${v}× ${k}`).join(', ')})` : ''}`,
    );
    console.log(
      `time to converge: median ${(median(times) / 1000).toFixed(1)} s, max ${(Math.max(...times) / 1000).toFixed(1)} s`,
    );
    console.log(`a whole deploy that nobody killed (the built CLI, before the runs): ${plainMs.join(', ')}`);
    const covered = new Set(runs.map((r) => r.line.split(' killed at ')[1]!.split(' (')[0]));
    console.log(`points hit: ${covered.size} distinct (${[...covered].sort().join(', ')})`);
    for (const r of runs) console.log(r.line);
  } finally {
    await env.stop();
  }
}

await runBench();
