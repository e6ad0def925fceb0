/** The dashboard server without a browser: loopback by default, a token anywhere else, read-only, SSE on change. */
import { describe, expect, it } from 'vitest';
import { checkExposure, isLoopback, startDashboard } from '../../src/dashboard/server.js';
import { dashboardView } from '../../src/dashboard/view.js';
import { record } from '../metrics/records.js';

const now = new Date('2026-03-31T00:00:00Z');
const DAY = 86_400_000;
const view = (revisions: number) =>
  dashboardView(
    'shop',
    [
      {
        environment: 'staging',
        namespace: 'shop',
        releases: [record({ revision: 1, phase: 'deployed', start: '2026-03-29T10:00:00Z', minutes: 5 })],
        workloads: [{ kind: 'Deployment', name: 'shop-web', ready: 2, desired: 2 }],
      },
      {
        environment: 'production',
        namespace: 'shop',
        releases: Array.from({ length: revisions }, (_, i) =>
          record({ revision: i + 1, phase: 'superseded', start: `2026-03-0${i + 1}T10:00:00Z`, minutes: 5 }),
        ),
        workloads: [],
      },
    ],
    now,
    30 * DAY,
  );

describe('dashboard view', () => {
  it('what one environment serves that the next does not; an eight-week trend, oldest first', () => {
    const v = view(2);
    expect(v.differences).toEqual([
      {
        ahead: 'staging',
        behind: 'production',
        services: [{ service: 'web', ahead: 'registry.example/shop:1' }],
      },
    ]);
    const production = v.environments[1]!;
    expect(production.serving).toBeUndefined();
    expect(production.timeline.map((t) => t.revision)).toEqual([2, 1]);
    expect(production.trend).toHaveLength(8);
    // 2026-03-01 and -02 fall in the week ending 2026-03-03 (the fourth of eight ending 2026-03-31)
    expect(production.trend.map((t) => t.deploys)).toEqual([0, 0, 0, 2, 0, 0, 0, 0]);
    expect(production.trend[3]!.weekEnding).toBe('2026-03-03T00:00:00.000Z');
  });
});

describe('dashboard server', () => {
  it('refuses a non-loopback address without a token (exit 2), accepts loopback', () => {
    expect(() => checkExposure('0.0.0.0', undefined)).toThrow(
      /not a loopback address: the dashboard needs --token/,
    );
    expect(() => checkExposure('192.168.1.5', 't0ken')).not.toThrow();
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1'].some(isLoopback)).toBe(false);
  });

  it('with a token: 401 without it, the page with ?token= sets a cookie the script and stream then use; writes are refused', async () => {
    const dashboard = await startDashboard({
      host: '127.0.0.1',
      port: 0,
      token: 'secret-token',
      load: async () => view(1),
      watch: () => undefined,
    });
    try {
      expect((await fetch(dashboard.url)).status).toBe(401);
      expect((await fetch(`${dashboard.url}?token=wrong`)).status).toBe(401);
      const page = await fetch(`${dashboard.url}?token=secret-token`);
      expect(page.status).toBe(200);
      const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
      expect(cookie).toBe('slipway_dashboard_token=secret-token');
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect((await fetch(`${dashboard.url}app.js`, { headers: { cookie } })).status).toBe(200);
      const state = await fetch(`${dashboard.url}api/state`, {
        headers: { authorization: 'Bearer secret-token' },
      });
      expect(((await state.json()) as { app: string }).app).toBe('shop');
      expect((await fetch(`${dashboard.url}api/state`, { method: 'POST', headers: { cookie } })).status).toBe(
        405,
      );
    } finally {
      await dashboard.close();
    }
  });

  it('/events sends the view on connect and again when the watch reports a change that changes it', async () => {
    let revisions = 1;
    let changed: () => void = () => undefined;
    const dashboard = await startDashboard({
      host: '127.0.0.1',
      port: 0,
      load: async () => view(revisions),
      watch: (c) => (changed = c),
    });
    const abort = new AbortController();
    try {
      const res = await fetch(`${dashboard.url}events`, { signal: abort.signal });
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      const reader = res.body!.getReader();
      const events: string[] = [];
      let buffer = '';
      const next = async () => {
        while (!buffer.includes('\n\n')) buffer += new TextDecoder().decode((await reader.read()).value);
        const event = buffer.slice(0, buffer.indexOf('\n\n'));
        buffer = buffer.slice(event.length + 2);
        events.push(event);
        return JSON.parse(event.split('data: ')[1]!) as ReturnType<typeof view>;
      };
      expect((await next()).environments[1]!.timeline).toHaveLength(1);
      changed(); // same records: the first refresh only primes the comparison
      revisions = 2;
      changed();
      expect((await next()).environments[1]!.timeline).toHaveLength(2);
      expect(events.every((e) => e.startsWith('event: state\ndata: '))).toBe(true);
    } finally {
      abort.abort();
      await dashboard.close();
    }
  });
});
