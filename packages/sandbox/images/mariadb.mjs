// The sandbox's `mariadb:*` and `mysql:*` images: the host's Debian MariaDB behaving like the
// official images' entrypoints. On an empty data directory (`--datadir=` from the arguments, else the
// volume at /var/lib/mysql, else the pod's directory) it runs mariadb-install-db, then in bootstrap
// mode sets the root password (MARIADB_/MYSQL_ROOT_PASSWORD, _ALLOW_EMPTY_ROOT_PASSWORD or
// _RANDOM_ROOT_PASSWORD, printed as the official image does) and creates _DATABASE and _USER with
// _PASSWORD, granted all on that database. Then it runs mariadbd on 127.0.0.1:$PORT with its socket
// in a private directory; no option files are read (--no-defaults). As root, the server runs as the
// `mysql` system user. Arguments: none, options, or `mysqld ...`/`mariadbd ...` run the server;
// anything else is run as a command.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
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
const SERVERS = ['mysqld', 'mariadbd'];

/** MARIADB_X, else MYSQL_X, as the official mariadb image reads both. */
function setting(name) {
  return env[`MARIADB_${name}`] ?? env[`MYSQL_${name}`];
}

const str = (s) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
const ident = (s) => `\`${s.replaceAll('`', '``')}\``;

function server(given) {
  const port = env.PORT;
  if (!port) fail('sandbox: PORT is not set (the kubelet allocates it)');
  const options = [];
  let datadir;
  for (const o of given) {
    const m = /^--datadir=(.+)$/.exec(o);
    if (m) datadir = m[1];
    else options.push(o);
  }
  datadir ??= env.SANDBOX_MOUNT_VAR_LIB_MYSQL ?? join(env.SANDBOX_POD_DIR ?? process.cwd(), 'mysql');
  const user = runAsUser('mysql', 'MariaDB should not run as root');
  mkdirSync(datadir, { recursive: true });
  if (user) {
    ensureTraversable(datadir, env.SANDBOX_DATA_DIR, user);
    chownTree(datadir, user);
  }
  const sockets = socketDir('mysql-', 'mysqld.sock', user);
  const cleanup = () => rmSync(sockets, { recursive: true, force: true });
  const common = ['--no-defaults', `--datadir=${datadir}`, `--socket=${join(sockets, 'mysqld.sock')}`];

  if (existsSync(join(datadir, 'mysql'))) {
    process.stdout.write(
      'MariaDB: database directory appears to contain a database; skipping initialization\n',
    );
  } else {
    initialise(datadir, user, common, cleanup);
  }
  runForeground(
    [
      'mariadbd',
      ...common,
      `--pid-file=${join(sockets, 'mysqld.pid')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--skip-name-resolve',
      ...options,
    ],
    { user, env, onExit: cleanup },
  );
}

function initialise(datadir, user, common, cleanup) {
  let rootPassword = setting('ROOT_PASSWORD') ?? '';
  const allowEmpty = !!setting('ALLOW_EMPTY_ROOT_PASSWORD') || !!setting('ALLOW_EMPTY_PASSWORD');
  const random = !!setting('RANDOM_ROOT_PASSWORD');
  if (!rootPassword && !allowEmpty && !random) {
    cleanup();
    fail(
      'error: database is uninitialized and password option is not specified\n' +
        '  You need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD',
    );
  }
  if (random && !rootPassword) {
    rootPassword = randomBytes(24).toString('base64url');
    process.stdout.write(`GENERATED ROOT PASSWORD: ${rootPassword}\n`);
  }
  runStep(
    [
      'mariadb-install-db',
      ...common,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
    ],
    { user, env, what: 'mariadb-install-db' },
  );
  const database = setting('DATABASE');
  const appUser = setting('USER');
  const appPassword = setting('PASSWORD') ?? '';
  const sql = [
    // As the official image: root only at localhost and '%' (install-db also makes passwordless
    // root@127.0.0.1, ::1 and the host name, which would shadow '%' for TCP logins).
    `DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1', 'root'@${str(hostname())};`,
    `ALTER USER 'root'@'localhost' IDENTIFIED BY ${str(rootPassword)};`,
    `CREATE USER 'root'@'%' IDENTIFIED BY ${str(rootPassword)};`,
    `GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;`,
    ...(database ? [`CREATE DATABASE IF NOT EXISTS ${ident(database)};`] : []),
    ...(appUser && appUser !== 'root'
      ? [
          `CREATE USER ${str(appUser)}@'%' IDENTIFIED BY ${str(appPassword)};`,
          ...(database ? [`GRANT ALL ON ${ident(database)}.* TO ${str(appUser)}@'%';`] : []),
        ]
      : []),
    'FLUSH PRIVILEGES;',
  ].join('\n');
  runStep(['mariadbd', ...common, '--bootstrap', '--skip-networking', '--skip-grant-tables=0'], {
    user,
    env,
    input: `${sql}\n`,
    what: 'creating the users and the database',
  });
  process.stdout.write('MariaDB init process done. Ready for start up.\n');
}

if (args.length && !SERVERS.includes(args[0]) && !args[0].startsWith('-')) {
  runForeground(args, { env });
} else {
  server(SERVERS.includes(args[0]) ? args.slice(1) : args);
}
