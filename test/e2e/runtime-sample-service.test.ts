/** The sandbox's built-in sample-service image (packages/sandbox/images/sample-service.mjs) on its own: endpoints, injected errors, metrics, graceful SIGTERM. */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const server = resolve(
  import.meta.dirname,
  '..',
  '..',
  'packages',
  'sandbox',
  'images',
  'sample-service.mjs',
);
let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

async function start(env: Record<string, string>): Promise<{ port: number; output: () => string }> {
  const port = await freePort();
  let out = '';
  child = spawn(process.execPath, [server], {
    env: { PATH: process.env.PATH, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 200 && !out.includes('listening'); i++) await new Promise((r) => setTimeout(r, 20));
  return { port, output: () => out };
}

function get(port: number, path: string, delayBodyMs = 0): Promise<{ code: number; body: string }> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => done({ code: res.statusCode ?? 0, body }));
    });
    req.on('error', (e) => done({ code: 0, body: e.message }));
    if (delayBodyMs) setTimeout(() => req.end(), delayBodyMs);
    else req.end();
  });
}

describe('sample-service', () => {
  it('answers /, /healthz, /readyz and counts requests by code in /metrics', async () => {
    const { port } = await start({ VERSION: 'v7', ERROR_RATE: '0.5' });
    const codes = [];
    for (let i = 0; i < 10; i++) codes.push((await get(port, '/')).code);
    expect(codes.filter((c) => c === 500)).toHaveLength(5);
    expect(await get(port, '/healthz')).toEqual({ code: 200, body: 'ok\n' });
    expect((await get(port, '/readyz')).code).toBe(200);
    expect((await get(port, '/nope')).code).toBe(404);
    const metrics = (await get(port, '/metrics')).body;
    expect(metrics).toContain('# TYPE http_requests_total counter');
    expect(metrics).toContain('http_requests_total{path="/",code="200"} 5');
    expect(metrics).toContain('http_requests_total{path="/",code="500"} 5');
    expect(metrics).toContain('sample_service_info{version="v7"} 1');
    const ok = await get(port, '/');
    expect(ok.code === 200 ? JSON.parse(ok.body) : { version: 'v7' }).toEqual({ version: 'v7' });
  });

  it('is not ready with FAIL_READINESS=1', async () => {
    const { port } = await start({ FAIL_READINESS: '1' });
    expect((await get(port, '/readyz')).code).toBe(503);
  });

  it('finishes an in-flight request after SIGTERM, then exits 0 and refuses new connections', async () => {
    const { port, output } = await start({ VERSION: 'v1', SHUTDOWN_DRAIN_MS: '200' });
    const exited = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));
    // The request's connection is open (headers not finished) when SIGTERM arrives.
    const inflight = get(port, '/', 300);
    await new Promise((r) => setTimeout(r, 100));
    child?.kill('SIGTERM');
    expect(await inflight).toEqual({ code: 200, body: '{"version":"v1"}\n' });
    expect(await exited).toBe(0);
    expect(output()).toMatch(/received SIGTERM[\s\S]*shut down cleanly/);
    expect((await get(port, '/')).code).toBe(0);
  });
});
