/**
 * How soon a second `slipway deploy` learns that the environment is taken (issue 25: "fails within
 * 2 s with exit 1"). A sandbox (no pod runtime needed) whose deploy Lease is held by this process;
 * then `./bin/slipway deploy --output json` (the built CLI, its own process) is run several times.
 * For each run it prints, side by side: the wall time from spawn to exit, the part before the
 * deploy's first event (node start-up and module loading), and the part from the first event to
 * exit (render, check, the lock step); beside them `./bin/slipway --version`, the start-up floor.
 * The reference is `kubectl get leases` in the same namespace (a whole process, the one read that
 * tells any client the environment is taken); the medians and Slipway ÷ kubectl come last, the
 * machine's load average first.
 *
 *   npm run build && npx tsx bench/lock.ts [runs]
 *
 * SLIPWAY_BIN=/other/checkout/bin/slipway times another build the same way (e.g. the code before
 * issue 25, which refused with exit 3 at the same step).
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { KubeCluster } from '../src/cluster/kube.js';
import { systemClock } from '../src/engine/clock.js';
import { DeployLock, defaultHolderIdentity } from '../src/engine/lock.js';
import { repoRoot, slipwayBin } from '../test/helpers/built-cli.js';
import { startSandboxEnv } from '../test/e2e/sandbox-env.js';
import { loadLine, median, ratio } from './measure.js';

const RUNS = Math.max(5, Number(process.argv[2] ?? 5));
const BIN = process.env.SLIPWAY_BIN ?? slipwayBin;

/** Runs the built CLI; resolves with the exit code, the wall time, and when its first stdout line came. */
function timed(
  args: string[],
  kubeconfig: string,
): Promise<{ code: number | null; totalMs: number; firstOutputMs?: number; stdout: string; stderr: string }> {
  const start = performance.now();
  const child = spawn(BIN, args, {
    cwd: repoRoot,
    env: { ...process.env, KUBECONFIG: kubeconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let firstOutputMs: number | undefined;
  let stderr = '';
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    firstOutputMs ??= performance.now() - start;
    stdout += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve) =>
    child.on('exit', (code) =>
      resolve({ code, totalMs: performance.now() - start, firstOutputMs, stdout, stderr }),
    ),
  );
}

console.log(loadLine());
const env = await startSandboxEnv();
try {
  const cluster = KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig, namespace: 'sample' });
  await cluster.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sample' } }], {
    fieldManager: 'bench',
  });
  const lock = new DeployLock({
    cluster,
    clock: systemClock,
    namespace: 'sample',
    app: 'sample',
    environment: 'dev',
    holder: defaultHolderIdentity(),
    command: 'slipway deploy --env dev (bench/lock.ts)',
  });
  await lock.acquire();
  const rows: string[] = [];
  const refusals: number[] = [];
  const kubectlGets: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const version = await timed(['--version'], env.kubeconfig);
    // The reference: kubectl reading the deploy Leases, the one request that tells a client the
    // environment is taken.
    const k0 = performance.now();
    await env.kubectl(['get', 'leases', '-n', 'sample']);
    kubectlGets.push(performance.now() - k0);
    const r = await timed(
      [
        'deploy',
        '-f',
        'examples/sample-service/slipway.yaml',
        '--env',
        'dev',
        '--skip-analysis',
        '--output',
        'json',
      ],
      env.kubeconfig,
    );
    if (r.code !== 1 && r.code !== 3) throw new Error(`expected a refusal, got exit ${r.code}: ${r.stderr}`);
    // --output json: the error is the last stdout line.
    if (i === 0) console.log(`${BIN}: exit ${r.code}: ${r.stdout.trim().split('\n').at(-1)}`);
    const before = r.firstOutputMs ?? r.totalMs;
    refusals.push(r.totalMs);
    rows.push(
      `${String(i + 1).padStart(3)}  ${r.totalMs.toFixed(0).padStart(9)}  ${before.toFixed(0).padStart(15)}  ${(r.totalMs - before).toFixed(0).padStart(18)}  ${version.totalMs.toFixed(0).padStart(13)}`,
    );
  }
  await lock.release();
  console.log('second deploy refused by a held lock (built CLI, ms)');
  console.log('run  exit at (1)  start-up (2)  first event→exit  --version');
  for (const row of rows) console.log(row);
  console.log('(1) spawn to exit (the refusal); (2) spawn to the first JSON event (render started)');
  const [refused, got] = [median(refusals), median(kubectlGets)];
  console.log(
    `median: refused in ${refused.toFixed(0)} ms; kubectl get leases ${got.toFixed(0)} ms; slipway ÷ kubectl ${ratio(refused / got).trim()}`,
  );
} finally {
  await env.stop();
}
