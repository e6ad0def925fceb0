/**
 * The Prometheus provider against a real Prometheus scraping an in-test service whose
 * `http_requests_total{code}` counters grow with a 5% error rate.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/engine/clock.js';
import { prometheusFactory } from '../../../src/engine/analysis/prometheus.js';
import { runAnalysis } from '../../../src/engine/analysis/run.js';
import { MemoryCluster } from '../../../src/cluster/memory.js';
import type { Analysis } from '../../../src/spec/schema.js';
import {
  prometheusBinary,
  startPrometheus,
  waitForData,
  type RunningPrometheus,
} from '../helpers/prometheus.js';

const binary = prometheusBinary();
const ERROR_RATE =
  'sum(rate(http_requests_total{job="sample",code=~"5.."}[5s])) / sum(rate(http_requests_total{job="sample"}[5s]))';

describe.skipIf(!binary)('Prometheus analysis provider (real Prometheus)', () => {
  let prom: RunningPrometheus;
  let service: Server;
  let ticker: NodeJS.Timeout;
  const counters = { '200': 0, '500': 0 };

  beforeAll(async () => {
    // 19 successes and 1 server error per tick: an error rate of exactly 5%.
    ticker = setInterval(() => {
      counters['200'] += 19;
      counters['500'] += 1;
    }, 50);
    service = createServer((_req, res) => {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(
        [
          '# HELP http_requests_total Requests served.',
          '# TYPE http_requests_total counter',
          ...Object.entries(counters).map(([code, n]) => `http_requests_total{code="${code}"} ${n}`),
          '',
        ].join('\n'),
      );
    });
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
    const port = (service.address() as { port: number }).port;
    prom = await startPrometheus(binary!, [`127.0.0.1:${port}`]);
    await waitForData(prom, ERROR_RATE);
  });

  afterAll(async () => {
    clearInterval(ticker);
    await prom?.stop();
    await new Promise((r) => service?.close(r));
  });

  const env = () => ({
    cluster: new MemoryCluster(),
    clock: systemClock,
    namespace: 'shop',
    vars: { job: 'sample' },
    prometheusAddress: prom.url,
  });
  const measure = (spec: Analysis) =>
    prometheusFactory.create('errorRate', spec, env()).measure(AbortSignal.timeout(15_000));

  it('measures the error rate and fails it against max 0.01', async () => {
    const m = await measure({ prometheus: { query: ERROR_RATE }, max: 0.01 });
    expect(m.phase).toBe('failed');
    expect(m.value as number).toBeCloseTo(0.05, 3);
    expect(m.message).toMatch(/> max 0\.01/);
  });

  it('passes the same query against max 0.1, with the placeholder resolved', async () => {
    const provider = prometheusFactory.create(
      'errorRate',
      {
        prometheus: { query: ERROR_RATE.replaceAll('"sample"', '"{{job}}"') },
        successCondition: { max: 0.1 },
      },
      env(),
    );
    expect(provider.resolved.query).toBe(ERROR_RATE);
    const m = await provider.measure(AbortSignal.timeout(15_000));
    expect(m.phase).toBe('successful');
  });

  it('a min condition: the success rate must be at least 0.99', async () => {
    const m = await measure({ prometheus: { query: `1 - (${ERROR_RATE})` }, min: 0.99 });
    expect(m.phase).toBe('failed');
    expect(m.value as number).toBeCloseTo(0.95, 3);
  });

  it('an empty result is inconclusive by default, and what noData says otherwise', async () => {
    const empty = 'sum(rate(http_requests_total{job="sample",code="503"}[5s]))';
    expect((await measure({ prometheus: { query: empty }, max: 0 })).phase).toBe('inconclusive');
    expect((await measure({ prometheus: { query: empty }, max: 0, noData: 'fail' })).phase).toBe('failed');
    expect((await measure({ prometheus: { query: empty }, max: 0, noData: 'pass' })).phase).toBe(
      'successful',
    );
    const nan = await measure({ prometheus: { query: 'vector(0) / vector(0)' }, max: 1 });
    expect(nan.phase).toBe('inconclusive');
    expect(nan.message).toContain('no data');
  });

  it('a query Prometheus rejects is an error measurement, not a failure', async () => {
    const m = await measure({ prometheus: { query: 'sum(rate(' }, max: 1 });
    expect(m.phase).toBe('error');
    expect(m.message).toMatch(/bad_data|parse/);
  });

  it('an analysis run of three measurements one second apart fails on the first with failureLimit 0', async () => {
    const spec: Analysis = { prometheus: { query: ERROR_RATE }, max: 0.01, count: 3, interval: '1s' };
    const run = await runAnalysis({
      name: 'errorRate',
      spec,
      provider: prometheusFactory.create('errorRate', spec, env()),
      clock: systemClock,
      signal: AbortSignal.timeout(20_000),
    });
    expect(run.phase).toBe('failed');
    expect(run.measurements).toHaveLength(1);
    expect(run.resolved.query).toBe(ERROR_RATE);
  });

  it('an analysis run passes after count measurements when the condition holds', async () => {
    const spec: Analysis = { prometheus: { query: ERROR_RATE }, max: 0.1, count: 2, interval: '1s' };
    const run = await runAnalysis({
      name: 'errorRate',
      spec,
      provider: prometheusFactory.create('errorRate', spec, env()),
      clock: systemClock,
      signal: AbortSignal.timeout(20_000),
    });
    expect(run.phase).toBe('successful');
    expect(run.measurements.map((m) => m.phase)).toEqual(['successful', 'successful']);
  });
});

describe('Prometheus provider without a server', () => {
  it('an unreachable Prometheus is an error measurement naming the address', async () => {
    const provider = prometheusFactory.create(
      'errorRate',
      { prometheus: { query: 'up', address: 'http://127.0.0.1:1' }, max: 1 },
      { cluster: new MemoryCluster(), clock: systemClock, namespace: 'shop', vars: {} },
    );
    const m = await provider.measure(AbortSignal.timeout(5_000));
    expect(m.phase).toBe('error');
    expect(m.message).toContain('http://127.0.0.1:1');
  });

  it('a spec without a condition or address is a UserError at its path', () => {
    const env = { cluster: new MemoryCluster(), clock: systemClock, namespace: 'shop', vars: {} };
    expect(() =>
      prometheusFactory.create('errorRate', { prometheus: { query: 'up', address: 'http://p:9090' } }, env),
    ).toThrow(/success condition/);
    expect(() => prometheusFactory.create('errorRate', { prometheus: { query: 'up' }, max: 1 }, env)).toThrow(
      /no Prometheus address/,
    );
    try {
      prometheusFactory.create('errorRate', { prometheus: { query: 'up' }, max: 1 }, env);
    } catch (error) {
      // The deploy flags that get past it, not only the spec field.
      expect((error as { hint?: string }).hint).toMatch(/--prometheus-url URL.*--skip-analysis/);
    }
    expect(() =>
      prometheusFactory.create(
        'errorRate',
        { prometheus: { query: 'up{svc="{{nope}}"}', address: 'http://p:9090' }, max: 1 },
        env,
      ),
    ).toThrow(/unknown placeholder \{\{nope\}\}/);
  });
});
