// The sandbox's `postgres:*` image: the host's Debian PostgreSQL behaving like the official image's
// entrypoint. On an empty PGDATA it runs initdb with POSTGRES_USER (default postgres) as the
// superuser, POSTGRES_PASSWORD (scram-sha-256 over TCP; local socket connections trusted, as the
// official image does), then creates POSTGRES_DB (default: the user's name). Then it runs postgres
// on 127.0.0.1:$PORT with its unix socket in a private directory. SIGTERM becomes PostgreSQL's fast
// shutdown (SIGINT). As root it runs initdb and postgres as the `postgres` system user.
// Arguments: none or `postgres ...`/`-c ...` run the server (with those options); anything else is
// run as a command, as the official entrypoint does.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  chownTree,
  ensureTraversable,
  fail,
  runAsUser,
  runForeground,
  runStep,
  socketDir,
} from './lib/entrypoint.mjs';

const args = process.argv.slice(2);
const env = { ...process.env };

if (args.length && args[0] !== 'postgres' && !args[0].startsWith('-')) {
  runForeground(args, { env });
} else {
  server(args[0] === 'postgres' ? args.slice(1) : args);
}

function binDir() {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((n) => /^\d+(\.\d+)?$/.test(n) && existsSync(join(root, n, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!majors.length)
    fail(
      'sandbox: no PostgreSQL server under /usr/lib/postgresql/*/bin: install the Debian package postgresql',
    );
  return { dir: join(root, majors[0], 'bin'), major: majors[0] };
}

function quoteIdent(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

function server(options) {
  const port = env.PORT;
  if (!port) fail('sandbox: PORT is not set (the kubelet allocates it)');
  const pgdata =
    env.PGDATA ||
    env.SANDBOX_MOUNT_VAR_LIB_POSTGRESQL_DATA ||
    join(env.SANDBOX_POD_DIR ?? process.cwd(), 'pgdata');
  const { dir: bin, major } = binDir();
  const user = runAsUser('postgres', 'PostgreSQL refuses to run as root');
  mkdirSync(pgdata, { recursive: true });
  if (user) {
    ensureTraversable(pgdata, env.SANDBOX_DATA_DIR, user);
    chownTree(pgdata, user);
  }
  chmodSync(pgdata, 0o700);
  const sockets = socketDir('pg-', '.s.PGSQL.65535.lock', user);
  const cleanup = () => rmSync(sockets, { recursive: true, force: true });

  const versionFile = join(pgdata, 'PG_VERSION');
  if (existsSync(versionFile)) {
    const dataMajor = readFileSync(versionFile, 'utf8').trim();
    if (dataMajor !== major) {
      cleanup();
      fail(
        `sandbox: the database files in ${pgdata} were initialized by PostgreSQL ${dataMajor}, which is not compatible with the host's PostgreSQL ${major}`,
      );
    }
    process.stdout.write(
      `PostgreSQL Database directory appears to contain a database; Skipping initialization\n`,
    );
  } else {
    initialise(bin, pgdata, sockets, user);
  }
  const argv = [
    join(bin, 'postgres'),
    '-D',
    pgdata,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${sockets}`,
    ...options,
  ];
  runForeground(argv, { user, env, termSignal: 'SIGINT', onExit: cleanup });
}

function initialise(bin, pgdata, sockets, user) {
  const superuser = env.POSTGRES_USER || 'postgres';
  const database = env.POSTGRES_DB || superuser;
  const password = env.POSTGRES_PASSWORD ?? '';
  const trust = env.POSTGRES_HOST_AUTH_METHOD === 'trust';
  if (!password && !trust) {
    rmSync(sockets, { recursive: true, force: true });
    fail(
      'Error: Database is uninitialized and superuser password is not specified.\n' +
        '       You must specify POSTGRES_PASSWORD to a non-empty value for the superuser.',
    );
  }
  const pwfile = join(sockets, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (user) chownTree(pwfile, user);
  const extra = (env.POSTGRES_INITDB_ARGS ?? '').split(/\s+/).filter(Boolean);
  // --no-sync and fsync=off for the one-off setup only: the sandbox trades crash safety of the first seconds for start-up time.
  runStep(
    [
      join(bin, 'initdb'),
      '-D',
      pgdata,
      `--username=${superuser}`,
      ...(password ? [`--pwfile=${pwfile}`] : []),
      '--auth-local=trust',
      `--auth-host=${trust ? 'trust' : env.POSTGRES_HOST_AUTH_METHOD || 'scram-sha-256'}`,
      '--encoding=UTF8',
      '--locale=C.UTF-8',
      '--no-sync',
      ...extra,
    ],
    { user, env, what: 'initdb' },
  );
  rmSync(pwfile, { force: true });
  if (database !== 'postgres') {
    runStep([join(bin, 'postgres'), '--single', '-D', pgdata, '-c', 'fsync=off', 'postgres'], {
      user,
      env,
      input: `CREATE DATABASE ${quoteIdent(database)};\n`,
      what: `creating the database ${database}`,
    });
  }
  process.stdout.write(`PostgreSQL init process complete; ready for start up.\n`);
}
