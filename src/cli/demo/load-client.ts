/**
 * A bounded HTTP load loop, run as its own process (`node dist/cli/demo/load-client.js PORT
 * [CONCURRENCY] [MAX_SECONDS] [RATE]`) so it never shares an event loop with the sandbox it measures.
 * GET http://127.0.0.1:PORT/ until stdin closes or MAX_SECONDS pass, in one of two ways:
 * - closed loop (no RATE): CONCURRENCY requests in flight, as fast as they are answered, a new
 *   connection for each (so every request goes through the Service proxy's endpoint choice);
 * - paced (RATE requests per second): a request every 1/RATE s over at most CONCURRENCY keep-alive
 *   connections, used in turn, as browsers and HTTP client libraries reuse them. A connection the
 *   server closes (a terminating pod answers `Connection: close`) is replaced by a new one, which
 *   goes through the proxy's endpoint choice. A slot that finds every connection busy is not sent
 *   and counted as `skipped`; nothing is retried.
 * Prints `started EPOCH_MS` once the loop runs, then at the end one JSON line (LoadStats): counts,
 * failures, versions seen, and for each version the first and last time (ms since start) it
 * answered. `startLoad` in ./load.ts is the other end.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import type { LoadStats } from './load.js';

/** A request that takes longer than this counts as failed (a hung connection is an outage too). */
const REQUEST_TIMEOUT_MS = 5000;
/**
 * Paced: a keep-alive connection idle this long is closed by the client. A terminating server
 * (the sample service, the rotation e2e's app) answers `Connection: close` from its SIGTERM on and
 * closes connections still idle 1 s later; a connection is either used within this time, and so
 * closed by that answer, or closed here first, so no request is written to a connection the server
 * is closing (the keep-alive race that clients otherwise retry).
 */
const IDLE_CONNECTION_MS = 500;
/** Enough failures kept to say what went wrong, not one per request of an outage. */
const KEPT_FAILURES = 10;

async function runLoad(
  port: number,
  concurrency: number,
  maxSeconds: number,
  rate: number,
): Promise<LoadStats> {
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
    connections: 0,
    skipped: 0,
    ...(rate > 0 ? { rate } : {}),
  };
  const agent =
    rate > 0
      ? new http.Agent({
          keepAlive: true,
          maxSockets: concurrency,
          scheduling: 'fifo',
          timeout: IDLE_CONNECTION_MS,
        })
      : false;
  let running = true;
  /** ms from sending to the end of each answer (failures not included). */
  const latencies: number[] = [];
  const elapsed = () => Math.round(performance.now() - start);
  const fail = (reason: string) => {
    stats.failed++;
    stats.errors[reason] = (stats.errors[reason] ?? 0) + 1;
    if (stats.firstFailures.length < KEPT_FAILURES) stats.firstFailures.push({ atMs: elapsed(), reason });
  };
  const once = () =>
    new Promise<void>((resolve) => {
      stats.sent++;
      const sentAt = performance.now();
      const req = http.get(
        { host: '127.0.0.1', port, path: '/', agent, timeout: REQUEST_TIMEOUT_MS },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => {
            const at = elapsed();
            latencies.push(performance.now() - sentAt);
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
      req.on('socket', () => {
        if (!req.reusedSocket) stats.connections++;
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e: NodeJS.ErrnoException) => (fail(e.code ?? e.message), resolve()));
    });
  const worker = async () => {
    while (running) await once();
  };
  /** Sends the requests due by now (one per 1/rate s since the start) while a connection is free. */
  const paced = () =>
    new Promise<void>((done) => {
      let inFlight = 0;
      let slots = 0;
      const finished = () => {
        inFlight--;
        if (!running && inFlight === 0) done();
      };
      const tick = () => {
        if (!running) {
          if (inFlight === 0) done();
          return;
        }
        const due = Math.floor(((performance.now() - start) * rate) / 1000);
        for (; slots < due && inFlight < concurrency; slots++, inFlight++) void once().then(finished);
        stats.skipped += due - slots;
        slots = due;
        setTimeout(tick, Math.max(1, 500 / rate));
      };
      tick();
    });
  process.stdin.on('data', () => undefined);
  process.stdin.on('end', () => (running = false));
  process.stdin.on('close', () => (running = false));
  setTimeout(() => (running = false), maxSeconds * 1000).unref();
  process.stdout.write(`started ${stats.startEpochMs}\n`);
  if (rate > 0) await paced();
  else await Promise.all(Array.from({ length: concurrency }, worker));
  if (agent) agent.destroy();
  stats.durationMs = elapsed();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  stats.latencyMs = { p50: at(0.5), p99: at(0.99), max: at(1) };
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

const [port, concurrency, maxSeconds, rate] = process.argv.slice(2).map(Number);
if (!port) {
  process.stderr.write('usage: load-client PORT [CONCURRENCY] [MAX_SECONDS] [RATE]\n');
  process.exitCode = 2;
} else {
  const stats = await runLoad(port, concurrency || 8, maxSeconds || 120, rate || 0);
  process.stdout.write(`${JSON.stringify(stats)}\n`);
}
