import { request } from 'node:http';

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
