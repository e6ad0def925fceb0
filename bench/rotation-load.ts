/**
 * Where the request rate of the rotation e2e (test/e2e/secrets-rotate-db.test.ts) goes: the same
 * sandbox, app and database (test/e2e/rotation-fixture.ts), measured one hop at a time with
 * Slipway's load client (its own process) in three ways, and Debian `wrk` where installed:
 *
 *   npx tsx --conditions=source bench/rotation-load.ts [SECONDS]
 *
 * - `new conn`: a closed loop, 8 requests in flight, a new connection per request (the load of the
 *   rotation e2e, ROTATION_LOAD, and of the deploy e2e suites, every request through the proxy's endpoint choice); wrk with `Connection: close`;
 * - `keep-alive`: a closed loop over 8 keep-alive connections (the client paced at a rate it cannot
 *   reach); wrk's default;
 * - `paced`: PACED_LOAD (100 requests a second over at most 32 keep-alive connections): the rate reached, the 99th percentile latency, the slots skipped because every
 *   connection was busy.
 * Rows: a service without a database (sample-service) and the rotation app (PostgreSQL, pooled
 * connections that log in again after 1 s), each through the sandbox's Service proxy and straight
 * at one pod's port; then the rotation app run on the host against PostgreSQL's pod port and its
 * Service port (the database hop alone). `cpu` is the CPU time of this process, which hosts the
 * sandbox (API server, controllers and every Service proxy), per second of wall time, during the
 * `new conn` and the `paced` runs. The machine's load average is printed first: the figures vary
 * with it.
 */
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { startLoad, type LoadOptions, type LoadStats } from '../src/cli/demo/load.js';
import { servicePort } from '../src/cli/demo/sandbox.js';
import {
  missingDatabaseTools,
  ROTATION_APP,
  PACED_LOAD,
  startRotationSandbox,
} from '../test/e2e/rotation-fixture.js';
import { loadLine } from './measure.js';

const run = promisify(execFile);
const SECONDS = Number(process.argv[2] ?? 5);
const IN_FLIGHT = 8;

interface Row {
  what: string;
  newConn: LoadStats & { cpu: number };
  keepAlive: LoadStats;
  paced: LoadStats & { cpu: number };
  wrkClose: number | undefined;
  wrkKeepAlive: number | undefined;
}

async function haveWrk(): Promise<boolean> {
  return run('wrk', ['--version']).then(
    () => true,
    (e: { stdout?: string }) => /^wrk /.test(e.stdout ?? ''),
  );
}

/** CPU of this process (the sandbox) while fn runs, as % of one core per wall second. */
async function withCpu<T>(fn: () => Promise<T>): Promise<{ value: T; cpu: number }> {
  const before = process.cpuUsage();
  const start = performance.now();
  const value = await fn();
  const used = process.cpuUsage(before);
  return { value, cpu: ((used.user + used.system) / 1000 / (performance.now() - start)) * 100 };
}

async function load(port: number, opts: LoadOptions): Promise<LoadStats & { cpu: number }> {
  const { value, cpu } = await withCpu(async () => {
    const running = await startLoad(port, { ...opts, maxSeconds: SECONDS * 4 });
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    return running.stop();
  });
  return { ...value, cpu };
}

async function wrkRate(port: number, keepAlive: boolean): Promise<number> {
  const close = keepAlive ? [] : ['-H', 'Connection: close'];
  const out = await run('wrk', [
    '-t2',
    `-c${IN_FLIGHT}`,
    `-d${SECONDS}s`,
    ...close,
    `http://127.0.0.1:${port}/`,
  ]);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out.stdout)?.[1]);
}

async function measure(what: string, port: number, wrk: boolean): Promise<Row> {
  return {
    what,
    newConn: await load(port, { concurrency: IN_FLIGHT }),
    keepAlive: await load(port, { concurrency: IN_FLIGHT, rate: 100_000 }),
    paced: await load(port, PACED_LOAD),
    wrkClose: wrk ? await wrkRate(port, false) : undefined,
    wrkKeepAlive: wrk ? await wrkRate(port, true) : undefined,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The rotation app as a host process against a given PostgreSQL address. */
async function hostApp(databaseUrl: string): Promise<{ port: number; stop(): void }> {
  const port = await freePort();
  const child = spawn(process.execPath, [ROTATION_APP], {
    env: { ...process.env, PORT: String(port), DATABASE_URL: databaseUrl },
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, stop: () => child.kill() };
}

const missing = missingDatabaseTools();
if (missing) throw new Error(missing);
const rot = await startRotationSandbox();
const env = rot.env;
try {
  const deployed = await rot.deploy();
  if (deployed.code !== 0) throw new Error(`deploy failed:\n${deployed.stdout}${deployed.stderr}`);
  // The runtime object carries its kubelet (not in the public type): a pod's own loopback port.
  const runtime = env.sandbox.runtime as unknown as {
    kubelet: { worker(ns: string, name: string): { ports: Map<number, number> } | undefined };
  };
  const { stdout: podList } = await env.kubectl(['-n', 'rot', 'get', 'pods', '-o', 'json']);
  const podNames = (JSON.parse(podList) as { items: Array<{ metadata: { name: string } }> }).items.map(
    (p) => p.metadata.name,
  );
  const podPort = (prefix: string, containerPort: number) => {
    const name = podNames.find((n) => n.startsWith(prefix))!;
    return runtime.kubelet.worker('rot', name)!.ports.get(containerPort)!;
  };
  const proxyPort = (service: string) => servicePort(env.sandbox, 'rot', service)!;
  const wrk = await haveWrk();
  const { stdout: secret } = await env.kubectl([
    '-n',
    'rot',
    'get',
    'secret',
    'rot-db-credentials',
    '-o',
    'json',
  ]);
  const url = Buffer.from((JSON.parse(secret) as { data: { url: string } }).data.url, 'base64').toString();
  const dbViaProxy = url.replace(/@[^/]+\//, `@127.0.0.1:${proxyPort('rot-db')}/`);
  const dbDirect = url.replace(/@[^/]+\//, `@127.0.0.1:${podPort('rot-db-0', 5432)}/`);

  console.log(`[rotation load] ${loadLine()}; ${SECONDS} s per run`);
  const rows: Row[] = [];
  rows.push(await measure('web (no database), Service proxy', proxyPort('rot-web'), wrk));
  rows.push(await measure('web (no database), pod port', podPort('rot-web-', 8080), wrk));
  rows.push(await measure('api (Postgres), Service proxy', proxyPort('rot-api'), wrk));
  rows.push(await measure('api (Postgres), pod port', podPort('rot-api-', 8080), wrk));
  for (const [what, db] of [
    ['host app -> Postgres pod port', dbDirect],
    ['host app -> Postgres Service proxy', dbViaProxy],
  ] as const) {
    const app = await hostApp(db);
    try {
      rows.push(await measure(what, app.port, wrk));
    } finally {
      app.stop();
    }
  }
  const cols: Array<[string, number, (r: Row) => string]> = [
    ['path', -36, (r) => r.what],
    ['new conn', 9, (r) => String(r.newConn.perSecond)],
    ['cpu', 5, (r) => `${r.newConn.cpu.toFixed(0)}%`],
    ['keep-alive', 11, (r) => String(r.keepAlive.perSecond)],
    ['paced', 6, (r) => String(r.paced.perSecond)],
    ['p99 ms', 7, (r) => String(r.paced.latencyMs?.p99 ?? '')],
    ['skipped', 8, (r) => String(r.paced.skipped)],
    ['cpu', 5, (r) => `${r.paced.cpu.toFixed(0)}%`],
    ['failed', 7, (r) => String(r.newConn.failed + r.keepAlive.failed + r.paced.failed)],
    ['wrk close', 10, (r) => (r.wrkClose === undefined ? 'n/a' : r.wrkClose.toFixed(0))],
    ['wrk keep-alive', 15, (r) => (r.wrkKeepAlive === undefined ? 'n/a' : r.wrkKeepAlive.toFixed(0))],
  ];
  const cell = (text: string, width: number) => (width < 0 ? text.padEnd(-width) : text.padStart(width));
  console.log(cols.map(([h, w]) => cell(h, w)).join(' '));
  for (const r of rows) console.log(cols.map(([, w, f]) => cell(f(r), w)).join(' '));
} finally {
  await rot.stop();
}
