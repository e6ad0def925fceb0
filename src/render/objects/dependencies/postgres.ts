import { execProbe, secretEnv, tcpProbe, type DependencyKind } from './kind.js';

/**
 * The official image runs as any UID that owns PGDATA; 999 is its `postgres` user
 * (https://hub.docker.com/_/postgres, "Arbitrary --user Notes"). PGDATA is a subdirectory so
 * initdb never meets the volume's lost+found.
 */
export const postgres: DependencyKind = {
  image: 'postgres',
  defaultVersion: '16',
  component: 'database',
  port: { name: 'postgres', port: 5432 },
  uid: 999,
  gid: 999,
  dataPath: '/var/lib/postgresql/data',
  scratch: ['/var/run/postgresql', '/tmp'],
  credentialKeys: ['username', 'password', 'url'],
  defaults: { cpu: '250m', memory: '256Mi' },
  env: (i) => [
    secretEnv('POSTGRES_USER', i.credentials, 'username'),
    secretEnv('POSTGRES_PASSWORD', i.credentials, 'password'),
    { name: 'POSTGRES_DB', value: i.dependency.database ?? i.app },
    { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
  ],
  readiness: execProbe(['pg_isready', '-h', '127.0.0.1', '-p', '5432'], 5),
  liveness: tcpProbe(5432, 10),
  outputs: (i) => ({
    host: { value: i.host },
    port: { value: '5432' },
    database: { value: i.dependency.database ?? i.app },
    user: { secret: { name: i.credentials, key: 'username' } },
    password: { secret: { name: i.credentials, key: 'password' } },
    url: { secret: { name: i.credentials, key: 'url' } },
  }),
};
