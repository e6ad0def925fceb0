/**
 * Issue 16 against the sandbox with real PostgreSQL, Redis and sqlite3: an app's rows are written,
 * backed up by `slipway backup run` (a Job from the rendered CronJob), the table dropped, restored in
 * place, and the restored database dumps byte for byte like the original; `keep` retention; a
 * SQLite file backed up while a writer keeps committing (integrity_check ok, no row committed
 * before the backup point lost); a drill of every dependency with RTO and RPO measured and recorded;
 * a drill whose RPO target is missed exits 1. Redis backs up to object storage (`to: s3://...`, a
 * local s3rver), MariaDB stands in for `mysql`, and every restore path runs: in place for each kind,
 * and `--to-namespace`.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupList, BackupRun } from '../../src/backup/backup.js';
import type { DrillRecord } from '../../src/engine/releases/release.js';
import { startS3Server, type S3Server } from '../helpers/s3-server.js';
import { servicePort, slipwayCli } from './deploy-helpers.js';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';

const run = promisify(execFile);

function hostProgram(check: string, pkg: string): boolean {
  if (spawnSync('sh', ['-c', check], { stdio: 'ignore' }).status === 0) return true;
  const why = `the Debian package ${pkg} is not installed (.ci/apt-packages lists it)`;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${why}`);
  console.warn(`[skip] ${why}: the backup e2e is skipped`);
  return false;
}
const haveTools =
  hostProgram('ls /usr/lib/postgresql/*/bin/postgres', 'postgresql') &&
  hostProgram('command -v redis-server', 'redis-server') &&
  hostProgram('command -v sqlite3', 'sqlite3') &&
  hostProgram('command -v mariadbd', 'mariadb-server') &&
  hostProgram('command -v rclone', 'rclone');

const SPEC = (backups: string) => `app: vault
version: "1.0.0"
services:
  web:
    image: sample-service:1.0.0
    port: 8080
    health: { readiness: /readyz }
    resources: { cpu: 50m, memory: 64Mi }
    env:
      DATABASE_URL: \${db.url}
      NOTES: \${notes.path}
    volumes:
      - { name: data, path: /data, size: 1Gi }
    # A migration against the real database: psql from the postgres image, at the Service's address.
    migrations:
      image: postgres:16
      command:
        - psql
        - $(DATABASE_URL)
        - -v
        - ON_ERROR_STOP=1
        - -c
        - create table if not exists schema_migrations (version text primary key); insert into schema_migrations values ('0001_init') on conflict do nothing
dependencies:
  db: { type: postgres, version: "16" }
  cache: { type: redis }
  notes: { type: sqlite, service: web, volume: data, file: notes.db }
  legacy: { type: mysql }
  vectors: { type: chromadb }
backups:
${backups}
environments:
  dev: {}
`;
const BACKUPS = (endpoint: string) => `  db: { schedule: "0 1 * * *", keep: 2, rto: 1h, rpo: 25h }
  cache:
    schedule: "0 */6 * * *"
    keep: 2
    rto: 1h
    to: s3://backups/vault
    s3: { secret: backup-s3, endpoint: "${endpoint}" }
  notes: { schedule: "0 3 * * *", keep: 2, rto: 1h }
  legacy: { schedule: "0 4 * * *", keep: 2, rto: 1h }
  vectors: { schedule: "0 5 * * *", keep: 2, rto: 1h }`;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe.skipIf(!haveTools)('slipway backup with real databases (sandbox)', () => {
  let env: SandboxEnv;
  let s3: S3Server;
  let spec: string;
  let backups: string;
  let pg: { port: number; user: string; password: string };
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
    s3 = await startS3Server(['backups']);
    spec = join(env.dir, 'slipway.yaml');
    backups = BACKUPS(s3.endpoint);
    writeFileSync(spec, SPEC(backups));
    const deployed = await slipwayCli(env, [
      'deploy',
      '-f',
      spec,
      '--env',
      'dev',
      '--skip-analysis',
      '--timeout',
      '120s',
    ]);
    expect(deployed.code, `${deployed.stdout}\n${deployed.stderr}`).toBe(0);
    const keys = Object.entries(s3.keys).flatMap(([k, v]) => ['--from-literal', `${k}=${v}`]);
    await kubectl('create', 'secret', 'generic', 'backup-s3', ...keys);
    const secret = JSON.parse(
      (await kubectl('get', 'secret', 'vault-db-credentials', '-o', 'json')).stdout,
    ) as {
      data: Record<string, string>;
    };
    const field = (k: string) => Buffer.from(secret.data[k]!, 'base64').toString('utf8');
    pg = {
      port: servicePort(env, 'vault', 'vault-db'),
      user: field('username'),
      password: field('password'),
    };
  }, 180_000);
  afterAll(async () => {
    await env?.stop();
    await s3?.stop();
  });

  const kubectl = (...args: string[]) => env.kubectl(['-n', 'vault', ...args]);
  const backup = (...args: string[]) =>
    slipwayCli(env, ['backup', ...args, '-f', spec, '--env', 'dev', '--timeout', '90s']);
  /** A PostgreSQL client tool against the app's database at `port` (the live one by default). */
  const pgTool = async (tool: 'psql' | 'pg_dump', args: string[], port = pg.port) =>
    (
      await run(tool, ['-h', '127.0.0.1', '-p', String(port), '-U', pg.user, '-d', 'vault', ...args], {
        env: { ...process.env, PGPASSWORD: pg.password },
        maxBuffer: 64 << 20,
      })
    ).stdout;
  const psql = (sql: string, port?: number) =>
    pgTool('psql', ['-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', sql], port);
  /**
   * The whole database as plain SQL (schema and data), for byte-for-byte comparison. A fixed
   * --restrict-key: pg_dump 15.14 and later write a random one into every dump otherwise.
   */
  const dump = () => pgTool('pg_dump', ['--no-owner', '--restrict-key=slipway']);

  const credentials = async (dependency: string) => {
    const secret = JSON.parse(
      (await kubectl('get', 'secret', `vault-${dependency}-credentials`, '-o', 'json')).stdout,
    ) as { data: Record<string, string> };
    return (k: string) => Buffer.from(secret.data[k]!, 'base64').toString('utf8');
  };
  /** redis-cli against the live cache (asynchronously: the sandbox's Service proxy answers from this process). */
  const redis = async (input: string) => {
    const password = (await credentials('cache'))('password');
    const cli = spawn(
      'redis-cli',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(servicePort(env, 'vault', 'vault-cache')),
        '--no-auth-warning',
        '-a',
        password,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let out = '';
    cli.stdout.on('data', (c: Buffer) => (out += c.toString()));
    cli.stdin.end(input);
    const status = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
    expect(status).toBe(0);
    return out;
  };
  const mysql = async (sql: string) => {
    const field = await credentials('legacy');
    return (
      await run(
        'mysql',
        [
          '-h',
          '127.0.0.1',
          '-P',
          String(servicePort(env, 'vault', 'vault-legacy')),
          '-u',
          field('username'),
          '-N',
          '-B',
          '-e',
          sql,
          'vault',
        ],
        { env: { ...process.env, MYSQL_PWD: field('password') } },
      )
    ).stdout;
  };

  /** The host directory behind a PVC of the sandbox. */
  const claimDir = async (claim: string) => {
    const pv = JSON.parse((await kubectl('get', 'pvc', claim, '-o', 'json')).stdout) as {
      spec: { volumeName: string };
    };
    return (
      JSON.parse((await env.kubectl(['get', 'pv', pv.spec.volumeName, '-o', 'json'])).stdout) as {
        spec: { hostPath: { path: string } };
      }
    ).spec.hostPath.path;
  };

  it('the migration ran against the real database before the service started', async () => {
    expect(await psql('select version from schema_migrations')).toBe('0001_init\n');
  });

  it('Postgres: rows written, backed up, the table dropped, restored in place: the dump is identical', async () => {
    await psql(
      'create table orders (id serial primary key, total int not null, note text); insert into orders (total, note) select g, md5(g::text) from generate_series(1, 5000) g',
    );
    const before = await dump();
    const r = await backup('run', 'db', '--output', 'json');
    expect(r.code, r.stderr).toBe(0);
    const [ran] = (JSON.parse(r.stdout) as { backups: BackupRun[] }).backups;
    console.log(
      `[backup] db: ${ran!.backup.id}, ${ran!.backup.files.map((f) => `${f.name} ${f.size} B`).join(', ')}, ${ran!.durationMs} ms, ${ran!.backup.tool}`,
    );
    expect(ran!.backup.files.map((f) => f.name).sort()).toEqual(['database.dump', 'globals.sql']);
    expect(ran!.backup.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);

    await psql('drop table orders');
    expect(await psql("select count(*) from information_schema.tables where table_name = 'orders'")).toBe(
      '0\n',
    );
    const refused = await backup('restore', 'db');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    const restored = await backup('restore', 'db', '--yes', '--output', 'json');
    expect(restored.code, restored.stderr).toBe(0);
    const after = await dump();
    console.log(
      `[backup] db restored: pg_dump sha256 before ${sha256(before).slice(0, 16)}…, after ${sha256(after).slice(0, 16)}…`,
    );
    expect(sha256(after)).toBe(sha256(before));
    expect(await psql('select count(*), sum(total) from orders')).toBe('5000|12502500\n');
  });

  it('keep: 2 leaves the two newest backups; list shows them newest last', async () => {
    for (let i = 0; i < 2; i++) expect((await backup('run', 'db')).code).toBe(0);
    const r = await backup('list', 'db', '--output', 'json');
    expect(r.code, r.stderr).toBe(0);
    const [list] = (JSON.parse(r.stdout) as { dependencies: BackupList[] }).dependencies;
    expect(list!.backups).toHaveLength(2);
    expect(list!.backups[0]!.id < list!.backups[1]!.id).toBe(true);
    const text = await backup('list');
    expect(text.stdout).toMatch(/^DEPENDENCY\s+BACKUP\s+STARTED\s+AGE\s+SIZE\s+TOOL/);
  });

  it('SQLite: backed up while a writer commits, integrity_check ok, no row committed before the backup lost', async () => {
    const dir = await claimDir('data-vault-web-0');
    const file = join(dir, 'notes.db');
    spawnSync('sqlite3', [
      file,
      'pragma journal_mode=wal; create table notes (id integer primary key, body text)',
    ]);
    // The writer: a sqlite3 shell committing one row at a time, reporting each committed id.
    const writer = spawn('sqlite3', [file], { stdio: ['pipe', 'pipe', 'inherit'] });
    let committed = 0;
    writer.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (/^\d+$/.test(line)) committed = Number(line);
    });
    let writing = true;
    const loop = (async () => {
      writer.stdin.write('.timeout 5000\n');
      for (let i = 1; writing; i++) {
        writer.stdin.write(`insert into notes (body) values ('note ${i}'); select max(id) from notes;\n`);
        await new Promise((r) => setTimeout(r, 5));
      }
      writer.stdin.end();
    })();
    await new Promise((r) => setTimeout(r, 500));
    const before = committed;
    const r = await backup('run', 'notes', '--output', 'json');
    writing = false;
    await loop;
    await new Promise((r) => writer.once('exit', r));
    expect(r.code, r.stderr).toBe(0);
    expect(before).toBeGreaterThan(0);
    const drill = await backup('drill', 'notes', '--output', 'json');
    expect(drill.code, drill.stdout + drill.stderr).toBe(0);
    const [result] = (JSON.parse(drill.stdout) as { drills: DrillRecord[] }).drills;
    const rows = Number(result!.verification!.find((v) => v.table === 'notes')?.rows);
    console.log(
      `[backup] notes: ${before} rows committed before the backup started, ${rows} in the backup, ${committed} at the end; integrity_check ${String(result!.verification![0]!.integrity_check)}`,
    );
    expect(result!.verification![0]).toEqual({ integrity_check: 'ok' });
    expect(rows).toBeGreaterThanOrEqual(before);
    expect(rows).toBeLessThanOrEqual(committed);
  });

  it('ChromaDB: backed up with its StatefulSet stopped and started again; restored in place', async () => {
    // Chroma's data at rest: its SQLite catalogue and an index segment (the sandbox simulates the server).
    const dir = await claimDir('data-vault-vectors-0');
    await run('sqlite3', [
      join(dir, 'chroma.sqlite3'),
      "create table collections (id text primary key, name text); create table embeddings (id integer primary key, collection text, vector blob); insert into collections values ('c1', 'docs'); with recursive n(i) as (select 1 union all select i + 1 from n where i < 400) insert into embeddings (collection, vector) select 'c1', randomblob(64) from n",
    ]);
    mkdirSync(join(dir, 'c1-segment'), { recursive: true });
    writeFileSync(join(dir, 'c1-segment', 'data_level0.bin'), Buffer.alloc(4096, 7));
    // The StatefulSet controller's events count each pod it deletes and creates.
    const count = async (reason: string) =>
      (
        JSON.parse(
          (
            await kubectl(
              'get',
              'events',
              '--field-selector',
              'involvedObject.name=vault-vectors',
              '-o',
              'json',
            )
          ).stdout,
        ) as { items: Array<{ reason: string; count?: number }> }
      ).items
        .filter((e) => e.reason === reason)
        .reduce((n, e) => n + (e.count ?? 1), 0);
    const [created, deleted] = [await count('SuccessfulCreate'), await count('SuccessfulDelete')];
    const r = await backup('run', 'vectors', '--output', 'json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [ran] = (JSON.parse(r.stdout) as { backups: BackupRun[] }).backups;
    expect(ran!.backup.files.map((f) => f.name)).toEqual(['data.tar']);
    await kubectl(
      'wait',
      'statefulset/vault-vectors',
      '--for=jsonpath={.status.readyReplicas}=1',
      '--timeout=60s',
    );
    const stopped = (await count('SuccessfulDelete')) - deleted;
    const started = (await count('SuccessfulCreate')) - created;
    console.log(
      `[backup] vectors: pod deleted ${stopped}x and created ${started}x around the backup; ${ran!.backup.files[0]!.size} B in ${ran!.durationMs} ms`,
    );
    expect([stopped, started]).toEqual([1, 1]);

    rmSync(join(dir, 'c1-segment'), { recursive: true });
    await run('sqlite3', [join(dir, 'chroma.sqlite3'), 'delete from embeddings']);
    const restored = await backup('restore', 'vectors', '--yes', '--output', 'json');
    expect(restored.code, restored.stdout + restored.stderr).toBe(0);
    expect(readFileSync(join(dir, 'c1-segment', 'data_level0.bin')).length).toBe(4096);
    expect(
      (await run('sqlite3', [join(dir, 'chroma.sqlite3'), 'select count(*) from embeddings'])).stdout,
    ).toBe('400\n');
    expect((JSON.parse(restored.stdout) as { verification: unknown[] }).verification).toContainEqual({
      files: 2,
      expected: 2,
    });
  });

  it('drill: every dependency restored into a scratch namespace, verified, RTO and RPO measured, recorded; the namespace is gone', async () => {
    await redis(
      Array.from({ length: 300 }, (_, i) => `SET session:${i} v${i}`).join('\n') +
        '\nEXPIRE session:1 86400\n',
    );
    const cache = await backup('run', 'cache');
    expect(cache.code, cache.stderr).toBe(0);
    expect(cache.stdout).toMatch(/in s3:\/\/backups\/vault\/vault\/cache\/\d{8}T\d{6}Z/);
    await mysql(
      'create table accounts (id int primary key, name varchar(40)); insert into accounts select seq, concat("a", seq) from seq_1_to_250',
    );
    const legacy = await backup('run', 'legacy');
    expect(legacy.code, legacy.stderr).toBe(0);
    const r = await backup('drill', '--output', 'json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { drills, recordedOn } = JSON.parse(r.stdout) as { drills: DrillRecord[]; recordedOn: number };
    for (const d of drills)
      console.log(
        `[drill] ${d.dependency} (${d.kind}): ${d.result}, RTO ${d.rtoMs} ms (target ${d.rtoTarget}), RPO ${d.rpoMs} ms (target ${d.rpoTarget ?? '-'}), ${JSON.stringify(d.verification?.at(-1))}`,
      );
    expect(drills.map((d) => `${d.dependency} ${d.result}`)).toEqual([
      'cache passed',
      'db passed',
      'legacy passed',
      'notes passed',
      'vectors passed',
    ]);
    expect(drills.find((d) => d.dependency === 'legacy')!.verification).toContainEqual(
      expect.objectContaining({ table: 'accounts', rows: 250 }),
    );
    const db = drills.find((d) => d.dependency === 'db')!;
    expect(db.verification).toContainEqual(expect.objectContaining({ table: 'public.orders', rows: 5000 }));
    expect(db.rtoMs).toBeLessThan(3_600_000);
    expect(drills.find((d) => d.dependency === 'cache')!.verification!.at(-1)).toEqual({
      keys: 300,
      expected: 300,
    });
    expect(recordedOn).toBe(1);
    const namespaces = (await env.kubectl(['get', 'namespaces', '-o', 'name'])).stdout;
    expect(namespaces).not.toContain('-drill-');
    const text = await backup('drill', 'db');
    expect(text.stdout).toMatch(
      /db: drill PASSED: backup \d{8}T\d{6}Z restored into vault-db-drill-\w+\n {2}RTO \S+ \(target 1h\), RPO/,
    );
  });

  it('a drill whose target is missed exits 1 and says which', async () => {
    writeFileSync(spec, SPEC(backups.replace('rto: 1h, rpo: 25h', 'rto: 1h, rpo: 1s')));
    const r = await backup('drill', 'db');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/db: drill MISSED/);
    expect(r.stdout).toMatch(/RPO \S+ \(the newest backup's age\) is over the target 1s/);
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('rpo: 1s', 'rpo: 25h'));
  });

  it('object storage: keep holds in the bucket, list reads it, and Redis restores in place after FLUSHALL', async () => {
    for (let i = 0; i < 2; i++) expect((await backup('run', 'cache')).code).toBe(0);
    const objects = s3.objects('backups');
    const ids = [...new Set(objects.map((k) => k.split('/')[3]))];
    console.log(`[backup] cache in the bucket: ${objects.length} objects, backups ${ids.join(', ')}`);
    expect(ids).toHaveLength(2);
    expect(
      objects.filter((k) => k.startsWith(`vault/vault/cache/${ids[1]}/`)).map((k) => k.split('/')[4]),
    ).toEqual(['SHA256SUMS', 'dump.rdb', 'manifest.json']);
    const listed = await backup('list', 'cache', '--output', 'json');
    expect(listed.code, listed.stderr).toBe(0);
    const [list] = (JSON.parse(listed.stdout) as { dependencies: BackupList[] }).dependencies;
    expect(list!.location).toBe('s3://backups/vault/vault/cache');
    expect(list!.backups.map((b) => b.id)).toEqual(ids);

    await redis('FLUSHALL\n');
    expect(await redis('DBSIZE\n')).toBe('0\n');
    const restored = await backup('restore', 'cache', '--yes');
    expect(restored.code, restored.stdout + restored.stderr).toBe(0);
    expect(await redis('DBSIZE\nGET session:7\n')).toBe('300\nv7\n');
    expect(Number(await redis('TTL session:1\n'))).toBeGreaterThan(0);
  });

  it('SQLite restores in place: the service stops, the file is replaced, the service starts again', async () => {
    const dir = await claimDir('data-vault-web-0');
    const sqlite = async (sql: string) => (await run('sqlite3', [join(dir, 'notes.db'), sql])).stdout;
    await sqlite('delete from notes where id > 3');
    const r = await backup('restore', 'notes', '--yes', '--output', 'json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const restored = JSON.parse(r.stdout) as { verification: Array<Record<string, unknown>> };
    const rows = restored.verification.find((v) => v.table === 'notes')?.rows;
    expect(await sqlite('pragma integrity_check')).toBe('ok\n');
    expect(Number(await sqlite('select count(*) from notes'))).toBe(rows);
    expect(rows).toBeGreaterThan(3);
    const sts = JSON.parse((await kubectl('get', 'statefulset', 'vault-web', '-o', 'json')).stdout) as {
      spec: { replicas: number };
    };
    expect(sts.spec.replicas).toBe(1);
  });

  it('--to-namespace restores into a copy beside the live database, which stays as it is', async () => {
    await psql('delete from orders where id > 10');
    const r = await backup('restore', 'db', '--to-namespace', 'vault-copy', '--output', 'json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const count = await psql('select count(*) from orders', servicePort(env, 'vault-copy', 'vault-db'));
    expect(count).toBe('5000\n');
    expect(await psql('select count(*) from orders')).toBe('10\n');
    await env.kubectl(['delete', 'namespace', 'vault-copy', '--wait=false']);
  });
});
