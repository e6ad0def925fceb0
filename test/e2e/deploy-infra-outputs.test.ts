/**
 * `slipway deploy --infra-outputs` against databases outside the cluster. The test plays the cloud
 * with the host's PostgreSQL and Redis on loopback, TLS on with a self-signed certificate made by
 * openssl, writes `terraform output -json` pointing at them, and deploys the storefront's staging
 * environment (db and cache `managed: true`) into a new namespace of the sandbox. The URLs read
 * back from the cluster's `-managed` Secrets connect over TLS; the Postgres URL is refused by a
 * server without TLS, and the Redis URL fails the handshake without the certificate's CA. The URLs
 * carry no credentials (RDS keeps the password in Secrets Manager), so the clients get them as a
 * user gives them to the app: PGUSER/PGPASSWORD and REDISCLI_AUTH. The app images are simulated.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../engine/helpers/prometheus.js';
import { slipwayCli } from './deploy-helpers.js';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';

const run = promisify(execFile);
const SPEC = 'examples/api-web-db-redis-kafka/slipway.yaml';
/** The sandbox's postgres image run on the host: initdb (as the postgres user under root), then postgres on 127.0.0.1:$PORT. */
const POSTGRES = resolve('packages/sandbox/images/postgres.mjs');
const DB_USER = 'app'; // the master user of the rendered aws_db_instance
const DB_PASSWORD = 'managed-db-password';
const CACHE_PASSWORD = 'managed-cache-token';

/** A host program the test runs: absent, the test skips visibly (fails under CI=true, which installs .ci/apt-packages). */
function hostProgram(check: string, pkg: string): boolean {
  if (spawnSync('sh', ['-c', check], { stdio: 'ignore' }).status === 0) return true;
  const why = `the Debian package ${pkg} is not installed (.ci/apt-packages lists it)`;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${why}`);
  console.warn(`[skip] ${why}: the deploy against databases outside the cluster is skipped`);
  return false;
}
const haveServers =
  hostProgram(
    'ls /usr/lib/postgresql/*/bin/postgres && command -v psql && command -v pg_isready',
    'postgresql',
  ) &&
  hostProgram('command -v redis-server && command -v redis-cli', 'redis-server') &&
  hostProgram('command -v openssl', 'openssl');

function started(argv: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return { child, log: () => output };
}

/** Runs `probe` until it succeeds; a server that exits, or never answers, fails with its output. */
async function ready(what: string, server: ReturnType<typeof started>, probe: () => Promise<unknown>) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await probe();
    } catch (e) {
      if (server.child.exitCode !== null || attempt === 300)
        throw new Error(`${what} did not start: ${server.log()}`, { cause: e });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

/** Under root PostgreSQL runs as the postgres user, which must own its private key. */
function giveToPostgres(file: string): void {
  if (process.getuid?.() !== 0) return;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout);
  chownSync(file, id('-u'), id('-g'));
}

interface Workload {
  spec: { template: { spec: { containers: { env?: { name: string; valueFrom?: unknown }[] }[] } } };
}
const readsFrom = (w: Workload, name: string) =>
  w.spec.template.spec.containers[0]?.env?.find((e) => e.name === name)?.valueFrom;
const secretKey = (name: string) => ({ secretKeyRef: { name, key: 'url' } });

describe.skipIf(!haveServers)(
  'deploy --infra-outputs against PostgreSQL and Redis outside the sandbox',
  () => {
    let env: SandboxEnv;
    let dir: string;
    let cert: string;
    let key: string;
    const servers: ChildProcess[] = [];
    let db: ChildProcess;
    const ports = { db: 0, cache: 0 };

    /** PostgreSQL on `ports.db` (initialised on its first start), with TLS or without. */
    async function postgres(tls: boolean) {
      const ssl = tls ? ['-c', 'ssl=on', '-c', `ssl_cert_file=${cert}`, '-c', `ssl_key_file=${key}`] : [];
      const server = started([process.execPath, POSTGRES, ...ssl], {
        ...process.env,
        PORT: String(ports.db),
        PGDATA: join(dir, 'pgdata'),
        POSTGRES_USER: DB_USER,
        POSTGRES_PASSWORD: DB_PASSWORD,
        POSTGRES_DB: 'storefront',
      });
      servers.push(server.child);
      await ready('PostgreSQL', server, () =>
        run('pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(ports.db)]),
      );
      return server.child;
    }

    /** TLS only (`--port 0`), as ElastiCache with transit encryption. */
    async function redis(port: number) {
      const server = started([
        ...['redis-server', '--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1'],
        ...['--tls-cert-file', cert, '--tls-key-file', key, '--tls-ca-cert-file', cert],
        ...['--tls-auth-clients', 'no', '--requirepass', CACHE_PASSWORD],
        ...['--save', '', '--appendonly', 'no', '--dir', dir],
      ]);
      servers.push(server.child);
      await ready('redis-server', server, () =>
        run('redis-cli', ['--tls', '--cacert', cert, '-h', '127.0.0.1', '-p', String(port), 'ping'], {
          env: { ...process.env, REDISCLI_AUTH: CACHE_PASSWORD },
        }),
      );
    }

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'slipway-managed-'));
      chmodSync(dir, 0o711); // entered by the postgres user under root: its data directories and key are here
      cert = join(dir, 'cert.pem');
      key = join(dir, 'key.pem');
      await run('openssl', [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
        ...['-keyout', key, '-out', cert, '-days', '1'],
        ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      ]);
      giveToPostgres(key);
      for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
      [env, db] = await Promise.all([startSandboxEnv({ runtime: true }), postgres(true), redis(ports.cache)]);
    }, 60_000);
    afterAll(async () => {
      await env?.stop();
      await Promise.all(servers.map(stop));
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('deploys staging into a new namespace with the endpoints in -managed Secrets; their URLs connect over TLS', async () => {
      const outputs = join(dir, 'outputs.json');
      const output = (value: string | number) => ({ value, type: typeof value, sensitive: false });
      writeFileSync(
        outputs,
        JSON.stringify({
          db_host: output('127.0.0.1'),
          db_port: output(ports.db),
          db_database: output('storefront'),
          db_password_secret: output('arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1'),
          cache_host: output('127.0.0.1'),
          cache_port: output(ports.cache),
        }),
      );
      const t0 = Date.now();
      const r = await slipwayCli(env, [
        ...['deploy', '-f', SPEC, '--env', 'staging', '--infra-outputs', outputs],
        ...['--skip-analysis', '--timeout', '120s'],
      ]);
      const deployMs = Date.now() - t0;
      // The namespace did not exist: the engine makes it, then applies the endpoint Secrets.
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);

      const get = async <T>(kind: string, name = '') =>
        JSON.parse(
          (await env.kubectl(['-n', 'storefront', 'get', kind, ...(name ? [name] : []), '-o', 'json']))
            .stdout,
        ) as T;
      const statefulSets = await get<{ items: { metadata: { name: string } }[] }>('statefulsets');
      expect(statefulSets.items.map((s) => s.metadata.name)).toEqual(['storefront-events']);
      const api = await get<Workload>('deployment', 'storefront-api');
      expect(readsFrom(api, 'DATABASE_URL')).toEqual(secretKey('storefront-db-managed'));
      expect(readsFrom(api, 'REDIS_URL')).toEqual(secretKey('storefront-cache-managed'));
      const consumer = await get<Workload>('deployment', 'storefront-order-events');
      expect(readsFrom(consumer, 'DATABASE_URL')).toEqual(secretKey('storefront-db-managed'));

      const url = async (secret: string) =>
        Buffer.from((await get<{ data: { url: string } }>('secret', secret)).data.url, 'base64').toString();
      const dbUrl = await url('storefront-db-managed');
      const cacheUrl = await url('storefront-cache-managed');
      expect(dbUrl).toBe(`postgresql://127.0.0.1:${ports.db}/storefront?sslmode=require`);
      expect(cacheUrl).toBe(`rediss://127.0.0.1:${ports.cache}`);

      // PostgreSQL: the session the URL opens is encrypted (pg_stat_ssl), in the database of the outputs.
      const pgEnv = { ...process.env, PGUSER: DB_USER, PGPASSWORD: DB_PASSWORD, PGCONNECT_TIMEOUT: '10' };
      const session =
        "SELECT ssl || ' ' || current_user || '@' || current_database() FROM pg_stat_ssl WHERE pid = pg_backend_pid()";
      const psql = (u: string) =>
        run('psql', [u, '-XAtc', session], { env: pgEnv }).then(
          (o) => o.stdout.trim(),
          (e: { stderr: string }) => e.stderr.trim(),
        );
      expect(await psql(dbUrl)).toBe('true app@storefront');
      // The same server restarted without TLS: the URL is refused before a password is sent.
      await stop(db);
      await postgres(false);
      expect(await psql(dbUrl)).toContain('server does not support SSL, but SSL was required');

      // Redis: rediss:// makes redis-cli speak TLS. With the CA it answers; without it the handshake
      // fails on the self-signed certificate; as redis:// the TLS-only server does not serve it.
      const ping = (u: string, ...options: string[]) =>
        run('redis-cli', ['-u', u, ...options, 'ping'], {
          env: { ...process.env, REDISCLI_AUTH: CACHE_PASSWORD },
        }).then(
          (o) => o.stdout.trim(),
          (e: { stdout: string; stderr: string }) => `${e.stdout}${e.stderr}`.trim(),
        );
      expect(await ping(cacheUrl, '--cacert', cert)).toBe('PONG');
      expect(await ping(cacheUrl)).toContain('certificate verify failed');
      expect(await ping(cacheUrl.replace(/^rediss:/, 'redis:'))).toMatch(/I\/O error|Connection reset/);
      console.log(`[figures] storefront staging deploy with --infra-outputs ${deployMs} ms`);
    }, 150_000);
  },
);
