/**
 * Deploys through a flaky API server: 20 deploys of examples/sample-service (rolling, alternating
 * two versions) into a sandbox whose API answers 5% of requests with 500 and 5% with 429
 * (Retry-After 1 s) and cuts every watch stream each 10 s, against 20 deploys into a clean sandbox
 * in the same run. Prints successes/total for each, the median wall time, the median extra time the
 * faults cost, and how many faults were injected. Run: npm run bench:chaos-faults [-- --runs N]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { memoryIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { startSandboxEnv, type SandboxEnv } from '../test/e2e/sandbox-env.js';

const RUNS = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 20;
const FAULTS = '{ seed: 25, status500: 0.05, status429: 0.05, retryAfter: 1s, dropWatchesEvery: 10s }';

interface Outcome {
  ok: number;
  times: number[];
  failures: string[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function deployMany(env: SandboxEnv, label: string): Promise<Outcome> {
  const outcome: Outcome = { ok: 0, times: [], failures: [] };
  for (let run = 0; run < RUNS; run++) {
    const io = memoryIo({ env: { KUBECONFIG: env.kubeconfig } });
    const version = run % 2 ? '2.0.0' : '1.0.0';
    const started = performance.now();
    const code = await main(
      [
        'node',
        'slipway',
        'deploy',
        '-f',
        'examples/sample-service/slipway.yaml',
        '--env',
        'dev',
        '--skip-analysis',
        '--set-image',
        `web=sample-service:${version}`,
      ],
      io.io,
    );
    const ms = performance.now() - started;
    outcome.times.push(ms);
    if (code === 0) outcome.ok++;
    else
      outcome.failures.push(
        `run ${run + 1}: exit ${code}: ${(io.stderr() || io.stdout()).trim().split('\n').slice(-2).join(' | ')}`,
      );
    process.stderr.write(`${label} ${run + 1}/${RUNS}: exit ${code} in ${(ms / 1000).toFixed(1)} s\n`);
  }
  return outcome;
}

async function runBench(): Promise<void> {
  const clean = await startSandboxEnv({ runtime: true });
  const cleanOutcome = await deployMany(clean, 'clean').finally(() => clean.stop());

  const file = join(mkdtempSync(join(tmpdir(), 'slipway-chaos-')), 'sandbox.yaml');
  writeFileSync(file, `api:\n  faults: ${FAULTS}\n`);
  const flaky = await startSandboxEnv({ runtime: true, configFile: file });
  const faultyOutcome = await deployMany(flaky, 'faults');
  const counts = { ...flaky.sandbox.faults?.counts };
  await flaky.stop();

  const cleanMedian = median(cleanOutcome.times);
  const faultyMedian = median(faultyOutcome.times);
  console.log(`faults: ${FAULTS}`);
  console.log(`${''.padEnd(8)} succeeded  median s`);
  console.log(
    `${'clean'.padEnd(8)} ${`${cleanOutcome.ok}/${RUNS}`.padStart(9)}  ${(cleanMedian / 1000).toFixed(2).padStart(8)}`,
  );
  console.log(
    `${'faults'.padEnd(8)} ${`${faultyOutcome.ok}/${RUNS}`.padStart(9)}  ${(faultyMedian / 1000).toFixed(2).padStart(8)}`,
  );
  console.log(`median extra time with faults: ${((faultyMedian - cleanMedian) / 1000).toFixed(2)} s`);
  console.log(
    `injected: ${counts.status500 ?? 0}× 500, ${counts.status429 ?? 0}× 429, ${counts.droppedWatches ?? 0} watch streams cut`,
  );
  for (const f of [
    ...cleanOutcome.failures.map((f) => `clean ${f}`),
    ...faultyOutcome.failures.map((f) => `faults ${f}`),
  ])
    console.log(f);
}

await runBench();
