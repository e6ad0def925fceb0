/**
 * Time to a clear error against clusters that cannot be used (all on loopback,
 * test/helpers/broken-clusters.ts): `slipway status` and `slipway deploy` in-process, each case
 * RUNS times; prints the exit code, the median and worst milliseconds, and the first line of the
 * message. Run: npm run bench:broken-cluster
 */
import { performance } from 'node:perf_hooks';
import { memoryIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { BROKEN_CASES, startBrokenCluster } from '../test/helpers/broken-clusters.js';

const RUNS = 3;
const SPEC = 'examples/sample-service/slipway.yaml';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function runBench(): Promise<void> {
  console.log(`${'case'.padEnd(12)} ${'command'.padEnd(8)} exit  median ms  worst ms  message`);
  for (const kind of BROKEN_CASES) {
    const broken = await startBrokenCluster(kind);
    try {
      for (const command of [['status'], ['deploy', '--skip-analysis']]) {
        const times: number[] = [];
        let code = 0;
        let message = '';
        for (let run = 0; run < RUNS; run++) {
          const io = memoryIo({ env: {}, lookup: broken.lookup });
          const started = performance.now();
          code = await main(
            ['node', 'slipway', ...command, '--env', 'dev', '-f', SPEC, '--kubeconfig', broken.kubeconfig],
            io.io,
          );
          times.push(performance.now() - started);
          message = io.stderr().split('\n')[0] ?? '';
        }
        const line = `${kind.padEnd(12)} ${command[0]!.padEnd(8)} ${String(code).padEnd(5)} ${median(times).toFixed(0).padStart(9)}  ${Math.max(
          ...times,
        )
          .toFixed(0)
          .padStart(8)}  ${message}`;
        console.log(line);
      }
    } finally {
      await broken.stop();
    }
  }
}

await runBench();
