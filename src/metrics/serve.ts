/**
 * `slipway metrics serve`: an HTTP endpoint Prometheus scrapes. Each scrape of /metrics reads the
 * release records afresh and writes the exposition, so the figures are always the records' figures
 * and the exporter keeps no state of its own (restart it anywhere, run two: same numbers).
 */
import { createServer, type Server } from 'node:http';
import { UserError } from '../errors.js';
import type { TargetRecords } from './collect.js';
import type { MetricsWindow } from './dora.js';
import { CONTENT_TYPE, exposition } from './exposition.js';

export interface ExporterOptions {
  host: string;
  port: number;
  /** Reads the records of every target environment (the cluster, or a store in tests). */
  read: () => Promise<TargetRecords[]>;
  /** The window ending now; called per scrape. */
  window: () => MetricsWindow;
  /** A scrape that could not read the records (it answers 500 too). */
  onError?: (err: Error) => void;
}

export interface MetricsServerOptions {
  host: string;
  port: number;
  /** The exposition text, computed per scrape. */
  body: () => Promise<string>;
  onError?: (err: Error) => void;
  /** What `--address` flag the listen error names. */
  flag?: string;
}

export interface RunningExporter {
  url: string;
  close(): Promise<void>;
}

/** `127.0.0.1:9464`, `[::1]:9464`, `0.0.0.0:9464`. */
export function parseAddress(text: string, flag = '--address'): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 0 || port > 65535)
    throw new UserError(`${JSON.stringify(text)} is not an address such as 127.0.0.1:9464`, {
      code: 'metrics-address',
      path: flag,
      hint: 'host:port with a port up to 65535; [::1]:9464 for IPv6; port 0 picks a free one',
    });
  return { host: m[1] ?? m[2]!, port };
}

/** The release-record exporter of `slipway metrics serve`. */
export function startExporter(opts: ExporterOptions): Promise<RunningExporter> {
  return startMetricsServer({
    host: opts.host,
    port: opts.port,
    onError: opts.onError,
    body: async () => exposition(await opts.read(), opts.window()),
  });
}

/** An HTTP server answering /metrics with `body()` (Prometheus text format). */
export async function startMetricsServer(opts: MetricsServerOptions): Promise<RunningExporter> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/') {
      res
        .writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
        .end('slipway metrics: see /metrics\n');
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: try /metrics\n');
      return;
    }
    opts
      .body()
      .then((text) => {
        res.writeHead(200, { 'content-type': CONTENT_TYPE }).end(text);
      })
      .catch((err: Error) => {
        opts.onError?.(err);
        res
          .writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
          .end(`computing the metrics failed: ${err.message}\n`);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL' || err.code === 'EACCES'
          ? new UserError(`cannot listen on ${opts.host}:${opts.port}: ${err.code}`, {
              code: 'metrics-listen',
              path: opts.flag ?? '--address',
              hint: 'pick another port or an address of this machine',
            })
          : err,
      ),
    );
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address() as { address: string; port: number };
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
