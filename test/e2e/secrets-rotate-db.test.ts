/**
 * Issue 24, "Must show": a Postgres password rotated under load with no failed request. The app
 * (./rotation-app.mjs, run by the sandbox as image `rotation-app`) keeps pooled database
 * connections for at most 1 s from their login, so each pod logs in again with the password it
 * started with several times a second and its requests fail within a second of that password
 * no longer working. Two services read `${db.url}`, a third does not. `slipway secrets rotate
 * db` under a steady closed-loop load must: fail 0 requests, roll each reader once (one new
 * ReplicaSet each) and nothing else (the database keeps its pod), leave the old password refused
 * and the new one working, record the rotation in the history, and a plain deploy afterwards rolls
 * nothing again. Then `rotate cache` (Redis), first stopped unfinished by a deploy lock someone else
 * holds (both passwords valid), then run again: it finishes, rolling only the service that reads it.
 * Then `rotate sql` (MariaDB, two users changed by root) under load on its one reader, `shop`. */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { servicePort, startLoad } from './deploy-helpers.js';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';

const run = promisify(execFile);

const havePostgres = (() => {
  if (
    spawnSync(
      'sh',
      [
        '-c',
        'ls /usr/lib/postgresql/*/bin/postgres && command -v psql && command -v redis-server && command -v mariadbd && command -v mysql',
      ],
      {
        stdio: 'ignore',
      },
    ).status === 0
  )
    return true;
  const why =
    'the Debian packages postgresql, postgresql-client, redis-server, mariadb-server and mariadb-client are not installed (.ci/apt-packages lists them)';
  if (process.env.CI === 'true') throw new Error(`CI=true but ${why}`);
  console.warn(`[skip] ${why}: the Postgres rotation under load is skipped`);
  return false;
})();

const SPEC = `app: rot
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
  worker:
    image: rotation-app:1
    port: 8080
    health:
      readiness: { http: /readyz, period: 1s, failureThreshold: 1 }
    env:
      DATABASE_URL: \${db.url}
    resources: { cpu: 50m, memory: 64Mi }
  shop:
    image: rotation-app:1
    port: 8080
    health:
      readiness: { http: /readyz, period: 1s, failureThreshold: 1 }
    env:
      DATABASE_URL: \${sql.url}
    resources: { cpu: 50m, memory: 64Mi }
  web:
    image: sample-service:1.0.0
    port: 8080
    health:
      readiness: { http: /readyz, period: 1s, failureThreshold: 1 }
    env:
      REDIS_URL: \${cache.url}
    resources: { cpu: 50m, memory: 64Mi }
dependencies:
  db: { type: postgres }
  cache: { type: redis }
  sql: { type: mysql }
deploy:
  strategy: rolling
  timeout: 2m
environments:
  dev: {}
`;

describe.skipIf(!havePostgres)(
  'secrets rotate db: a Postgres password under load (sandbox, real PostgreSQL)',
  () => {
    let env: SandboxEnv;
    let dir: string;
    let spec: string;
    const outputs: string[] = [];

    async function slipway(args: string[]) {
      const { io, stdout, stderr } = memoryIo({ cwd: dir, env: { KUBECONFIG: env.kubeconfig } });
      const code = await main(['node', 'slipway', ...args], io);
      outputs.push(stdout(), stderr());
      return { code, stdout: stdout(), stderr: stderr() };
    }
    async function replicaSets(service: string): Promise<number> {
      const out = await env.kubectl([
        '-n',
        'rot',
        'get',
        'rs',
        '-l',
        `app.kubernetes.io/name=${service}`,
        '-o',
        'json',
      ]);
      return (JSON.parse(out.stdout) as { items: unknown[] }).items.length;
    }
    async function counts(): Promise<Record<string, number>> {
      const out: Record<string, number> = {};
      for (const service of ['api', 'worker', 'shop', 'web']) out[service] = await replicaSets(service);
      return out;
    }
    async function credentials(): Promise<{ username: string; password: string }> {
      const out = await env.kubectl(['-n', 'rot', 'get', 'secret', 'rot-db-credentials', '-o', 'json']);
      const data = (JSON.parse(out.stdout) as { data: Record<string, string> }).data;
      const text = (k: string) => Buffer.from(data[k] ?? '', 'base64').toString();
      return { username: text('username'), password: text('password') };
    }
    async function login(c: { username: string; password: string }): Promise<boolean> {
      const port = servicePort(env, 'rot', 'rot-db');
      return run('psql', ['-h', '127.0.0.1', '-p', String(port), '-d', 'rot', '-XAtc', 'select 1'], {
        env: { ...process.env, PGUSER: c.username, PGPASSWORD: c.password, PGCONNECT_TIMEOUT: '5' },
      }).then(
        () => true,
        () => false,
      );
    }

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'slipway-rotate-db-'));
      const config = join(dir, 'sandbox.yaml');
      writeFileSync(
        config,
        `images:\n  - match: rotation-app\n    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(join(import.meta.dirname, 'rotation-app.mjs'))}]\n    env: { PORT: "\${port}" }\n`,
      );
      env = await startSandboxEnv({ runtime: true, configFile: config });
      spec = join(dir, 'slipway.yaml');
      writeFileSync(spec, SPEC);
    });
    afterAll(() => env?.stop());

    it('rotates with 0 failed requests, one rollout per reader, the old password refused afterwards', async () => {
      const first = await slipway(['deploy', '-f', spec, '--env', 'dev', '--skip-analysis']);
      expect(first.code, first.stdout + first.stderr).toBe(0);
      const before = await counts();
      expect(before).toEqual({ api: 1, worker: 1, shop: 1, web: 1 });
      const dbPod = async () =>
        (
          JSON.parse((await env.kubectl(['-n', 'rot', 'get', 'pod', 'rot-db-0', '-o', 'json'])).stdout) as {
            metadata: { uid: string };
          }
        ).metadata.uid;
      const dbBefore = await dbPod();
      const old = await credentials();
      expect(old.username).toBe('rot');

      const load = await startLoad(servicePort(env, 'rot', 'rot-api'), 8, 120);
      const rotated = await slipway(['secrets', 'rotate', 'db', '-f', spec, '--env', 'dev']);
      const stats = await load.stop();
      console.log(
        `[rotation under load] ${stats.failed} failed of ${stats.sent} requests (${stats.perSecond} req/s over ${(stats.durationMs / 1000).toFixed(1)} s); answered as ${JSON.stringify(Object.fromEntries(Object.entries(stats.versions).map(([u, v]) => [u, v.count])))}`,
      );
      expect(rotated.code, rotated.stdout + rotated.stderr).toBe(0);
      expect(rotated.stdout).toMatch(
        /rotated db; rolled Deployment\/rot-api, Deployment\/rot-worker; old password of db expired/,
      );
      expect(stats.failed, JSON.stringify(stats.firstFailures)).toBe(0);
      // Both logins served during the rotation: the old pods with the old role, the new ones with the other.
      expect(Object.keys(stats.versions).sort()).toEqual(['rot', 'rot_b']);

      const after = await counts();
      console.log(
        `[rotation under load] ReplicaSets before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`,
      );
      expect(after).toEqual({ api: 2, worker: 2, shop: 1, web: 1 });
      expect(await dbPod()).toBe(dbBefore);

      const next = await credentials();
      expect(next.username).toBe('rot_b');
      expect(next.password).not.toBe(old.password);
      expect(await login(next)).toBe(true);
      expect(await login(old)).toBe(false);
      // The short-lived Secret the Jobs read is gone.
      expect(
        (await env.kubectlResult(['-n', 'rot', 'get', 'secret', 'rot-db-credentials-rotation'])).code,
      ).not.toBe(0);

      const history = JSON.parse(
        (await slipway(['history', '-f', spec, '--env', 'dev', '-o', 'json'])).stdout,
      ) as {
        releases: Array<{ revision: number; rotated?: string[] }>;
      };
      expect(history.releases.at(-1)).toMatchObject({ revision: 2, rotated: ['db'] });

      // A plain deploy renders the same credentials annotation: nothing rolls again.
      const again = await slipway(['deploy', '-f', spec, '--env', 'dev', '--skip-analysis']);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(await counts()).toEqual(after);

      // Neither password is in any output, release record, Job, pod or other object but the Secrets.
      const secrets = JSON.parse(
        (await env.kubectl(['get', '--raw', '/api/v1/namespaces/rot/secrets'])).stdout,
      ) as {
        items: Array<{ type: string; data?: Record<string, string> }>;
      };
      const records = secrets.items
        .filter((x) => x.type === 'slipway.dev/release.v1')
        .map((x) =>
          gunzipSync(Buffer.from(Buffer.from(x.data!.release!, 'base64').toString(), 'base64')).toString(),
        );
      expect(records.length).toBe(3);
      const objects = await env.kubectl([
        '-n',
        'rot',
        'get',
        'deployments,replicasets,statefulsets,pods,jobs,configmaps,events',
        '-o',
        'json',
      ]);
      const haystacks = [...outputs, ...records, objects.stdout];
      const forms = [old.password, next.password].flatMap((v) => [v, Buffer.from(v).toString('base64')]);
      const hits = forms.flatMap((f) => haystacks.filter((h) => h.includes(f)));
      console.log(
        `[rotation under load] leak search: ${forms.length} forms in ${haystacks.length} outputs, records and object lists: ${hits.length} hits`,
      );
      expect(hits).toEqual([]);
      expect(objects.stdout).toMatch(/rot-db-rotate1-grant-[0-9a-f]{6}/);

      // Redis: a second password on the default ACL user, then the old one removed; only web reads it.
      const redisPassword = async () => {
        const out = await env.kubectl(['-n', 'rot', 'get', 'secret', 'rot-cache-credentials', '-o', 'json']);
        const data = (JSON.parse(out.stdout) as { data: { password: string } }).data;
        return Buffer.from(data.password, 'base64').toString();
      };
      const redisPing = (password: string) =>
        run(
          'redis-cli',
          [
            '--no-auth-warning',
            '-h',
            '127.0.0.1',
            '-p',
            String(servicePort(env, 'rot', 'rot-cache')),
            'ping',
          ],
          { env: { ...process.env, REDISCLI_AUTH: password } },
        ).then((r) => r.stdout.trim());
      const oldRedis = await redisPassword();
      expect(await redisPing(oldRedis)).toBe('PONG');
      // First with the deploy lock held by someone else: the rollout cannot start, so the rotation
      // stops unfinished with both passwords valid; the next run finishes it without a third one.
      const lease = join(dir, 'lease.yaml');
      writeFileSync(
        lease,
        `apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: { name: slipway-lock-rot-dev, namespace: rot }\nspec:\n  holderIdentity: ci@elsewhere (pid 1)\n  leaseDurationSeconds: 600\n  renewTime: "${new Date().toISOString().replace('Z', '000Z')}"\n`,
      );
      await env.kubectl(['apply', '-f', lease]);
      const blocked = await slipway(['secrets', 'rotate', 'cache', '-f', spec, '--env', 'dev']);
      expect(blocked.code, blocked.stdout + blocked.stderr).not.toBe(0);
      expect(blocked.stdout + blocked.stderr).toMatch(/ci@elsewhere/);
      expect(blocked.stdout + blocked.stderr).toMatch(
        /both credentials of cache stay valid; run the same rotation again/,
      );
      const switched = await redisPassword();
      expect(switched).not.toBe(oldRedis);
      expect([await redisPing(oldRedis), await redisPing(switched)]).toEqual(['PONG', 'PONG']);
      expect({ web: await replicaSets('web') }).toEqual({ web: 1 });
      await env.kubectl(['-n', 'rot', 'delete', 'lease', 'slipway-lock-rot-dev']);
      const cache = await slipway(['secrets', 'rotate', 'cache', '-f', spec, '--env', 'dev']);
      expect(cache.stdout).toMatch(/finishing the rotation an earlier run left unfinished/);
      expect(cache.code, cache.stdout + cache.stderr).toBe(0);
      expect(cache.stdout).toMatch(
        /rotated cache; rolled Deployment\/rot-web; old password of cache expired/,
      );
      const redisAfter = await counts();
      console.log(`[redis rotation] ReplicaSets ${JSON.stringify(after)} -> ${JSON.stringify(redisAfter)}`);
      expect(redisAfter).toEqual({ api: 2, worker: 2, shop: 1, web: 2 });
      const newRedis = await redisPassword();
      expect(newRedis).toBe(switched);
      expect(await redisPing(newRedis)).toBe('PONG');
      expect(await redisPing(oldRedis)).toMatch(/WRONGPASS|NOAUTH/);
      expect(
        (await env.kubectlResult(['-n', 'rot', 'get', 'secret', 'rot-cache-credentials-rotation'])).code,
      ).not.toBe(0);

      // MariaDB: two users alternate, changed by root (the Secret's admin-password); only shop reads
      // it, and shop opens a new MySQL connection per request.
      const sqlCredentials = async () => {
        const out = await env.kubectl(['-n', 'rot', 'get', 'secret', 'rot-sql-credentials', '-o', 'json']);
        const data = (JSON.parse(out.stdout) as { data: Record<string, string> }).data;
        const text = (k: string) => Buffer.from(data[k] ?? '', 'base64').toString();
        return { username: text('username'), password: text('password'), admin: text('admin-password') };
      };
      const mysqlLogin = (c: { username: string; password: string }) =>
        run(
          'mysql',
          [
            '--protocol=TCP',
            '-h',
            '127.0.0.1',
            '-P',
            String(servicePort(env, 'rot', 'rot-sql')),
            '-u',
            c.username,
            '-NBe',
            'select 1',
            'rot',
          ],
          { env: { ...process.env, MYSQL_PWD: c.password } },
        ).then(
          () => true,
          () => false,
        );
      const sqlPod = async () =>
        (
          JSON.parse((await env.kubectl(['-n', 'rot', 'get', 'pod', 'rot-sql-0', '-o', 'json'])).stdout) as {
            metadata: { uid: string };
          }
        ).metadata.uid;
      const sqlPodBefore = await sqlPod();
      const oldSql = await sqlCredentials();
      expect(oldSql.username).toBe('rot');
      expect(oldSql.admin).not.toBe('');
      expect(await mysqlLogin(oldSql)).toBe(true);
      const sqlLoad = await startLoad(servicePort(env, 'rot', 'rot-shop'), 8, 120);
      const sqlRotated = await slipway(['secrets', 'rotate', 'sql', '-f', spec, '--env', 'dev']);
      const sqlStats = await sqlLoad.stop();
      console.log(
        `[mysql rotation under load] ${sqlStats.failed} failed of ${sqlStats.sent} requests (${sqlStats.perSecond} req/s over ${(sqlStats.durationMs / 1000).toFixed(1)} s); answered as ${JSON.stringify(Object.fromEntries(Object.entries(sqlStats.versions).map(([u, v]) => [u, v.count])))}`,
      );
      expect(sqlRotated.code, sqlRotated.stdout + sqlRotated.stderr).toBe(0);
      expect(sqlRotated.stdout).toMatch(
        /rotated sql; rolled Deployment\/rot-shop; old password of sql expired/,
      );
      expect(sqlStats.failed, JSON.stringify(sqlStats.firstFailures)).toBe(0);
      expect(Object.keys(sqlStats.versions).sort()).toEqual(['rot', 'rot_b']);
      const sqlAfter = await counts();
      console.log(
        `[mysql rotation] ReplicaSets ${JSON.stringify(redisAfter)} -> ${JSON.stringify(sqlAfter)}`,
      );
      expect(sqlAfter).toEqual({ api: 2, worker: 2, shop: 2, web: 2 });
      expect(await sqlPod()).toBe(sqlPodBefore);
      const newSql = await sqlCredentials();
      expect(newSql.username).toBe('rot_b');
      expect(newSql.password).not.toBe(oldSql.password);
      expect(newSql.admin).toBe(oldSql.admin);
      expect(await mysqlLogin(newSql)).toBe(true);
      expect(await mysqlLogin(oldSql)).toBe(false);
      const sqlObjects = await env.kubectl(['-n', 'rot', 'get', 'jobs,pods,events', '-o', 'json']);
      const sqlForms = [oldSql.password, newSql.password, oldSql.admin].flatMap((v) => [
        v,
        Buffer.from(v).toString('base64'),
      ]);
      expect(sqlForms.filter((f) => [...outputs, sqlObjects.stdout].some((h) => h.includes(f)))).toEqual([]);
    }, 300_000);
  },
);
