/**
 * Sandbox benchmark, over HTTPS like any client, the machine's load average first:
 *  1. the sandbox holds 10,000 ConfigMaps; read latency p50/p99 of a whole list, a paged walk
 *     (limit 500), a label-selected list and a get, and watch latency (a write until its event has
 *     reached all 10 watchers), side by side with a floor server in the same process (same TLS, same
 *     bytes, no store: see startFloor), interleaved over 5 rounds;
 *  2. watch fan-out: 10 watchers, events delivered per second;
 *  3. with the runtime: 200 Deployments × 5 replicas created until all are Available.
 *
 *   npx tsx bench/sandbox.ts [--objects 10000] [--runs 5] [--samples 50] [--watchers 10] [--events 2000]
 *                            [--deployments 200] [--replicas 5] [--no-runtime]
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { startSandbox, type Sandbox } from '@slipway/sandbox';
import { loadLine, percentile } from './measure.js';

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

function client(sandbox: Pick<Sandbox, 'url' | 'token' | 'certs'>): Client {
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

/**
 * The reference, in the same process and over the same TLS: a bare HTTPS server that answers every
 * GET with bytes it already holds (the sandbox's own list of the same objects) and pushes one watch
 * line to its open streams per POST. What it costs is the floor any API server pays (TLS, transfer,
 * the client reading the body); sandbox ÷ floor is what the sandbox's store, selectors, paging and
 * serialization add.
 */
async function startFloor(
  sandbox: Sandbox,
  bodies: Map<string, string>,
): Promise<{ url: string; stop(): Promise<void> }> {
  const streams = new Set<ServerResponse>();
  const server = createServer(
    { cert: sandbox.certs.serverCert, key: sandbox.certs.serverKey },
    (req: IncomingMessage, res: ServerResponse) => {
      if (req.method === 'POST') {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const object = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
          const line = `${JSON.stringify({ type: 'ADDED', object })}\n`;
          for (const stream of streams) stream.write(line);
          res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify(object));
        });
        return;
      }
      if (req.url?.includes('watch=true')) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
        res.flushHeaders();
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return;
      }
      const body = bodies.get(req.url ?? '');
      if (body === undefined) res.writeHead(404).end();
      else res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((r) => {
        for (const stream of streams) stream.destroy();
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

interface Query {
  label: string;
  path: string;
  /** Follow `metadata.continue` to the end (one sample = the whole walk). */
  pages?: boolean;
}

async function timeQuery(c: Client, q: Query): Promise<number> {
  const t = performance.now();
  let path = q.path;
  for (;;) {
    const r = await c.call('GET', path);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`);
    const body = JSON.parse(r.text) as { metadata?: { continue?: string } };
    const next = body.metadata?.continue;
    if (!q.pages || !next) break;
    path = `${q.path}&continue=${encodeURIComponent(next)}`;
  }
  return performance.now() - t;
}

/** The bytes the floor answers for a query: the sandbox's own responses (each page for a paged walk). */
async function recordBodies(c: Client, q: Query, into: Map<string, string>): Promise<void> {
  let path = q.path;
  for (;;) {
    const r = await c.call('GET', path);
    const body = JSON.parse(r.text) as { metadata?: { continue?: string } };
    into.set(path, r.text);
    const next = body.metadata?.continue;
    if (!q.pages || !next) break;
    path = `${q.path}&continue=${encodeURIComponent(next)}`;
  }
}

function row(label: string, s: number[], f: number[]): string {
  const [sp50, sp99, fp50, fp99] = [
    percentile(s, 50),
    percentile(s, 99),
    percentile(f, 50),
    percentile(f, 99),
  ];
  return `| ${label} | ${sp50.toFixed(1)} | ${sp99.toFixed(1)} | ${fp50.toFixed(1)} | ${fp99.toFixed(1)} | ${(sp50 / fp50).toFixed(2)}x | ${(sp99 / fp99).toFixed(2)}x |`;
}

/** Fill the sandbox with `objects` ConfigMaps, then time reads against the sandbox and the floor, interleaved. */
async function listLatency(sandbox: Sandbox, c: Client, objects: number, rounds: number): Promise<void> {
  await c.call('POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
  const fillStart = performance.now();
  for (let i = 0; i < objects; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, objects - i) }, (_, j) =>
        c.call('POST', '/api/v1/namespaces/bench/configmaps', {
          metadata: { name: `cm-${i + j}`, labels: { bench: 'list', shard: `s${(i + j) % 100}` } },
          data: { key: 'x'.repeat(64) },
        }),
      ),
    );
  }
  const fillSeconds = (performance.now() - fillStart) / 1000;
  console.log(
    `held: ${objects} ConfigMaps, created in ${fillSeconds.toFixed(1)} s (${Math.round(objects / fillSeconds)} creates/s, 50 at a time)`,
  );
  const base = '/api/v1/namespaces/bench/configmaps';
  const queries: Query[] = [
    { label: `list all ${objects}`, path: base },
    { label: `list all, pages of 500`, path: `${base}?limit=500`, pages: true },
    { label: `list by label (1%)`, path: `${base}?labelSelector=shard%3Ds7` },
    { label: `get one by name`, path: `${base}/cm-${Math.floor(objects / 2)}` },
  ];
  const bodies = new Map<string, string>();
  for (const q of queries) await recordBodies(c, q, bodies);
  const floorServer = await startFloor(sandbox, bodies);
  const floor = client({ url: floorServer.url, token: sandbox.token, certs: sandbox.certs });
  console.log(
    `\nreads (${rounds} rounds, interleaved; each round ${SAMPLES} samples per query per server); ms:\n`,
  );
  console.log('| query | sandbox p50 | sandbox p99 | floor p50 | floor p99 | p50 ratio | p99 ratio |');
  console.log('|---|---|---|---|---|---|---|');
  try {
    for (const q of queries) {
      const s: number[] = [];
      const f: number[] = [];
      const samples = q.label.startsWith('list all') ? Math.max(5, Math.round(SAMPLES / 5)) : SAMPLES;
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < samples; i++) s.push(await timeQuery(c, q));
        for (let i = 0; i < samples; i++) f.push(await timeQuery(floor, q));
      }
      console.log(row(q.label, s, f));
    }
    await watchLatency(c, floor, rounds);
  } finally {
    await floorServer.stop();
  }
}

/**
 * Watch latency: one write at a time; from the write's request to the event reaching every one of
 * WATCHERS open watches (the slowest of them). Against the floor the same, with its push.
 */
async function watchLatency(c: Client, floor: Client, rounds: number): Promise<void> {
  const measure = async (target: Client, prefix: string): Promise<number[]> => {
    const rv = JSON.parse((await c.call('GET', '/api/v1/namespaces/bench/configmaps?limit=1')).text) as {
      metadata: { resourceVersion: string };
    };
    const waiting = new Map<string, { left: number; done: () => void }>();
    const stops = Array.from({ length: WATCHERS }, () =>
      target.stream(
        `/api/v1/namespaces/bench/configmaps?watch=true&resourceVersion=${rv.metadata.resourceVersion}&labelSelector=bench%3Dlatency`,
        (line) => {
          const name = (JSON.parse(line) as { object: { metadata: { name: string } } }).object.metadata.name;
          const w = waiting.get(name);
          if (w && --w.left === 0) w.done();
        },
      ),
    );
    await new Promise((r) => setTimeout(r, 300));
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const name = `${prefix}-${i}`;
      const delivered = new Promise<void>((done) => waiting.set(name, { left: WATCHERS, done }));
      const t = performance.now();
      await target.call('POST', '/api/v1/namespaces/bench/configmaps', {
        metadata: { name, namespace: 'bench', labels: { bench: 'latency' } },
      });
      await delivered;
      samples.push(performance.now() - t);
    }
    for (const stop of stops) stop();
    return samples;
  };
  const s: number[] = [];
  const f: number[] = [];
  for (let round = 0; round < rounds; round++) {
    s.push(...(await measure(c, `lat-${round}`)));
    f.push(...(await measure(floor, `lat-${round}`)));
  }
  console.log(row(`write → event at all ${WATCHERS} watchers`, s, f));
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

const SAMPLES = arg('samples', 50);
const WATCHERS = arg('watchers', 10);
const sandbox = await startSandbox({ runtime: !process.argv.includes('--no-runtime') });
const c = client(sandbox);
try {
  console.log(`slipway sandbox bench — ${loadLine()}, ${sandbox.runtime ? 'with' : 'without'} runtime`);
  await listLatency(sandbox, c, arg('objects', 10_000), Math.max(5, arg('runs', 5)));
  console.log('');
  await watchFanOut(c, WATCHERS, arg('events', 2000));
  if (sandbox.runtime) await deploymentsAvailable(c, arg('deployments', 200), arg('replicas', 5));
  else console.log('Deployments Available: skipped (no runtime: controllers and kubelet are not running)');
} finally {
  await sandbox.stop();
}
