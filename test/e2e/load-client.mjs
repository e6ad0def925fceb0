// A bounded HTTP load loop for the deploy e2e tests, run as its own process so it does not share
// the test's event loop with the sandbox. GET http://127.0.0.1:PORT/ with CONCURRENCY requests in
// flight, a new connection for each (so every request goes through the proxy's endpoint choice),
// until stdin closes or MAX_SECONDS pass. Prints one JSON object: counts, failures, versions seen,
// and for each version the first and last time (ms since start) it answered.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';

const port = Number(process.argv[2]);
const concurrency = Number(process.argv[3] ?? 8);
const maxSeconds = Number(process.argv[4] ?? 120);
const start = performance.now();
const stats = { sent: 0, ok: 0, failed: 0, errors: {}, versions: {}, firstFailures: [] };
let running = true;

function fail(reason) {
  stats.failed++;
  stats.errors[reason] = (stats.errors[reason] ?? 0) + 1;
  if (stats.firstFailures.length < 10) stats.firstFailures.push({ atMs: Math.round(performance.now() - start), reason });
}

function once() {
  return new Promise((resolve) => {
    stats.sent++;
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        const at = Math.round(performance.now() - start);
        let version;
        try {
          version = JSON.parse(body).version;
        } catch {
          version = 'unparsable';
        }
        const v = (stats.versions[version] ??= { count: 0, firstMs: at, lastMs: at });
        v.count++;
        v.lastMs = at;
        if (res.statusCode === 200) stats.ok++;
        else fail(`HTTP ${res.statusCode} from ${version}`);
        resolve();
      });
      res.on('error', (e) => (fail(e.code ?? e.message), resolve()));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => (fail(e.code ?? e.message), resolve()));
  });
}

async function worker() {
  while (running) await once();
}

process.stdin.on('data', () => {});
process.stdin.on('end', () => (running = false));
process.stdin.on('close', () => (running = false));
setTimeout(() => (running = false), maxSeconds * 1000).unref();
process.stdout.write('started\n');
await Promise.all(Array.from({ length: concurrency }, worker));
stats.durationMs = Math.round(performance.now() - start);
stats.perSecond = Math.round((stats.sent * 1000) / stats.durationMs);
process.stdout.write(JSON.stringify(stats) + '\n');
