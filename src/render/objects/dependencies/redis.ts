import { secretEnv, tcpProbe, type DependencyKind } from './kind.js';

/** The official image runs as any user with a writable /data; 999 is its `redis` user (https://hub.docker.com/_/redis). */
export const redis: DependencyKind = {
  image: 'redis',
  defaultVersion: '7.4',
  component: 'cache',
  port: { name: 'redis', port: 6379 },
  uid: 999,
  gid: 999,
  dataPath: '/data',
  scratch: ['/tmp'],
  credentialKeys: ['password', 'url'],
  defaults: { cpu: '100m', memory: '128Mi' },
  env: (i) => [secretEnv('REDIS_PASSWORD', i.credentials, 'password')],
  // $(REDIS_PASSWORD) is expanded by the kubelet from the env entry above. The server has no replicas
  // (one pod); its only SYNC client is the backup's `redis-cli --rdb`, which the default
  // repl-diskless-sync-delay (5s, there to let more replicas join one transfer) would keep waiting.
  args: () => [
    'redis-server',
    '--requirepass',
    '$(REDIS_PASSWORD)',
    '--appendonly',
    'yes',
    '--dir',
    '/data',
    '--repl-diskless-sync-delay',
    '0',
  ],
  readiness: tcpProbe(6379, 5),
  liveness: tcpProbe(6379, 10),
  outputs: (i) => ({
    host: { value: i.host },
    port: { value: '6379' },
    password: { secret: { name: i.credentials, key: 'password' } },
    url: { secret: { name: i.credentials, key: 'url' } },
  }),
};
