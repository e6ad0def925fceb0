/**
 * Render benchmark: the manifests of the three environments of a generated spec
 * (bench/render-spec.ts), side by side with `helm template` of the chart Slipway generates for that
 * same spec (`slipway render --format helm`), for the same three environments, with the real helm
 * v4. Slipway two ways: `render --format manifests --env E`, one process per environment as helm
 * runs, and `render --format manifests --out DIR`, every environment's file from one process (helm
 * template takes one set of values a run, so it has no such way). All run as whole processes, as
 * users run them; each figure is the median over RUNS rounds of the three environments' sum (wall,
 * CPU), with the largest peak RSS of the three. Sizes 10, 100 and 1,000 services by default; ms/service shows whether time grows linearly.
 * Each size also prints three `node -e 0` starts per round: the floor under any Node program, which
 * at 10 services is most of Slipway's time.
 * Runs ./bin/slipway, so `npm run build` first.
 *
 *   npx tsx bench/render.ts [--sizes 10,100,1000] [--runs 5]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { findKubeTool } from '../src/tools/kube-binaries.js';
import { loadLine, median, mib, ms, ratio, runProcess, type ProcessRun } from './measure.js';
import { generatedSpec } from './render-spec.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const SIZES = option('sizes', '10,100,1000').split(',').map(Number);
const RUNS = Math.max(5, Number(option('runs', '5')));
const ENVS = ['dev', 'staging', 'production'] as const;
const NAMESPACES: Record<string, string> = {
  dev: 'bench-dev',
  staging: 'bench-staging',
  production: 'bench-prod',
};

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'slipway');
if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
  console.error('bench/render: dist/ is missing; run `npm run build` first');
  process.exit(2);
}
const helm = findKubeTool('helm');

interface Round {
  ms: number;
  cpuMs?: number;
  peakKiB?: number;
}

/** The three environments' runs as one round: times summed, peak the largest. */
function round(runs: ProcessRun[]): Round {
  const cpu = runs.every((r) => r.cpuMs !== undefined);
  return {
    ms: runs.reduce((n, r) => n + r.ms, 0),
    cpuMs: cpu ? runs.reduce((n, r) => n + r.cpuMs!, 0) : undefined,
    peakKiB: runs.some((r) => r.peakKiB !== undefined)
      ? Math.max(...runs.map((r) => r.peakKiB ?? 0))
      : undefined,
  };
}

function summary(rounds: Round[]): Required<Round> {
  return {
    ms: median(rounds.map((r) => r.ms)),
    cpuMs: median(rounds.map((r) => r.cpuMs ?? Number.NaN)),
    peakKiB: Math.max(...rounds.map((r) => r.peakKiB ?? 0)),
  };
}

console.log(loadLine());
console.log(
  `whole process, 3 environments per round (dev, staging, production), median of ${RUNS} rounds; ratio = slipway / helm`,
);
console.log(
  `${'services'.padStart(8)} ${'objects'.padStart(7)}  ${'tool'.padEnd(28)} ${'wall ms'.padStart(9)} ${'cpu ms'.padStart(9)} ${'peak MiB'.padStart(8)} ${'ms/svc'.padStart(7)}`,
);
for (const services of SIZES) {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-render-'));
  try {
    const specFile = join(dir, 'slipway.yaml');
    writeFileSync(specFile, stringify(generatedSpec(services)));
    const chart = join(dir, 'chart');
    runProcess(process.execPath, [bin, 'render', '-f', specFile, '--format', 'helm', '--out', chart]);
    const slipwayArgs = (env: string) => [
      bin,
      'render',
      '-f',
      specFile,
      '--format',
      'manifests',
      '--env',
      env,
    ];
    const helmArgs = (env: string) => [
      'template',
      'bench',
      chart,
      '-f',
      join(chart, `values-${env}.yaml`),
      '--namespace',
      NAMESPACES[env]!,
    ];
    const everyArgs = [bin, 'render', '-f', specFile, '--format', 'manifests', '--out', join(dir, 'every')];
    const objects = countObjects(slipwayArgs);
    sameAsPerEnvironment(slipwayArgs, everyArgs, join(dir, 'every'));
    const slipway: Round[] = [];
    const every: Round[] = [];
    const helmRounds: Round[] = [];
    const floorRounds: Round[] = [];
    for (let i = 0; i < RUNS; i++) {
      slipway.push(round(ENVS.map((env) => runProcess(process.execPath, slipwayArgs(env)))));
      every.push(round([runProcess(process.execPath, everyArgs)]));
      helmRounds.push(round(ENVS.map((env) => runProcess(helm, helmArgs(env)))));
      floorRounds.push(round(ENVS.map(() => runProcess(process.execPath, ['-e', '0']))));
    }
    const s = summary(slipway);
    const e = summary(every);
    const h = summary(helmRounds);
    const floor = summary(floorRounds);
    const row = (tool: string, r: Required<Round>) =>
      `${String(services).padStart(8)} ${String(objects).padStart(7)}  ${tool.padEnd(28)} ${ms(r.ms)} ${ms(r.cpuMs)} ${mib(r.peakKiB, 8)} ${ms(r.ms / services, 7)}`;
    const ratioRow = (label: string, r: Required<Round>) =>
      `${''.padStart(17)}  ${label.padEnd(28)} ${ratio(r.ms / h.ms, 9)} ${ratio(r.cpuMs / h.cpuMs, 9)} ${ratio(r.peakKiB / h.peakKiB, 8)}`;
    console.log(row('slipway render --env (x3)', s));
    console.log(row('slipway render --out (x1)', e));
    console.log(row('helm template (same chart)', h));
    console.log(ratioRow('ratio --env (x3) / helm', s));
    console.log(ratioRow('ratio --out (x1) / helm', e));
    // The floor under any Node program: three `node -e 0` starts; what helm takes over it is Go's.
    console.log(
      `${''.padStart(17)}  ${'node -e 0 (3 starts, floor)'.padEnd(28)} ${ms(floor.ms)} ${ms(floor.cpuMs)} ${mib(floor.peakKiB, 8)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Objects rendered over the three environments (documents in the manifests output). */
function countObjects(args: (env: string) => string[]): number {
  let total = 0;
  for (const env of ENVS) {
    const out = spawnText(process.execPath, args(env));
    total += out.split(/^---$/m).filter((d) => d.trim() !== '').length;
  }
  return total;
}

/** The one-process render wrote, byte for byte, what each `--env` run prints (else the bench stops). */
function sameAsPerEnvironment(args: (env: string) => string[], everyArgs: string[], out: string): void {
  spawnText(process.execPath, everyArgs);
  for (const env of ENVS) {
    if (readFileSync(join(out, `${env}.yaml`), 'utf8') !== spawnText(process.execPath, args(env))) {
      console.error(`bench/render: ${out}/${env}.yaml differs from render --env ${env}`);
      process.exit(1);
    }
  }
}

function spawnText(command: string, args: string[]): string {
  return execFileSync(command, args, { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
}
