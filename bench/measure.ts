/** What the bench scripts share: medians, percentiles, the machine's load, timing a whole process. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** `load average 1.23 0.98 0.80 on 2 cores`: printed first, so a noisy machine shows in the figures. */
export function loadLine(): string {
  return `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${cpus().length} cores, node ${process.version}`;
}

/** Wall milliseconds of one run of a whole process, start-up included; throws if it fails. */
export function timeProcess(
  command: string,
  args: readonly string[],
  opts: { cwd?: string; okCodes?: readonly number[] } = {},
): number {
  const start = performance.now();
  const result = spawnSync(command, args, { cwd: opts.cwd, stdio: 'ignore' });
  const ms = performance.now() - start;
  if (result.error) throw result.error;
  if (!(opts.okCodes ?? [0]).includes(result.status ?? -1))
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  return ms;
}

export function ms(value: number, width = 9): string {
  return value.toFixed(value < 100 ? 1 : 0).padStart(width);
}

export function ratio(value: number, width = 7): string {
  return `${value.toFixed(2)}x`.padStart(width);
}

export interface ProcessRun {
  /** Wall milliseconds, start-up included. */
  ms: number;
  /** User + system CPU milliseconds and peak resident set (KiB), when /usr/bin/time is there to tell. */
  cpuMs?: number;
  peakKiB?: number;
}

const GNU_TIME = '/usr/bin/time';

/**
 * One run of a whole process under GNU time (`/usr/bin/time -f`), which reports the child's CPU
 * time and peak RSS; without it, wall time only. Output goes to /dev/null; a failing exit throws.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  opts: { cwd?: string; okCodes?: readonly number[] } = {},
): ProcessRun {
  if (!existsSync(GNU_TIME)) return { ms: timeProcess(command, args, opts) };
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-time-'));
  try {
    const report = join(dir, 'time.txt');
    const start = performance.now();
    const result = spawnSync(GNU_TIME, ['-f', '%x %U %S %M', '-o', report, command, ...args], {
      cwd: opts.cwd,
      stdio: 'ignore',
    });
    const ms = performance.now() - start;
    if (result.error) throw result.error;
    const last = readFileSync(report, 'utf8').trim().split('\n').at(-1) ?? '';
    const [code, user, sys, peak] = last.split(' ').map(Number);
    if (!(opts.okCodes ?? [0]).includes(code ?? -1))
      throw new Error(`${command} ${args.join(' ')} exited with ${code}`);
    return { ms, cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000, peakKiB: peak };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function mib(kib: number | undefined, width = 7): string {
  return kib === undefined ? '-'.padStart(width) : (kib / 1024).toFixed(0).padStart(width);
}

/**
 * `helm upgrade --install --wait` of a chart Slipway rendered, with the dev values, into `namespace`,
 * setting the image tag of each `[workload, container]` pair: what the deploy benches run beside
 * `slipway deploy`.
 */
export function helmUpgradeArgs(
  chart: string,
  release: string,
  namespace: string,
  images: ReadonlyArray<readonly [workload: string, container: string]>,
  tag: string,
): string[] {
  return [
    'upgrade',
    '--install',
    release,
    chart,
    '-f',
    join(chart, 'values-dev.yaml'),
    '--namespace',
    namespace,
    '--create-namespace',
    '--wait',
    '--timeout',
    '5m',
    ...images.flatMap(([workload, container]) => [
      '--set',
      `workloads.${workload}.containers.${container}.image.tag=${tag}`,
    ]),
  ];
}
