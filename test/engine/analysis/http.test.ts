import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFactory } from '../../../src/engine/analysis/http.js';
import { systemClock } from '../../../src/engine/clock.js';
import { MemoryCluster } from '../../../src/cluster/memory.js';
import type { Analysis } from '../../../src/spec/schema.js';

describe('HTTP analysis provider (a real HTTP server)', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/healthz') return res.end('ok version=v2');
      if (req.url === '/slow') return void setTimeout(() => res.end('ok'), 300);
      if (req.url === '/broken') {
        res.statusCode = 503;
        return res.end('unavailable');
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const env = () => ({
    cluster: new MemoryCluster(),
    clock: systemClock,
    namespace: 'shop',
    vars: { base, version: 'v2' },
  });
  const measure = (http: NonNullable<Analysis['http']>) =>
    httpFactory.create('smoke', { http }, env()).measure(AbortSignal.timeout(5_000));

  it.each<[string, NonNullable<Analysis['http']>, string, RegExp]>([
    [
      '2xx and the body text, placeholders resolved: successful',
      { url: '{{base}}/healthz', body: 'version={{version}}' },
      'successful',
      /status 200/,
    ],
    [
      '2xx but the wrong body: failed',
      { url: '{{base}}/healthz', body: 'version=v3' },
      'failed',
      /body does not contain "version=v3"/,
    ],
    [
      'an explicit status that differs: failed',
      { url: '{{base}}/broken', status: 200 },
      'failed',
      /status 503, expected 200/,
    ],
    [
      'a non-2xx answer without an explicit status: failed',
      { url: '{{base}}/broken' },
      'failed',
      /status 503, expected 2xx/,
    ],
    [
      'the expected error status: successful',
      { url: '{{base}}/broken', status: 503 },
      'successful',
      /status 503/,
    ],
    [
      'slower than maxLatency: failed',
      { url: '{{base}}/slow', maxLatency: '100ms' },
      'failed',
      /latency \d+ms > 100ms/,
    ],
  ])('%s', async (_name, http, phase, message) => {
    const m = await measure(http);
    expect(m.phase).toBe(phase);
    expect(m.message).toMatch(message);
  });

  it('status, body and latency all within bounds: successful, latency as the value', async () => {
    const m = await measure({ url: `${base}/healthz`, status: 200, body: 'version=v2', maxLatency: '2s' });
    expect(m.phase).toBe('successful');
    expect(typeof m.value).toBe('number');
  });

  it('a connection refused is an error measurement, not a failure', async () => {
    const m = await measure({ url: 'http://127.0.0.1:1/healthz' });
    expect(m.phase).toBe('error');
  });

  it('a URL that is not http(s) is a UserError at its path', () => {
    expect(() => httpFactory.create('smoke', { http: { url: 'shop-api:8080/healthz' } }, env())).toThrow(
      /not an http\(s\) URL/,
    );
  });
});
