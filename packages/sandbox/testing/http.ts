import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** One GET on a fresh loopback connection; resolves with the status (0 on a network error) and body, never throws. */
export function get(port: number, path = '/'): Promise<{ code: number; body: string }> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => done({ code: res.statusCode ?? 0, body }));
      res.on('error', (e) => done({ code: 0, body: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => done({ code: 0, body: e.message }));
    req.end();
  });
}

/** One HTTPS request to a sandbox's API; resolves with the status, headers and body text. */
export function apiCall(
  sandbox: { url: string; token: string; certs: { caCert: string } },
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; userAgent?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${sandbox.url}${path}`,
      {
        method,
        headers: {
          Authorization: `Bearer ${opts.token ?? sandbox.token}`,
          'Content-Type': 'application/json',
          Accept: 'application/json',
          ...(opts.userAgent ? { 'User-Agent': opts.userAgent } : {}),
        },
        ca: sandbox.certs.caCert,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body === undefined ? undefined : JSON.stringify(opts.body));
  });
}
