import { tcpProbe, type DependencyKind } from './kind.js';

/**
 * Chroma's server image (https://hub.docker.com/r/chromadb/chroma) has no fixed user; it runs under
 * any UID that can write its persist directory, which fsGroup grants on the volume. Pinned to the
 * 0.6 line, whose settings (IS_PERSISTENT, PERSIST_DIRECTORY) and /api/v1/heartbeat are documented;
 * HOME points at the writable /tmp because the image's user has no home directory.
 */
export const chromadb: DependencyKind = {
  image: 'chromadb/chroma',
  defaultVersion: '0.6.3',
  component: 'vector-store',
  port: { name: 'http', port: 8000 },
  uid: 10001,
  gid: 10001,
  dataPath: '/data',
  scratch: ['/tmp'],
  credentialKeys: [],
  defaults: { cpu: '250m', memory: '512Mi' },
  env: () => [
    { name: 'IS_PERSISTENT', value: 'TRUE' },
    { name: 'PERSIST_DIRECTORY', value: '/data' },
    { name: 'ANONYMIZED_TELEMETRY', value: 'FALSE' },
    { name: 'HOME', value: '/tmp' },
  ],
  readiness: {
    httpGet: { path: '/api/v1/heartbeat', port: 8000 },
    periodSeconds: 5,
    timeoutSeconds: 2,
    failureThreshold: 3,
  },
  liveness: tcpProbe(8000, 10),
  outputs: (i) => ({
    host: { value: i.host },
    port: { value: '8000' },
    url: { value: `http://${i.host}:8000` },
  }),
};
