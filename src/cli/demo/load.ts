/**
 * Steady HTTP load on a Service's local proxy port from a separate process (./load-client.ts), so
 * the load never shares an event loop with the sandbox serving it. Used by `slipway demo` and by
 * the deploy e2e suites.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface VersionSeen {
  count: number;
  /** ms since the load started: the first and the last answer from this version. */
  firstMs: number;
  lastMs: number;
}

export interface LoadStats {
  /** When the load started, ms since the epoch (add firstMs/lastMs to compare with engine events). */
  startEpochMs: number;
  sent: number;
  ok: number;
  failed: number;
  errors: Record<string, number>;
  versions: Record<string, VersionSeen>;
  firstFailures: Array<{ atMs: number; reason: string }>;
  durationMs: number;
  perSecond: number;
  /** Of the answered requests: median, 99th percentile and slowest, from sending to the answer's end. */
  latencyMs?: { p50: number; p99: number; max: number };
  /** TCP connections opened (one per request unless paced, which keeps them alive). */
  connections: number;
  /** Paced only: the requests per second asked for, and the slots not sent because every connection was busy. */
  rate?: number;
  skipped: number;
}

export interface RunningLoad {
  /** ms since the epoch when the client's loop started (as the client measured it). */
  startedAt: number;
  /** Ends the load (closes the client's stdin) and returns its counts. */
  stop(): Promise<LoadStats>;
  /** Ends the client at once, without counts (Ctrl-C, errors). */
  kill(): void;
}

export interface LoadOptions {
  /** Requests in flight (closed loop), or connections at most (paced). */
  concurrency?: number;
  /** Requests per second, sent over keep-alive connections (see ./load-client.ts); unset: a closed loop. */
  rate?: number;
  /** The client stops by itself after this long even if never told to. */
  maxSeconds?: number;
}

/** Built: dist/cli/demo/load-client.js. From the sources (vitest, tsx): load-client.ts through tsx. */
function clientCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  const fromSources = here.endsWith('.ts');
  const client = fileURLToPath(
    new URL(fromSources ? './load-client.ts' : './load-client.js', import.meta.url),
  );
  return fromSources ? ['--import', 'tsx', client] : [client];
}

export async function startLoad(port: number, opts: LoadOptions = {}): Promise<RunningLoad> {
  const args = [
    ...clientCommand(),
    String(port),
    String(opts.concurrency ?? 8),
    String(opts.maxSeconds ?? 180),
    String(opts.rate ?? 0),
  ];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const startedAt = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const started = /^started (\d+)\n/m.exec(out);
      if (started) resolve(Number(started[1]));
    });
    child.on('error', reject);
    void exited.then((code) =>
      reject(new Error(`the load client exited (${code}) before it started: ${err.trim() || out.trim()}`)),
    );
  });
  return {
    startedAt,
    async stop() {
      child.stdin.end();
      const code = await exited;
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{'))
        throw new Error(`the load client exited (${code}) without its counts: ${err.trim()}`);
      return JSON.parse(last) as LoadStats;
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
