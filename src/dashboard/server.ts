/**
 * `slipway dashboard`'s HTTP side: the page, its script, the view as JSON, and /events, a
 * Server-Sent Events stream that sends the view on connect and again whenever the release records
 * change (the caller's `watch` reports changes from a Kubernetes watch: no polling). Read-only:
 * nothing here writes. Loopback by default; on any other address a token is required, given once
 * as `?token=` (kept in an HttpOnly cookie) or as `Authorization: Bearer`.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { UserError } from '../errors.js';
import { PAGE_HTML, PAGE_SCRIPT } from './page.js';
import type { DashboardView } from './view.js';

export interface DashboardOptions {
  host: string;
  port: number;
  token?: string;
  /** Computes the view from the records now. */
  load: () => Promise<DashboardView>;
  /** Calls `changed` whenever the records may have changed, until the signal aborts. */
  watch: (changed: () => void, signal: AbortSignal) => void;
  onError?: (err: Error) => void;
}

export interface RunningDashboard {
  url: string;
  close(): Promise<void>;
}

const COOKIE = 'slipway_dashboard_token';
const KEEPALIVE_MS = 15_000;

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** Refuses a non-loopback address without a token, before anything listens. */
export function checkExposure(host: string, token: string | undefined): void {
  if (!isLoopback(host) && !token)
    throw new UserError(`${host} is not a loopback address: the dashboard needs --token there`, {
      code: 'dashboard-token',
      path: '--token',
      hint: 'pass --token with a long random value (openssl rand -hex 32), or keep the default 127.0.0.1',
    });
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function presented(req: IncomingMessage, url: URL): string | undefined {
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const cookie = (req.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim().split('='))
    .find(([k]) => k === COOKIE)?.[1];
  return bearer ?? url.searchParams.get('token') ?? (cookie ? decodeURIComponent(cookie) : undefined);
}

export async function startDashboard(opts: DashboardOptions): Promise<RunningDashboard> {
  checkExposure(opts.host, opts.token);
  const clients = new Set<ServerResponse>();
  const stop = new AbortController();
  let last = '';
  const send = (res: ServerResponse, body: string) => res.write(`event: state\ndata: ${body}\n\n`);
  // generatedAt changes on every load; only a change in what the records say is news.
  const keyOf = (view: DashboardView) => JSON.stringify({ ...view, generatedAt: '' });
  const refresh = () =>
    opts
      .load()
      .then((view) => {
        const body = JSON.stringify(view);
        const key = keyOf(view);
        if (key === last) return;
        last = key;
        for (const c of clients) send(c, body);
      })
      .catch((err: Error) => opts.onError?.(err));

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const token = opts.token;
    if (token) {
      const given = presented(req, url);
      if (!given || !same(given, token)) {
        res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('a token is required\n');
        return;
      }
    }
    const headers = (type: string) => ({
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...(token && url.searchParams.has('token')
        ? { 'set-cookie': `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/` }
        : {}),
    });
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (url.pathname === '/') {
      res
        .writeHead(200, {
          ...headers('text/html; charset=utf-8'),
          'content-security-policy': "default-src 'self'; style-src 'unsafe-inline'",
        })
        .end(PAGE_HTML);
    } else if (url.pathname === '/app.js') {
      res.writeHead(200, headers('text/javascript; charset=utf-8')).end(PAGE_SCRIPT);
    } else if (url.pathname === '/api/state') {
      opts
        .load()
        .then((view) => res.writeHead(200, headers('application/json')).end(JSON.stringify(view)))
        .catch((err: Error) => {
          opts.onError?.(err);
          res.writeHead(500, headers('text/plain; charset=utf-8')).end(`${err.message}\n`);
        });
    } else if (url.pathname === '/events') {
      res.writeHead(200, { ...headers('text/event-stream'), connection: 'keep-alive' });
      clients.add(res);
      const keepalive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS);
      req.on('close', () => {
        clearInterval(keepalive);
        clients.delete(res);
      });
      opts
        .load()
        .then((view) => {
          last = keyOf(view);
          send(res, JSON.stringify(view));
        })
        .catch((err: Error) => opts.onError?.(err));
    } else {
      res.writeHead(404, headers('text/plain; charset=utf-8')).end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL' || err.code === 'EACCES'
          ? new UserError(`cannot listen on ${opts.host}:${opts.port}: ${err.code}`, {
              code: 'dashboard-listen',
              path: '--address',
              hint: 'pick another port or an address of this machine',
            })
          : err,
      ),
    );
    server.listen(opts.port, opts.host, () => resolve());
  });
  opts.watch(() => void refresh(), stop.signal);
  const address = server.address() as { address: string; port: number };
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        stop.abort();
        for (const c of clients) c.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
