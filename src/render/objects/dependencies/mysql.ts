import { execProbe, secretEnv, tcpProbe, type DependencyKind } from './kind.js';

/**
 * The official image supports `--user` with a writable datadir; 999 is its `mysql` user
 * (https://hub.docker.com/_/mysql). The datadir is a subdirectory of the volume because
 * `mysqld --initialize` refuses a non-empty directory (lost+found).
 */
export const mysql: DependencyKind = {
  image: 'mysql',
  defaultVersion: '8.4',
  component: 'database',
  port: { name: 'mysql', port: 3306 },
  uid: 999,
  gid: 999,
  dataPath: '/var/lib/mysql',
  scratch: ['/var/run/mysqld', '/var/lib/mysql-files', '/tmp'],
  // admin-password: root's, which only `slipway secrets rotate` uses (it creates the second user).
  credentialKeys: ['username', 'password', 'url', 'admin-password'],
  defaults: { cpu: '250m', memory: '512Mi' },
  env: (i) => [
    secretEnv('MYSQL_USER', i.credentials, 'username'),
    secretEnv('MYSQL_PASSWORD', i.credentials, 'password'),
    { name: 'MYSQL_DATABASE', value: i.dependency.database ?? i.app },
    // Root's password, for `slipway secrets rotate` only (the app user owns its database). Optional:
    // a Secret from before this key existed still starts a database that is already initialised.
    {
      name: 'MYSQL_ROOT_PASSWORD',
      valueFrom: { secretKeyRef: { name: i.credentials, key: 'admin-password', optional: true } },
    },
  ],
  args: () => ['--datadir=/var/lib/mysql/data'],
  // mysqladmin ping exits 0 when the server answers, even if access is denied.
  readiness: execProbe(['mysqladmin', 'ping', '-h', '127.0.0.1'], 5),
  liveness: tcpProbe(3306, 10),
  outputs: (i) => ({
    host: { value: i.host },
    port: { value: '3306' },
    database: { value: i.dependency.database ?? i.app },
    user: { secret: { name: i.credentials, key: 'username' } },
    password: { secret: { name: i.credentials, key: 'password' } },
    url: { secret: { name: i.credentials, key: 'url' } },
  }),
};
