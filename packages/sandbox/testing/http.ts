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

/**
 * One HTTPS request to a sandbox's API as its admin (or `token`; `null`: no Authorization header);
 * resolves with the status, headers and body text. `body` is sent as JSON, `raw` as it is.
 */
export function apiCall(
  sandbox: { url: string; token: string; certs: { caCert: string } },
  method: string,
  path: string,
  opts: {
    body?: unknown;
    raw?: string;
    token?: string | null;
    userAgent?: string;
    contentType?: string;
    accept?: string;
  } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${sandbox.url}${path}`,
      {
        method,
        headers: {
          ...(opts.token === null ? {} : { Authorization: `Bearer ${opts.token ?? sandbox.token}` }),
          'Content-Type': opts.contentType ?? 'application/json',
          Accept: opts.accept ?? 'application/json',
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
    req.end(opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)));
  });
}

/** apiCall with the body read as JSON, and the Warning header admission answers with. */
export async function apiJson(
  sandbox: Parameters<typeof apiCall>[0],
  method: string,
  path: string,
  opts: Parameters<typeof apiCall>[3] = {},
): Promise<{ status: number; warning?: string; body: Record<string, unknown> }> {
  const reply = await apiCall(sandbox, method, path, opts);
  return {
    status: reply.status,
    warning: reply.headers.warning as string | undefined,
    body: JSON.parse(reply.text) as Record<string, unknown>,
  };
}
