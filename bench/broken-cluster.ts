/**
 * Time to a clear error against clusters that cannot be used (all on loopback,
 * test/helpers/broken-clusters.ts), Slipway beside kubectl. For each case, RUNS times (default 5):
 *   - `slipway status` and `slipway deploy` in-process (no start-up): the exit code, the median and
 *     worst milliseconds, the first line of the message;
 *   - whole processes, side by side: `./bin/slipway status` (the built CLI) and the reference,
 *     `kubectl get secrets -n default` (kubectl v1.33 from the test helper, its own defaults), each
 *     stopped after CAP_MS; median wall time and Slipway ÷ kubectl.
 * The `dns` case gives its host name to the CLI through a lookup hook so that no DNS query leaves
 * the machine; whole processes would ask the system resolver, so that case runs in-process only.
 * The machine's load average is printed first.
 *
 *   npm run bench:broken-cluster [-- --runs N]    (the whole-process rows need `npm run build`)
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { memoryIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { BROKEN_CASES, startBrokenCluster, type BrokenCluster } from '../test/helpers/broken-clusters.js';
import { repoRoot, slipwayBin } from '../test/helpers/built-cli.js';
import { kubectlPath } from '../test/helpers/kube-tools.js';
import { loadLine, median, ratio } from './measure.js';

const RUNS = Math.max(5, Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5);
const SPEC = 'examples/sample-service/slipway.yaml';
const CAP_MS = 60_000;
const BUILT = existsSync(join(repoRoot, 'dist', 'cli', 'main.js'));

/** Wall ms of one whole process (the broken servers live in this process, so never spawnSync). */
function timeProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; capped: boolean }> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(command, args, { env: { ...process.env, ...env }, timeout: CAP_MS, cwd: repoRoot }, (error) => {
      const capped = (error as { killed?: boolean } | null)?.killed === true;
      resolve({ ms: performance.now() - started, capped });
    });
  });
}

async function inProcess(broken: BrokenCluster, command: string[]) {
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
  return { times, code, message };
}

async function wholeProcesses(broken: BrokenCluster) {
  const slipway: number[] = [];
  const kubectl: number[] = [];
  let capped = false;
  const home = { HOME: join(broken.kubeconfig, '..'), KUBECONFIG: broken.kubeconfig };
  // Interleaved, so that a busy moment of the machine falls on both.
  for (let run = 0; run < RUNS; run++) {
    const s = await timeProcess(slipwayBin, ['status', '--env', 'dev', '-f', SPEC], home);
    const k = await timeProcess(kubectlPath(), ['get', 'secrets', '-n', 'default'], home);
    slipway.push(s.ms);
    kubectl.push(k.ms);
    capped ||= s.capped || k.capped;
  }
  return { slipway: median(slipway), kubectl: median(kubectl), capped };
}

async function runBench(): Promise<void> {
  console.log(loadLine());
  console.log(`in-process, ${RUNS} runs each (ms)`);
  console.log(`${'case'.padEnd(12)} ${'command'.padEnd(8)} exit  median ms  worst ms  message`);
  const whole: string[] = [];
  for (const kind of BROKEN_CASES) {
    const broken = await startBrokenCluster(kind);
    try {
      for (const command of [['status'], ['deploy', '--skip-analysis']]) {
        const { times, code, message } = await inProcess(broken, command);
        console.log(
          `${kind.padEnd(12)} ${command[0]!.padEnd(8)} ${String(code).padEnd(5)} ${median(times).toFixed(0).padStart(9)}  ${Math.max(
            ...times,
          )
            .toFixed(0)
            .padStart(8)}  ${message}`,
        );
      }
      if (kind === 'dns')
        whole.push(`${kind.padEnd(12)} not run: a whole process would ask the system resolver`);
      else if (!BUILT) whole.push(`${kind.padEnd(12)} not run: dist/ is not built (npm run build)`);
      else {
        const w = await wholeProcesses(broken);
        whole.push(
          `${kind.padEnd(12)} ${w.slipway.toFixed(0).padStart(13)}  ${w.kubectl.toFixed(0).padStart(11)}  ${ratio(w.slipway / w.kubectl)}${w.capped ? `  (a run was stopped at ${CAP_MS / 1000} s)` : ''}`,
        );
      }
    } finally {
      await broken.stop();
    }
  }
  console.log(`\nwhole process, median wall ms of ${RUNS} interleaved runs`);
  console.log(`${'case'.padEnd(12)} slipway status  kubectl get  slipway ÷ kubectl`);
  for (const line of whole) console.log(line);
}

await runBench();
