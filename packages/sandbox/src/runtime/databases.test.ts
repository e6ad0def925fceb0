import type { KubeObject } from '@slipway/kube';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getCondition, kinds, status, type Condition } from '../controllers/objects.js';
import { startHarness, until, type Harness } from '../../testing/harness.js';
import { hostBinary } from '../../testing/host-tools.js';

const NS = 'storefront';
let h: Harness;
beforeEach(() => {
  h = startHarness();
  h.store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
});
afterEach(() => h.close());

const PASSWORD = 'pw-Z3f9_x';
const run = promisify(execFile);

function secret(name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NS }, stringData: data };
}

function service(name: string, port: number, portName: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS },
    spec: {
      selector: { 'app.kubernetes.io/name': name },
      ports: [{ name: portName, port, targetPort: portName, protocol: 'TCP' }],
    },
  };
}

/** A StatefulSet shaped as Slipway renders a dependency (src/render/objects/dependencies), probes at 1 s for speed. */
function statefulSet(name: string, container: Record<string, unknown>, dataPath: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: NS },
    spec: {
      replicas: 1,
      serviceName: `${name}-headless`,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': name } },
        spec: {
          terminationGracePeriodSeconds: 10,
          securityContext: { runAsUser: 999, runAsGroup: 999, fsGroup: 999, runAsNonRoot: true },
          containers: [
            {
              ...container,
              volumeMounts: [
                { name: 'data', mountPath: dataPath },
                { name: 'scratch-0', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [{ name: 'scratch-0', emptyDir: {} }],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
    },
  };
}

const k = () => kinds(h.store);
const pod = (name: string) => h.store.get(k().pod, NS, name);
const ready = (name: string) => () => {
  const p = pod(name);
  return (
    p &&
    getCondition(status<{ conditions?: Condition[] }>(p).conditions ?? [], 'Ready')?.status === 'True' &&
    p
  );
};
/** Waits for the pod to be Ready; on a timeout the error carries its events and logs. */
async function readyPod(name: string, ms = 30_000): Promise<KubeObject> {
  try {
    return await until(`${name} Ready`, ready(name), ms);
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\nevents:\n${events(name).join('\n')}\nlogs:\n${h.runtime.podLogs(NS, name, {}) ?? ''}\nprevious logs:\n${h.runtime.podLogs(NS, name, { previous: true }) ?? ''}\nstatus: ${JSON.stringify(pod(name)?.status ?? {})}`,
      { cause: e },
    );
  }
}
const proxyPort = (name: string, port: number) => () =>
  h.runtime.servicePorts().find((p) => p.namespace === NS && p.name === name && p.port === port)?.localPort;
const events = (podName: string) =>
  h.store
    .list(h.store.typeFor('v1', 'Event')!, NS)
    .items.filter((e) => (e.involvedObject as { name?: string }).name === podName)
    .map((e) => `${e.type} ${e.reason}: ${e.message}`);

/** Deletes the pod and waits for the StatefulSet's new one (another uid) to be Ready. */
async function restart(
  name: string,
): Promise<{ before: KubeObject; after: KubeObject; goneMs: number; readyMs: number }> {
  const before = pod(name) as KubeObject;
  const deleted = Date.now();
  h.store.delete(k().pod, NS, name, {});
  await until('old pod gone', () => pod(name)?.metadata.uid !== before.metadata.uid, 30_000);
  const t0 = Date.now();
  const goneMs = t0 - deleted;
  const after = await readyPod(name);
  return { before, after, goneMs, readyMs: Date.now() - t0 };
}

describe.skipIf(!hostBinary('/usr/lib/postgresql/*/bin/postgres', 'postgresql'))(
  'postgres:* in the sandbox',
  () => {
    it('initdb into the PVC, Ready by its exec probe, rows through the Service proxy survive a new pod, a pg_dump Job completes', async () => {
      h.apply(
        secret('storefront-db-credentials', {
          username: 'storefront',
          password: PASSWORD,
          url: `postgresql://storefront:${PASSWORD}@storefront-db.storefront.svc:5432/storefront`,
        }),
      );
      h.apply(service('storefront-db', 5432, 'postgres'));
      h.apply(
        statefulSet(
          'storefront-db',
          {
            name: 'postgres',
            image: 'postgres:16',
            ports: [{ name: 'postgres', containerPort: 5432, protocol: 'TCP' }],
            env: [
              {
                name: 'POSTGRES_USER',
                valueFrom: { secretKeyRef: { name: 'storefront-db-credentials', key: 'username' } },
              },
              {
                name: 'POSTGRES_PASSWORD',
                valueFrom: { secretKeyRef: { name: 'storefront-db-credentials', key: 'password' } },
              },
              { name: 'POSTGRES_DB', value: 'storefront' },
              { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
            ],
            readinessProbe: {
              exec: { command: ['pg_isready', '-h', '127.0.0.1', '-p', '5432'] },
              periodSeconds: 1,
              timeoutSeconds: 5,
              failureThreshold: 3,
            },
            livenessProbe: { tcpSocket: { port: 5432 }, periodSeconds: 10, timeoutSeconds: 2 },
          },
          '/var/lib/postgresql/data',
        ),
      );
      const t0 = Date.now();
      const first = await readyPod('storefront-db-0');
      const firstReadyMs = Date.now() - t0;
      const port = await until('proxy port', proxyPort('storefront-db', 5432));
      const url = `postgresql://storefront:${PASSWORD}@127.0.0.1:${port}/storefront`;
      // Async: the Service proxy runs in this process, a synchronous client would block it.
      const psql = async (sql: string, to = url) =>
        (await run('psql', [to, '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', sql])).stdout.trim();
      await psql('CREATE TABLE orders (id int PRIMARY KEY, item text)');
      await psql("INSERT INTO orders SELECT g, 'item-' || g FROM generate_series(1, 100) g");
      expect(await psql('SELECT current_user || current_database()')).toBe('storefrontstorefront');
      // Password authentication for real: a wrong password is refused.
      await expect(psql('SELECT 1', url.replace(PASSWORD, 'wrong'))).rejects.toThrow(
        /password authentication failed/,
      );

      const version = execFileSync('pg_config', ['--version'], { encoding: 'utf8' });
      const substituted = events('storefront-db-0').find((e) => e.includes('ImageVersionSubstituted'));
      if (!/PostgreSQL 16\./.test(version))
        expect(substituted).toMatch(
          /^Warning ImageVersionSubstituted: postgres:16 runs as PostgreSQL \d+\.\d+ from the host$/,
        );

      const { after, goneMs, readyMs } = await restart('storefront-db-0');

      expect(after.metadata.uid).not.toBe(first.metadata.uid);
      expect(await psql('SELECT count(*) FROM orders')).toBe('100');
      const logs = h.runtime.podLogs(NS, 'storefront-db-0', {});
      expect(logs).toMatch(/Skipping initialization/);
      // SIGTERM became a clean (fast) shutdown, not a kill: the new server needs no crash recovery.
      expect(logs).toMatch(/database system was shut down at/);
      expect(logs).not.toMatch(/not properly shut down|automatic recovery in progress/);

      // A backup Job as Slipway's will run: the tool image's own command, with the Secret's URL rewritten to the proxy.
      h.apply({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'backup', namespace: NS },
        spec: {
          backoffLimit: 0,
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [
                {
                  name: 'dump',
                  image: 'postgres:16',
                  command: ['/bin/sh', '-c', 'pg_dump -Fc -f "$BACKUP_DIR/db.dump" "$DATABASE_URL"'],
                  env: [
                    {
                      name: 'DATABASE_URL',
                      valueFrom: { secretKeyRef: { name: 'storefront-db-credentials', key: 'url' } },
                    },
                    { name: 'BACKUP_DIR', value: '/backup' },
                  ],
                  volumeMounts: [{ name: 'backup', mountPath: '/backup' }],
                },
              ],
              volumes: [{ name: 'backup', persistentVolumeClaim: { claimName: 'backups' } }],
            },
          },
        },
      });
      h.apply({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'backups', namespace: NS },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      });
      const job = await until(
        'backup Job finished',
        () => {
          const j = h.store.get(k().job, NS, 'backup');
          const c = status<{ conditions?: Condition[] }>(j as KubeObject).conditions ?? [];
          return c.some((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True') && j;
        },
        30_000,
      );
      const jobPod = h.store.list(k().pod, NS).items.find((p) => p.metadata.name?.startsWith('backup-'));
      expect(
        getCondition(status<{ conditions: Condition[] }>(job).conditions, 'Complete')?.status,
        h.runtime.podLogs(NS, jobPod?.metadata.name as string, {}),
      ).toBe('True');
      const volumes = join(h.dataDir, 'volumes');
      const dump = readdirSync(volumes)
        .map((d) => join(volumes, d, 'db.dump'))
        .find((f) => existsSync(f));
      expect(dump).toBeDefined();
      expect(execFileSync('pg_restore', ['-l', dump as string], { encoding: 'utf8' })).toMatch(
        /TABLE public orders storefront/,
      );
      console.log(
        `[figures] postgres: first start (initdb) to Ready ${firstReadyMs} ms, deleted pod gone in ${goneMs} ms, restart to Ready ${readyMs} ms, 100 rows found again; event: ${substituted ?? '(none: versions agree)'}`,
      );
    }, 60_000);
  },
);

describe.skipIf(!hostBinary('redis-server', 'redis-server'))('redis:* in the sandbox', () => {
  it('runs the rendered args (requirepass, appendonly, --dir on the PVC): a key written survives a new pod', async () => {
    h.apply(
      secret('storefront-cache-credentials', {
        password: PASSWORD,
        url: `redis://:${PASSWORD}@storefront-cache.storefront.svc:6379`,
      }),
    );
    h.apply(service('storefront-cache', 6379, 'redis'));
    h.apply(
      statefulSet(
        'storefront-cache',
        {
          name: 'redis',
          image: 'redis:7.4',
          args: [
            'redis-server',
            '--requirepass',
            '$(REDIS_PASSWORD)',
            '--appendonly',
            'yes',
            '--dir',
            '/data',
          ],
          ports: [{ name: 'redis', containerPort: 6379, protocol: 'TCP' }],
          env: [
            {
              name: 'REDIS_PASSWORD',
              valueFrom: { secretKeyRef: { name: 'storefront-cache-credentials', key: 'password' } },
            },
          ],
          readinessProbe: { tcpSocket: { port: 6379 }, periodSeconds: 1, timeoutSeconds: 2 },
        },
        '/data',
      ),
    );
    await readyPod('storefront-cache-0');
    const port = await until('proxy port', proxyPort('storefront-cache', 6379));
    // redis-cli 7.0 does not take an empty user in a URL (`redis://:pw@`): the password goes by -a.
    const cli = async (...a: string[]) =>
      (await run('redis-cli', ['-p', String(port), '-a', PASSWORD, '--no-auth-warning', ...a])).stdout.trim();
    expect(await cli('SET', 'order:1', 'paid')).toBe('OK');
    // Without the password the server refuses: requirepass came through $(REDIS_PASSWORD).
    expect((await run('redis-cli', ['-p', String(port), 'GET', 'order:1'])).stdout).toMatch(/NOAUTH/);
    await restart('storefront-cache-0');
    expect(await cli('GET', 'order:1')).toBe('paid');
    const version = (await run('redis-server', ['--version'])).stdout;
    if (!/v=7\.4\./.test(version))
      expect(events('storefront-cache-0')).toContainEqual(
        expect.stringMatching(
          /^Warning ImageVersionSubstituted: redis:7\.4 runs as Redis \d+\.\d+\.\d+ from the host$/,
        ),
      );
  }, 60_000);
});

describe.skipIf(!hostBinary('mariadbd', 'mariadb-server'))('mysql:* / mariadb:* in the sandbox', () => {
  it('mysql:8.4 runs as the host MariaDB: the app user reaches its database through the Service proxy; rows survive a new pod', async () => {
    h.apply(
      secret('shop-db-credentials', {
        username: 'shop',
        password: PASSWORD,
        url: `mysql://shop:${PASSWORD}@shop-db.storefront.svc:3306/shop`,
      }),
    );
    h.apply(service('shop-db', 3306, 'mysql'));
    h.apply(
      statefulSet(
        'shop-db',
        {
          name: 'mysql',
          image: 'mysql:8.4',
          args: ['--datadir=/var/lib/mysql/data'],
          ports: [{ name: 'mysql', containerPort: 3306, protocol: 'TCP' }],
          env: [
            {
              name: 'MYSQL_USER',
              valueFrom: { secretKeyRef: { name: 'shop-db-credentials', key: 'username' } },
            },
            {
              name: 'MYSQL_PASSWORD',
              valueFrom: { secretKeyRef: { name: 'shop-db-credentials', key: 'password' } },
            },
            { name: 'MYSQL_DATABASE', value: 'shop' },
            { name: 'MYSQL_RANDOM_ROOT_PASSWORD', value: 'yes' },
          ],
          readinessProbe: {
            exec: { command: ['mysqladmin', 'ping', '-h', '127.0.0.1'] },
            periodSeconds: 1,
            timeoutSeconds: 5,
          },
        },
        '/var/lib/mysql',
      ),
    );
    await readyPod('shop-db-0');
    const port = await until('proxy port', proxyPort('shop-db', 3306));
    const sql = async (q: string) =>
      (
        await run('mariadb', ['-h127.0.0.1', `-P${port}`, '-ushop', `-p${PASSWORD}`, 'shop', '-Nse', q])
      ).stdout.trim();
    await sql('CREATE TABLE orders (id INT PRIMARY KEY)');
    await sql('INSERT INTO orders VALUES (1), (2), (3)');
    expect(h.runtime.podLogs(NS, 'shop-db-0', {})).toMatch(/GENERATED ROOT PASSWORD: /);
    expect(events('shop-db-0')).toContainEqual(
      expect.stringMatching(
        /^Warning ImageVersionSubstituted: mysql:8\.4 runs as MariaDB \d+\.\d+\.\d+ from the host$/,
      ),
    );
    await restart('shop-db-0');
    expect(await sql('SELECT count(*) FROM orders')).toBe('3');
  }, 60_000);
});

describe('a database image whose host program is missing', () => {
  it('fails the container with CreateContainerError and a Failed event naming the Debian package', async () => {
    await h.close();
    h = startHarness({
      config: {
        images: [
          {
            match: 'tool-x',
            command: ['slipway-no-such-server'],
            hostCommand: true,
            requires: [{ binary: 'slipway-no-such-server', package: 'no-such-server' }],
          },
        ],
      },
    });
    h.store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    h.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'x', namespace: NS },
      spec: { containers: [{ name: 'x', image: 'tool-x:1', ports: [{ containerPort: 1234 }] }] },
    });
    const waiting = await until('CreateContainerError', () => {
      const w = status<{
        containerStatuses?: { state: { waiting?: { reason: string; message: string } } }[];
      }>(pod('x') as KubeObject).containerStatuses?.[0]?.state.waiting;
      return w?.reason === 'CreateContainerError' && w;
    });
    const message =
      'tool-x:1 runs slipway-no-such-server from the sandbox host, which is not installed: install the Debian package no-such-server (apt-get install no-such-server)';
    expect(waiting.message).toBe(message);
    expect(events('x')).toContain(`Warning Failed: Error: ${message}`);
  });
});

describe.skipIf(process.getuid?.() !== 0 || !hostBinary('/usr/lib/postgresql/*/bin/postgres', 'postgresql'))(
  'postgres:* when the sandbox runs as root',
  () => {
    it('fails with the directory to fix when the postgres user cannot reach the data directory', async () => {
      const outside = mkdtempSync(join(tmpdir(), 'slipway-closed-'));
      chmodSync(outside, 0o700);
      const sandboxDir = join(outside, 'sandbox');
      mkdirSync(sandboxDir, { recursive: true });
      const result = await run(process.execPath, [join(import.meta.dirname, '../../images/postgres.mjs')], {
        env: {
          PATH: process.env.PATH,
          PORT: '1',
          POSTGRES_PASSWORD: 'x',
          PGDATA: join(sandboxDir, 'pvc', 'pgdata'),
          SANDBOX_DATA_DIR: sandboxDir,
        },
      }).catch((e: { code: number; stderr: string }) => e);
      rmSync(outside, { recursive: true, force: true });
      expect(result).toMatchObject({ code: 1 });
      expect((result as { stderr: string }).stderr).toContain(
        `sandbox: postgres (uid ${execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()}) cannot enter ${outside} (mode 700)`,
      );
      expect((result as { stderr: string }).stderr).toContain(`chmod o+x ${outside}`);
    });
  },
);

describe.skipIf(!hostBinary('sqlite3', 'sqlite3'))('sqlite tool images', () => {
  it('keinos/sqlite3 runs its own command, alpine/sqlite its args after sqlite3, on the PVC', async () => {
    h.apply({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'bot-data', namespace: NS },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    h.apply({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'sqlite', namespace: NS },
      spec: {
        backoffLimit: 0,
        template: {
          spec: {
            restartPolicy: 'Never',
            volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'bot-data' } }],
            initContainers: [
              {
                name: 'write',
                image: 'keinos/sqlite3:3.46',
                command: ['sqlite3', '/data/bot.db', "CREATE TABLE m(x); INSERT INTO m VALUES ('hello');"],
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
            containers: [
              {
                name: 'check',
                image: 'alpine/sqlite:3.48',
                args: ['/data/bot.db', 'PRAGMA integrity_check; SELECT x FROM m;'],
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
          },
        },
      },
    });
    const done = await until(
      'Job pod finished',
      () => {
        const p = h.store.list(k().pod, NS).items.find((x) => x.metadata.name?.startsWith('sqlite-'));
        const phase = p && status<{ phase?: string }>(p).phase;
        return (phase === 'Succeeded' || phase === 'Failed') && p;
      },
      20_000,
    );
    const logs = h.runtime.podLogs(NS, done.metadata.name as string, { container: 'check' });
    expect(status<{ phase: string }>(done).phase, logs).toBe('Succeeded');
    expect(logs).toBe('ok\nhello\n');
  });
});
