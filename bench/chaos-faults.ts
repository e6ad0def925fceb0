/**
 * Deploys through a flaky API server, Slipway beside Helm: RUNS deploys of examples/sample-service
 * (rolling, alternating two versions) into a sandbox whose API answers 5% of requests with 500 and
 * 5% with 429 (Retry-After 1 s) and cuts every watch stream each 10 s, against RUNS deploys into a
 * clean sandbox in the same run; the same for `helm upgrade --install --wait` of the chart Slipway
 * renders for the spec (the reference: what a team would run without Slipway). Each tool and
 * sandbox kind gets a fresh sandbox. Prints the machine's load average, successes/total, the
 * median wall time of the deploys that succeeded, the extra time the faults cost, Slipway ÷ Helm,
 * and how many faults were injected. Run: npm run bench:chaos-faults [-- --runs N] (default 20,
 * at least 5)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { memoryIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { startSandboxEnv, type SandboxEnv } from '../test/e2e/sandbox-env.js';
import { helmUpgradeArgs, loadLine, median, ratio } from './measure.js';

const RUNS = Math.max(5, Number(process.argv[process.argv.indexOf('--runs') + 1]) || 20);
const FAULTS = '{ seed: 25, status500: 0.05, status429: 0.05, retryAfter: 1s, dropWatchesEvery: 10s }';
const SPEC = 'examples/sample-service/slipway.yaml';

type Tool = 'slipway' | 'helm';

interface Outcome {
  ok: number;
  /** Wall ms of the deploys that succeeded (a deploy that gave up early is not a faster one). */
  times: number[];
  failures: string[];
  injected?: string;
}

/** One deploy of `version` by `tool`; resolves with the failure's last lines, or undefined. */
async function deployOnce(env: SandboxEnv, tool: Tool, chart: string, version: string) {
  if (tool === 'helm') {
    try {
      await env.helm(helmUpgradeArgs(chart, 'sample', 'sample', [['sample-web', 'web']], version));
      return undefined;
    } catch (e) {
      const err = e as { code?: number; stderr?: string; message?: string };
      return `exit ${err.code}: ${(err.stderr || err.message || '').trim().split('\n').slice(-2).join(' | ')}`;
    }
  }
  const io = memoryIo({ env: { KUBECONFIG: env.kubeconfig } });
  const args = [
    'deploy',
    '-f',
    SPEC,
    '--env',
    'dev',
    '--skip-analysis',
    '--set-image',
    `web=sample-service:${version}`,
  ];
  const code = await main(['node', 'slipway', ...args], io.io);
  return code === 0
    ? undefined
    : `exit ${code}: ${(io.stderr() || io.stdout()).trim().split('\n').slice(-2).join(' | ')}`;
}

const key = (tool: Tool, faults: boolean) => `${tool} ${faults ? 'faults' : 'clean'}`;

async function deployMany(tool: Tool, faults: boolean, chart: string): Promise<Outcome> {
  let configFile: string | undefined;
  if (faults) {
    configFile = join(mkdtempSync(join(tmpdir(), 'slipway-chaos-')), 'sandbox.yaml');
    writeFileSync(configFile, `api:\n  faults: ${FAULTS}\n`);
  }
  const env = await startSandboxEnv({ runtime: true, configFile });
  const label = key(tool, faults);
  const outcome: Outcome = { ok: 0, times: [], failures: [] };
  try {
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const failure = await deployOnce(env, tool, chart, run % 2 ? '2.0.0' : '1.0.0');
      const ms = performance.now() - started;
      if (failure) outcome.failures.push(`run ${run + 1}: ${failure}`);
      else {
        outcome.ok++;
        outcome.times.push(ms);
      }
      process.stderr.write(
        `${label} ${run + 1}/${RUNS}: ${failure ?? 'ok'} in ${(ms / 1000).toFixed(1)} s\n`,
      );
    }
    const counts = { ...env.sandbox.faults?.counts };
    if (faults)
      outcome.injected = `${counts.status500 ?? 0}× 500, ${counts.status429 ?? 0}× 429, ${counts.droppedWatches ?? 0} watch streams cut`;
  } finally {
    await env.stop();
    if (configFile) rmSync(join(configFile, '..'), { recursive: true, force: true });
  }
  return outcome;
}

async function runBench(): Promise<void> {
  console.log(loadLine());
  const chart = mkdtempSync(join(tmpdir(), 'slipway-chaos-chart-'));
  const results = new Map<string, Outcome>();
  try {
    const io = memoryIo();
    if (
      (await main(['node', 'slipway', 'render', '-f', SPEC, '--format', 'helm', '--out', chart], io.io)) !== 0
    )
      throw new Error(`render: ${io.stderr()}`);
    for (const faults of [false, true])
      for (const tool of ['slipway', 'helm'] as const)
        results.set(key(tool, faults), await deployMany(tool, faults, chart));
  } finally {
    rmSync(chart, { recursive: true, force: true });
  }
  const get = (tool: Tool, faults: boolean) => results.get(key(tool, faults))!;
  const s = (ms: number) => (ms / 1000).toFixed(2).padStart(8);
  console.log(`faults: ${FAULTS}; ${RUNS} deploys each, a fresh sandbox per row`);
  console.log(`${'tool'.padEnd(8)} ${'sandbox'.padEnd(7)} succeeded  median s of those  extra s with faults`);
  for (const tool of ['slipway', 'helm'] as const)
    for (const faults of [false, true]) {
      const o = get(tool, faults);
      const extra = faults ? s(median(o.times) - median(get(tool, false).times)) : '';
      console.log(
        `${tool.padEnd(8)} ${(faults ? 'faults' : 'clean').padEnd(7)} ${`${o.ok}/${RUNS}`.padStart(9)}  ${s(median(o.times))}        ${extra}`,
      );
    }
  const r = (faults: boolean) =>
    ratio(median(get('slipway', faults).times) / median(get('helm', faults).times));
  console.log(`slipway ÷ helm, median wall: clean ${r(false).trim()}, faults ${r(true).trim()}`);
  for (const tool of ['slipway', 'helm'] as const)
    console.log(`injected (${tool}): ${get(tool, true).injected}`);
  for (const [label, o] of results) for (const f of o.failures) console.log(`${label} ${f}`);
}

await runBench();
