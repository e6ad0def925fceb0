/**
 * The dashboard's drift and restore-drill row, against a real Prometheus (Debian): it scrapes the
 * series `slipway metrics serve` writes from release records holding drills and those `slipway drift
 * --metrics-address` writes after a check that found drift, and each panel's query returns the
 * figures those records and that report hold.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driftExposition } from '../../src/drift/metrics.js';
import { CONTENT_TYPE, exposition } from '../../src/metrics/exposition.js';
import { dashboard } from '../../src/render/dashboards/index.js';
import type { DriftReport } from '../../src/drift/check.js';
import { prometheusBinary, startPrometheus, type RunningPrometheus } from '../engine/helpers/prometheus.js';
import { renderedInputOfFile } from '../workflows/rendered.js';
import { record } from './records.js';

const prometheus = prometheusBinary();
const SPEC = 'examples/api-web-db-redis-kafka/slipway.yaml';

describe.skipIf(!prometheus)('the drift and restore-drill row against Prometheus', () => {
  const now = Date.now();
  const releases = [
    {
      ...record({
        revision: 1,
        phase: 'deployed',
        start: new Date(now - 3_600_000).toISOString(),
        minutes: 5,
      }),
      drills: [
        {
          dependency: 'db',
          kind: 'postgres',
          at: new Date(now - 7_200_000).toISOString(),
          result: 'failed' as const,
        },
        {
          dependency: 'db',
          kind: 'postgres',
          at: new Date(now - 600_000).toISOString(),
          result: 'passed' as const,
          rtoMs: 42_000,
          rpoMs: 5_400_000,
        },
        {
          dependency: 'cache',
          kind: 'redis',
          at: new Date(now - 900_000).toISOString(),
          result: 'missed' as const,
          rtoMs: 9_000,
          rpoMs: 30_000_000,
        },
      ],
    },
  ];
  const report = {
    app: 'storefront',
    environment: 'staging',
    changed: [
      { kind: 'Deployment', namespace: 'storefront', name: 'storefront-api' },
      { kind: 'ConfigMap', namespace: 'storefront', name: 'storefront-api-config' },
    ],
    missing: [{ kind: 'Deployment', namespace: 'storefront', name: 'storefront-web' }],
    orphans: [],
  } as unknown as DriftReport;
  const checkedAt = new Date(now - 120_000);
  let server: Server;
  let prom: RunningPrometheus;
  beforeAll(async () => {
    const body =
      exposition([{ app: 'storefront', environment: 'staging', releases }], {
        now: new Date(now),
        sinceMs: 30 * 86_400_000,
      }) + driftExposition(report, ['ConfigMap', 'Deployment', 'Service'], checkedAt);
    server = createServer((_, res) => {
      res.writeHead(200, { 'Content-Type': CONTENT_TYPE });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    prom = await startPrometheus(prometheus!, [`127.0.0.1:${port}`]);
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
    await new Promise((r) => server?.close(r));
  });

  it("each panel's query returns what the records and the drift report hold", async () => {
    const value = async (expr: string) => {
      const body = await prom.query(expr.replaceAll('$environment', 'staging'));
      expect(body.status, expr).toBe('success');
      return (
        (body.data?.result ?? []) as Array<{ metric: Record<string, string>; value: [number, string] }>
      ).map((r) => [r.metric.kind ?? r.metric.dependency ?? '', Number(r.value[1])] as const);
    };
    const deadline = Date.now() + 30_000;
    while ((await value('count(slipway_drift_objects)'))[0]?.[1] !== 3) {
      if (Date.now() > deadline) throw new Error('no scrape within 30 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    const panels = dashboard(renderedInputOfFile(SPEC)).panels;
    const row = panels.findIndex((p) => p.type === 'row' && p.title.startsWith('Drift and restore drills'));
    const ops = panels.slice(row + 1, row + 7);
    const query = (title: string, ref = 'A') =>
      ops.find((p) => p.title === title)!.targets!.find((t) => t.refId === ref)!.expr;
    expect(await value(query('Drifted objects'))).toEqual([['', 3]]);
    expect(Object.fromEntries(await value(query('Drifted objects', 'B')))).toEqual({
      ConfigMap: 1,
      Deployment: 2,
    });
    const sinceCheck = (await value(query('Since the last drift check')))[0]![1];
    expect(sinceCheck).toBeGreaterThanOrEqual(120);
    expect(sinceCheck).toBeLessThan(3600);
    // The newest drill per dependency: db passed at its second drill; the cache missed its RPO target.
    expect(Object.fromEntries(await value(query('Restore drill passed (1) or failed (0)')))).toEqual({
      cache: 0,
      db: 1,
    });
    expect(Object.fromEntries(await value(query('Restore drill RTO')))).toEqual({ cache: 9, db: 42 });
    expect(Object.fromEntries(await value(query('Restore drill RPO')))).toEqual({ cache: 30_000, db: 5_400 });
    const ages = Object.fromEntries(await value(query('Since the last restore drill')));
    expect(ages.db).toBeGreaterThanOrEqual(600);
    expect(ages.cache).toBeGreaterThanOrEqual(900);
  }, 60_000);

  it('without backups in any environment, the row has only the drift panels', () => {
    const panels = dashboard(renderedInputOfFile('examples/sample-service/slipway.yaml')).panels;
    const row = panels.findIndex((p) => p.type === 'row' && p.title.startsWith('Drift and restore drills'));
    const next = panels.findIndex((p, i) => i > row && p.type === 'row');
    expect(panels.slice(row + 1, next < 0 ? undefined : next).map((p) => p.title)).toEqual([
      'Drifted objects',
      'Since the last drift check',
    ]);
  });
});
