/**
 * Sandbox benchmark, over HTTPS like any client:
 *  1. list latency (median, p95) of 1,000 ConfigMaps, as JSON and as a kubectl Table;
 *  2. watch fan-out: 10 watchers, events delivered per second;
 *  3. with the runtime: 200 Deployments × 5 replicas created until all are Available.
 *
 *   npx tsx bench/sandbox.ts [--objects 1000] [--watchers 10] [--events 2000] [--deployments 200] [--replicas 5] [--no-runtime]
 */
import { Agent, request } from 'node:https';
import { performance } from 'node:perf_hooks';
import { startSandbox, type Sandbox } from '@slipway/sandbox';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

interface Client {
  call(
    method: string,
    path: string,
    body?: unknown,
    accept?: string,
  ): Promise<{ status: number; text: string }>;
  stream(path: string, onLine: (line: string) => void): () => void;
}

function client(sandbox: Sandbox): Client {
  const agent = new Agent({ keepAlive: true, maxSockets: 32, ca: sandbox.certs.caCert });
  const headers = { Authorization: `Bearer ${sandbox.token}` };
  return {
    call(method, path, body, accept = 'application/json') {
      return new Promise((resolve, reject) => {
        const req = request(
          `${sandbox.url}${path}`,
          { method, agent, headers: { ...headers, Accept: accept, 'Content-Type': 'application/json' } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
            );
          },
        );
        req.on('error', reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
      });
    },
    stream(path, onLine) {
      const req = request(
        `${sandbox.url}${path}`,
        { agent: new Agent({ ca: sandbox.certs.caCert }), headers },
        (res) => {
          let buffered = '';
          res.on('data', (c: Buffer) => {
            buffered += c.toString('utf8');
            let nl: number;
            while ((nl = buffered.indexOf('\n')) >= 0) {
              onLine(buffered.slice(0, nl));
              buffered = buffered.slice(nl + 1);
            }
          });
        },
      );
      req.on('error', () => {});
      req.end();
      return () => req.destroy();
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function listLatency(c: Client, objects: number): Promise<void> {
  await c.call('POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
  for (let i = 0; i < objects; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, objects - i) }, (_, j) =>
        c.call('POST', '/api/v1/namespaces/bench/configmaps', {
          metadata: { name: `cm-${i + j}`, labels: { bench: 'list' } },
          data: { key: 'x'.repeat(64) },
        }),
      ),
    );
  }
  for (const [label, accept] of [
    ['JSON', 'application/json'],
    ['Table', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json'],
  ] as const) {
    const samples: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t = performance.now();
      const r = await c.call('GET', '/api/v1/namespaces/bench/configmaps', undefined, accept);
      samples.push(performance.now() - t);
      if (r.status !== 200) throw new Error(`list failed: ${r.status}`);
    }
    samples.sort((a, b) => a - b);
    console.log(
      `list ${objects} ConfigMaps (${label}): median ${percentile(samples, 50).toFixed(1)} ms, p95 ${percentile(samples, 95).toFixed(1)} ms (100 requests)`,
    );
  }
}

async function watchFanOut(c: Client, watchers: number, events: number): Promise<void> {
  const list = JSON.parse((await c.call('GET', '/api/v1/namespaces/bench/configmaps?limit=1')).text) as {
    metadata: { resourceVersion: string };
  };
  const received = new Array<number>(watchers).fill(0);
  const stops = received.map((_, i) =>
    c.stream(
      `/api/v1/namespaces/bench/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion}&labelSelector=bench%3Dwatch`,
      () => received[i]!++,
    ),
  );
  await new Promise((r) => setTimeout(r, 200));
  const start = performance.now();
  for (let i = 0; i < events; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, events - i) }, (_, j) =>
        c.call('POST', '/api/v1/namespaces/bench/configmaps', {
          metadata: { name: `w-${i + j}`, labels: { bench: 'watch' } },
        }),
      ),
    );
  }
  while (received.some((n) => n < events)) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - start) / 1000;
  for (const stop of stops) stop();
  console.log(
    `watch fan-out, live: ${events} events × ${watchers} watchers delivered in ${seconds.toFixed(2)} s = ${Math.round((events * watchers) / seconds)} events/s (the ${events} writes included)`,
  );

  // The same events replayed from history to 10 new watchers at once: delivery alone.
  const replayed = new Array<number>(watchers).fill(0);
  const replayStart = performance.now();
  const replays = replayed.map((_, i) =>
    c.stream(
      `/api/v1/namespaces/bench/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion}&labelSelector=bench%3Dwatch`,
      () => replayed[i]!++,
    ),
  );
  while (replayed.some((n) => n < events)) await new Promise((r) => setTimeout(r, 2));
  const replaySeconds = (performance.now() - replayStart) / 1000;
  for (const stop of replays) stop();
  console.log(
    `watch fan-out, replay: ${events} events × ${watchers} watchers delivered in ${replaySeconds.toFixed(2)} s = ${Math.round((events * watchers) / replaySeconds)} events/s`,
  );
}

async function deploymentsAvailable(c: Client, deployments: number, replicas: number): Promise<void> {
  await c.call('POST', '/api/v1/namespaces', { metadata: { name: 'bench-apps' } });
  const start = performance.now();
  for (let i = 0; i < deployments; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, deployments - i) }, (_, j) => {
        const name = `app-${i + j}`;
        return c.call('POST', '/apis/apps/v1/namespaces/bench-apps/deployments', {
          metadata: { name },
          spec: {
            replicas,
            selector: { matchLabels: { app: name } },
            template: {
              metadata: { labels: { app: name } },
              spec: { containers: [{ name: 'app', image: 'registry.example/bench:1' }] },
            },
          },
        });
      }),
    );
  }
  const created = performance.now();
  for (;;) {
    const list = JSON.parse(
      (await c.call('GET', '/apis/apps/v1/namespaces/bench-apps/deployments')).text,
    ) as { items: { status?: { availableReplicas?: number } }[] };
    const available = list.items.filter((d) => d.status?.availableReplicas === replicas).length;
    if (available === deployments) break;
    if (performance.now() - start > 600_000)
      throw new Error(`only ${available}/${deployments} Available after 10 minutes`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const total = (performance.now() - start) / 1000;
  console.log(
    `${deployments} Deployments × ${replicas} replicas: created in ${((created - start) / 1000).toFixed(1)} s, all Available after ${total.toFixed(1)} s (${deployments * replicas} pods)`,
  );
}

const sandbox = await startSandbox({ runtime: !process.argv.includes('--no-runtime') });
const c = client(sandbox);
try {
  console.log(
    `slipway sandbox bench — node ${process.version}, ${sandbox.runtime ? 'with' : 'without'} runtime`,
  );
  await listLatency(c, arg('objects', 1000));
  await watchFanOut(c, arg('watchers', 10), arg('events', 2000));
  if (sandbox.runtime) await deploymentsAvailable(c, arg('deployments', 200), arg('replicas', 5));
  else console.log('Deployments Available: skipped (no runtime: controllers and kubelet are not running)');
} finally {
  await sandbox.stop();
}
