// The sandbox's built-in `sample-service` image: the tiny HTTP service Slipway's end-to-end tests deploy. Plain Node, no dependencies.
// GET / → {"version": $VERSION}; /healthz; /readyz (503 when FAIL_READINESS=1); /metrics in the
// Prometheus text format; a share ERROR_RATE of GET / answered 500; graceful shutdown on SIGTERM
// (stop accepting, finish in-flight requests, then exit 0); CRASH_AFTER_MS exits 1 that long after start.
import { createServer } from 'node:http';
import { Server as NetServer } from 'node:net';
import { setTimeout } from 'node:timers';

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST || undefined;
const version = process.env.VERSION ?? 'dev';
const errorRate = Math.min(1, Math.max(0, Number(process.env.ERROR_RATE ?? 0) || 0));
const failReadiness = process.env.FAIL_READINESS === '1';
// A version that crashes: exits 1 this long after it started (the kubelet restarts it: CrashLoopBackOff).
const crashAfterMs = Number(process.env.CRASH_AFTER_MS ?? 0) || 0;
// After SIGTERM, idle keep-alive connections get this long to bring a last request before closing.
const drainMs = Number(process.env.SHUTDOWN_DRAIN_MS ?? 1000);

/** http_requests_total by path and status code. */
const counts = new Map();
let errorBudget = 0;

function count(path, code) {
  const key = `${path}|${code}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function metrics() {
  const lines = [
    '# HELP http_requests_total HTTP requests served, by path and status code.',
    '# TYPE http_requests_total counter',
  ];
  for (const [key, n] of [...counts].sort()) {
    const [path, code] = key.split('|');
    lines.push(`http_requests_total{path="${path}",code="${code}"} ${n}`);
  }
  lines.push(
    '# HELP sample_service_info Build information.',
    '# TYPE sample_service_info gauge',
    `sample_service_info{version="${version}"} 1`,
  );
  return lines.join('\n') + '\n';
}

function send(res, path, code, body, type = 'application/json') {
  count(path, code);
  const headers = { 'content-type': type };
  if (shuttingDown) headers.connection = 'close';
  res.writeHead(code, headers);
  res.end(body);
}

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return send(res, path, 405, '{"error":"method not allowed"}\n');
  if (path === '/') {
    // Deterministic share of errors: every request adds errorRate to a budget, a full unit fails.
    errorBudget += errorRate;
    if (errorBudget >= 1) {
      errorBudget -= 1;
      return send(res, path, 500, JSON.stringify({ error: 'injected failure', version }) + '\n');
    }
    return send(res, path, 200, JSON.stringify({ version }) + '\n');
  }
  if (path === '/healthz') return send(res, path, 200, 'ok\n', 'text/plain');
  if (path === '/readyz')
    return failReadiness || shuttingDown
      ? send(res, path, 503, 'not ready\n', 'text/plain')
      : send(res, path, 200, 'ready\n', 'text/plain');
  if (path === '/metrics') return send(res, path, 200, metrics(), 'text/plain; version=0.0.4');
  return send(res, path, 404, '{"error":"not found"}\n');
});

let shuttingDown = false;
function shutdown(signal) {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(`received ${signal}, finishing in-flight requests`);
  // Stop accepting but keep open connections: http.Server#close would also drop connections that
  // were accepted a moment ago and have not sent their request yet. Responses now say
  // `connection: close`; after the drain period, idle keep-alive connections are closed.
  NetServer.prototype.close.call(server, () => {
    console.log('shut down cleanly');
    process.exit(0);
  });
  setTimeout(() => server.closeIdleConnections(), drainMs).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

server.listen(port, host, () => {
  console.log(`sample-service ${version} listening on ${host ?? '*'}:${server.address().port}`);
});

if (crashAfterMs > 0) {
  setTimeout(() => {
    console.error(`sample-service ${version}: crashing on purpose (CRASH_AFTER_MS=${crashAfterMs})`);
    process.exit(1);
  }, crashAfterMs);
}
