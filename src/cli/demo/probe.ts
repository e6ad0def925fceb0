/** Which versions a Service answers with right now: GET / a few times, each on a new connection. */
import http from 'node:http';

const PROBE_TIMEOUT_MS = 5000;

/**
 * A new connection per request (a pooled one would stay on the pod it first reached), one after
 * the other; counts answers by version, and failures as `failed: <reason>`.
 */
export async function versionsAnswering(port: number, requests: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < requests; i++) {
    const answer = await versionOf(port).catch((err: Error) => `failed: ${err.message}`);
    seen[answer] = (seen[answer] ?? 0) + 1;
  }
  return seen;
}

/** GET / through the Service port on a new connection: the version that answered (a non-200 answer rejects). */
export function versionOf(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: '/', agent: false, timeout: PROBE_TIMEOUT_MS },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          try {
            const version = (JSON.parse(body) as { version?: unknown }).version;
            if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode} from ${String(version)}`));
            else resolve(String(version));
          } catch {
            reject(new Error(`HTTP ${res.statusCode}, not JSON`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
