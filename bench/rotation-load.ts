/**
 * Where the request rate of the rotation e2e (test/e2e/secrets-rotate-db.test.ts) goes: the same
 * sandbox, app and database, measured one hop at a time, with Slipway's load client (a new
 * connection per request, 8 in flight, its own process) side by side with wrk (Debian `wrk`,
 * `Connection: close` so it too opens a connection per request) where installed.
 *
 *   npx tsx bench/rotation-load.ts [SECONDS]
 *
 * Rows: a service without a database (sample-service) and the rotation app (PostgreSQL, pooled
 * connections that log in again after 1 s), each through the sandbox's Service proxy and straight at one pod's port;
 * then the rotation app run on the host against PostgreSQL's pod port and its Service port (the
 * database hop alone). `sandbox cpu` is the CPU time of this process, which hosts the sandbox
 * (API server, controllers and every Service proxy), per second of wall time: near 100% it is the
 * ceiling. The machine's load average is printed first: the figures vary with it.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { memoryIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { startLoad } from '../src/cli/demo/load.js';
import { servicePort } from '../src/cli/demo/sandbox.js';
import { startSandboxEnv } from '../test/e2e/sandbox-env.js';
import { loadLine } from './measure.js';

const run = promisify(execFile);
const SECONDS = Number(process.argv[2] ?? 6);
const APP = join(import.meta.dirname, '..', 'test', 'e2e', 'rotation-app.mjs');

const SPEC = `app: rl
services:
  api:
    image: rotation-app:1
    port: 8080
    replicas: 2
    health:
      readiness: { http: /readyz, period: 1s, failureThreshold: 1 }
    env:
      DATABASE_URL: \${db.url}
    resources: { cpu: 50m, memory: 64Mi }
  web:
    image: sample-service:1.0.0
    port: 8080
    replicas: 2
    health:
      readiness: { http: /readyz, period: 1s, failureThreshold: 1 }
    resources: { cpu: 50m, memory: 64Mi }
dependencies:
  db: { type: postgres }
environments:
  dev: {}
`;

interface Row {
  what: string;
  client: number;
  clientFailed: number;
  wrk: number | undefined;
  cpu: number;
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

async function measure(what: string, port: number, wrk: boolean, inFlight = 8): Promise<Row> {
  const client = await withCpu(async () => {
    const load = await startLoad(port, { concurrency: inFlight, maxSeconds: SECONDS });
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    return load.stop();
  });
  let wrkRate: number | undefined;
  if (wrk) {
    const out = await run('wrk', [
      '-t2',
      `-c${inFlight}`,
      `-d${SECONDS}s`,
      '-H',
      'Connection: close',
      `http://127.0.0.1:${port}/`,
    ]);
    wrkRate = Number(/Requests\/sec:\s+([\d.]+)/.exec(out.stdout)?.[1]);
  }
  return {
    what,
    client: client.value.perSecond,
    clientFailed: client.value.failed,
    wrk: wrkRate,
    cpu: client.cpu,
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
  const child = spawn(process.execPath, [APP], {
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

const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-rotation-'));
const config = join(dir, 'sandbox.yaml');
writeFileSync(
  config,
  `images:\n  - match: rotation-app\n    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(APP)}]\n    env: { PORT: "\${port}" }\n`,
);
const env = await startSandboxEnv({ runtime: true, configFile: config });
try {
  const spec = join(dir, 'slipway.yaml');
  writeFileSync(spec, SPEC);
  const { io, stdout, stderr } = memoryIo({ cwd: dir, env: { KUBECONFIG: env.kubeconfig } });
  const code = await main(['node', 'slipway', 'deploy', '-f', spec, '--env', 'dev', '--skip-analysis'], io);
  if (code !== 0) throw new Error(`deploy failed:\n${stdout()}${stderr()}`);
  // The runtime object carries its kubelet (not in the public type): a pod's own loopback port.
  const runtime = env.sandbox.runtime as unknown as {
    kubelet: { worker(ns: string, name: string): { ports: Map<number, number> } | undefined };
  };
  const { stdout: podList } = await env.kubectl(['-n', 'rl', 'get', 'pods', '-o', 'json']);
  const podNames = (JSON.parse(podList) as { items: Array<{ metadata: { name: string } }> }).items.map(
    (p) => p.metadata.name,
  );
  const podPort = (prefix: string, containerPort: number) => {
    const name = podNames.find((n) => n.startsWith(prefix))!;
    return runtime.kubelet.worker('rl', name)!.ports.get(containerPort)!;
  };
  const wrk = await haveWrk();
  const { stdout: secret } = await env.kubectl([
    '-n',
    'rl',
    'get',
    'secret',
    'rl-db-credentials',
    '-o',
    'json',
  ]);
  const url = Buffer.from((JSON.parse(secret) as { data: { url: string } }).data.url, 'base64').toString();
  const dbViaProxy = url.replace(/@[^/]+\//, `@127.0.0.1:${servicePort(env.sandbox, 'rl', 'rl-db')}/`);
  const dbDirect = url.replace(/@[^/]+\//, `@127.0.0.1:${podPort('rl-db-0', 5432)}/`);

  console.log(
    `[rotation load] ${loadLine()}; ${SECONDS} s per row, 8 in flight unless said, a new HTTP connection per request`,
  );
  const rows: Row[] = [];
  rows.push(
    await measure('web (no database), Service proxy', servicePort(env.sandbox, 'rl', 'rl-web')!, wrk),
  );
  rows.push(await measure('web (no database), pod port', podPort('rl-web-', 8080), wrk));
  rows.push(await measure('api (Postgres), Service proxy', servicePort(env.sandbox, 'rl', 'rl-api')!, wrk));
  rows.push(
    await measure('api, Service proxy, 24 in flight', servicePort(env.sandbox, 'rl', 'rl-api')!, wrk, 24),
  );
  rows.push(await measure('api (Postgres), pod port', podPort('rl-api-', 8080), wrk));
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
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(
    `${pad('path', 46)} ${'client req/s'.padStart(12)} ${'failed'.padStart(7)} ${'wrk req/s'.padStart(10)} ${'sandbox cpu'.padStart(12)}`,
  );
  for (const r of rows)
    console.log(
      `${pad(r.what, 46)} ${String(r.client).padStart(12)} ${String(r.clientFailed).padStart(7)} ${(r.wrk === undefined ? 'n/a' : r.wrk.toFixed(0)).padStart(10)} ${`${r.cpu.toFixed(0)}%`.padStart(12)}`,
    );
} finally {
  await env.stop();
  rmSync(dir, { recursive: true, force: true });
}
