import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { exposition } from '../../src/metrics/exposition.js';
import { startExporter } from '../../src/metrics/serve.js';
import { record } from './records.js';

const window = { now: new Date('2026-03-31T00:00:00Z'), sinceMs: 30 * 86_400_000 };
const releases = [
  record({ revision: 1, phase: 'superseded', start: '2026-03-02T10:00:00Z', minutes: 5 }),
  record({ revision: 2, phase: 'rolled-back', start: '2026-03-03T10:00:00Z', minutes: 4, revertMinutes: 2 }),
  record({ revision: 3, phase: 'deployed', start: '2026-03-04T10:00:00Z', minutes: 50 }),
];
const text = exposition([{ app: 'shop', environment: 'production', releases }], window);
const line = (prefix: string) => text.split('\n').find((l) => l.startsWith(prefix));

function promtool(): string | undefined {
  if (spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim()) return 'promtool';
  if (process.env.CI === 'true') throw new Error('promtool is missing (apt-get install prometheus)');
  console.warn('[skip] promtool not installed: the exposition is not linted');
  return undefined;
}

describe('the Prometheus exposition of the release records', () => {
  it('counters by result, the revision serving, cumulative duration buckets', () => {
    expect(line('slipway_deployments_total{app="shop",environment="production",result="succeeded"}')).toMatch(
      / 2$/,
    );
    expect(
      line('slipway_deployments_total{app="shop",environment="production",result="rolled-back"}'),
    ).toMatch(/ 1$/);
    expect(line('slipway_rollbacks_total{')).toMatch(/ 1$/);
    expect(line('slipway_release_revision{')).toMatch(/ 3$/);
    // durations 300 s, 360 s (4 min and the 2-minute switch back), 3000 s
    expect(
      line('slipway_deploy_duration_seconds_bucket{app="shop",environment="production",le="300"}'),
    ).toMatch(/ 1$/);
    expect(
      line('slipway_deploy_duration_seconds_bucket{app="shop",environment="production",le="600"}'),
    ).toMatch(/ 2$/);
    expect(
      line('slipway_deploy_duration_seconds_bucket{app="shop",environment="production",le="+Inf"}'),
    ).toMatch(/ 3$/);
    expect(line('slipway_deploy_duration_seconds_sum{')).toMatch(/ 3660$/);
    expect(line('slipway_change_failure_ratio{')).toBe(
      'slipway_change_failure_ratio{app="shop",environment="production"} 0.3333333333333333',
    );
    expect(line('slipway_recovery_time_seconds{app="shop",environment="production",quantile="0.5"}')).toMatch(
      / 120$/,
    );
  });

  it('no sample, no ratio or quantile (0 would read as elite); counts stay', () => {
    const empty = exposition([{ app: 'shop', environment: 'dev', releases: [] }], window);
    expect(empty).not.toMatch(/slipway_change_failure_ratio\{/);
    expect(empty).not.toMatch(/quantile=/);
    expect(empty).toContain('slipway_lead_time_seconds_count{app="shop",environment="dev"} 0');
  });

  it('label values are escaped; no label carries a version or SHA', () => {
    const odd = exposition([{ app: 'a"b\\c', environment: 'x\ny', releases }], window);
    expect(odd).toContain('app="a\\"b\\\\c",environment="x\\ny"');
    const labels = new Set([...text.matchAll(/[{,]([a-z_]+)="/g)].map((m) => m[1]));
    expect([...labels].sort()).toEqual(['app', 'environment', 'le', 'quantile', 'result']);
  });

  it('promtool check metrics accepts it', () => {
    const tool = promtool();
    if (!tool) return;
    expect(() => execFileSync(tool, ['check', 'metrics'], { input: text, stdio: 'pipe' })).not.toThrow();
  });
});

describe('the exporter', () => {
  it('answers /metrics from the records at each scrape; 404 elsewhere, 405 for writes, 500 when the records cannot be read', async () => {
    let reads = 0;
    let failing = false;
    const errors: string[] = [];
    const exporter = await startExporter({
      host: '127.0.0.1',
      port: 0,
      read: async () => {
        reads++;
        if (failing) throw new Error('the API server refused: Forbidden');
        return [{ app: 'shop', environment: 'production', releases }];
      },
      window: () => window,
      onError: (err) => errors.push(err.message),
    });
    try {
      const ok = await fetch(`${exporter.url}/metrics`);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(await ok.text()).toBe(text);
      await fetch(`${exporter.url}/metrics`);
      expect(reads).toBe(2);
      expect((await fetch(`${exporter.url}/other`)).status).toBe(404);
      expect((await fetch(`${exporter.url}/metrics`, { method: 'POST' })).status).toBe(405);
      failing = true;
      const broken = await fetch(`${exporter.url}/metrics`);
      expect(broken.status).toBe(500);
      expect(await broken.text()).toContain('the API server refused: Forbidden');
      expect(errors).toEqual(['the API server refused: Forbidden']);
    } finally {
      await exporter.close();
    }
  });
});
