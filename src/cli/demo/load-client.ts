/**
 * A bounded HTTP load loop, run as its own process (`node dist/cli/demo/load-client.js PORT
 * [CONCURRENCY] [MAX_SECONDS]`) so it never shares an event loop with the sandbox it measures.
 * GET http://127.0.0.1:PORT/ with CONCURRENCY requests in flight, a new connection for each (so
 * every request goes through the Service proxy's endpoint choice), until stdin closes or
 * MAX_SECONDS pass. Prints `started EPOCH_MS` once the loop runs, then at the end one JSON line
 * (LoadStats): counts, failures, versions seen, and for each version the first and last time (ms
 * since start) it answered. `startLoad` in ./load.ts is the other end.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import type { LoadStats } from './load.js';

/** A request that takes longer than this counts as failed (a hung connection is an outage too). */
const REQUEST_TIMEOUT_MS = 5000;
/** Enough failures kept to say what went wrong, not one per request of an outage. */
const KEPT_FAILURES = 10;

async function runLoad(port: number, concurrency: number, maxSeconds: number): Promise<LoadStats> {
  const start = performance.now();
  const stats: LoadStats = {
    startEpochMs: Math.round(performance.timeOrigin + start),
    sent: 0,
    ok: 0,
    failed: 0,
    errors: {},
    versions: {},
    firstFailures: [],
    durationMs: 0,
    perSecond: 0,
  };
  let running = true;
  const elapsed = () => Math.round(performance.now() - start);
  const fail = (reason: string) => {
    stats.failed++;
    stats.errors[reason] = (stats.errors[reason] ?? 0) + 1;
    if (stats.firstFailures.length < KEPT_FAILURES) stats.firstFailures.push({ atMs: elapsed(), reason });
  };
  const once = () =>
    new Promise<void>((resolve) => {
      stats.sent++;
      const req = http.get(
        { host: '127.0.0.1', port, path: '/', agent: false, timeout: REQUEST_TIMEOUT_MS },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => {
            const at = elapsed();
            const version = versionIn(body);
            const seen = (stats.versions[version] ??= { count: 0, firstMs: at, lastMs: at });
            seen.count++;
            seen.lastMs = at;
            if (res.statusCode === 200) stats.ok++;
            else fail(`HTTP ${res.statusCode} from ${version}`);
            resolve();
          });
          res.on('error', (e: NodeJS.ErrnoException) => (fail(e.code ?? e.message), resolve()));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e: NodeJS.ErrnoException) => (fail(e.code ?? e.message), resolve()));
    });
  const worker = async () => {
    while (running) await once();
  };
  process.stdin.on('data', () => undefined);
  process.stdin.on('end', () => (running = false));
  process.stdin.on('close', () => (running = false));
  setTimeout(() => (running = false), maxSeconds * 1000).unref();
  process.stdout.write(`started ${stats.startEpochMs}\n`);
  await Promise.all(Array.from({ length: concurrency }, worker));
  stats.durationMs = elapsed();
  stats.perSecond = Math.round((stats.sent * 1000) / Math.max(1, stats.durationMs));
  return stats;
}

/** The sample service answers {"version": "..."}; anything else is recorded as such. */
function versionIn(body: string): string {
  try {
    const version = (JSON.parse(body) as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'no version';
  } catch {
    return 'unparsable';
  }
}

const [port, concurrency, maxSeconds] = process.argv.slice(2).map(Number);
if (!port) {
  process.stderr.write('usage: load-client PORT [CONCURRENCY] [MAX_SECONDS]\n');
  process.exitCode = 2;
} else {
  const stats = await runLoad(port, concurrency || 8, maxSeconds || 120);
  process.stdout.write(`${JSON.stringify(stats)}\n`);
}
