/**
 * A real Prometheus (the Debian `prometheus` package, listed in .ci/apt-packages) for analysis
 * tests: started on a free loopback port with a temporary config and storage directory, scraping
 * targets the test serves. Absent binary: the tests skip with a visible message on a developer's
 * machine and fail under CI=true, where .ci/run installs it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function prometheusBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  if (process.env.CI === 'true')
    throw new Error(
      'CI=true but the prometheus binary is missing: .ci/apt-packages lists it, .ci/run installs it',
    );
  console.warn(
    '[skip] prometheus is not installed (apt-get install prometheus): the real-Prometheus analysis tests are skipped',
  );
  return undefined;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
  /** Runs an instant query and returns the parsed JSON body. */
  query(q: string): Promise<{ status: string; data?: { resultType: string; result: unknown[] } }>;
}

async function waitFor(
  what: string,
  deadlineMs: number,
  check: () => Promise<boolean>,
  proc: ChildProcess,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null)
      throw new Error(`prometheus exited with ${proc.exitCode} before ${what}:\n${log()}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${deadlineMs}ms waiting for ${what}:\n${log()}`);
}

/** `targets`: static host:port targets, or `{ fileSd }`: a file_sd JSON file the test rewrites as pods come and go. */
export async function startPrometheus(
  binary: string,
  targets: string[] | { fileSd: string },
  scrapeInterval = '1s',
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-prometheus-'));
  const port = await freePort();
  const config = [
    'global:',
    `  scrape_interval: ${scrapeInterval}`,
    `  evaluation_interval: ${scrapeInterval}`,
    'scrape_configs:',
    '  - job_name: sample',
    ...(Array.isArray(targets)
      ? ['    static_configs:', `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`]
      : [
          '    file_sd_configs:',
          `      - files: ['${targets.fileSd}']`,
          `        refresh_interval: ${scrapeInterval}`,
        ]),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config);
  let output = '';
  const proc = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      '/-/ready',
      30_000,
      async () => (await fetch(`${url}/-/ready`)).ok,
      proc,
      () => output,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    stop,
    query: async (q) =>
      (await (await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: q })}`)).json()) as {
        status: string;
        data?: { resultType: string; result: unknown[] };
      },
  };
}

/** Waits until `q` returns at least one non-NaN sample (scrapes have happened, rate() has two points). */
export async function waitForData(prom: RunningPrometheus, q: string, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const body = await prom.query(q);
    const result = (body.data?.result ?? []) as Array<{ value: [number, string] }>;
    if (result.some((r) => !Number.isNaN(Number(r.value[1])))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Prometheus returned no data for ${q} within ${deadlineMs}ms`);
}
