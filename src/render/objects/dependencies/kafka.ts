import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { tcpProbe, type DependencyKind, type DependencyInstance } from './kind.js';

/**
 * A KRaft controller+broker in one process (no ZooKeeper), from the Apache project's image, which
 * runs as its `appuser` (uid 1000) (https://hub.docker.com/r/apache/kafka). Single node: every
 * internal topic has replication factor 1.
 */
export const kafka: DependencyKind = {
  image: 'apache/kafka',
  defaultVersion: '3.9.1',
  component: 'queue',
  port: { name: 'kafka', port: 9092 },
  uid: 1000,
  gid: 1000,
  dataPath: '/var/lib/kafka/data',
  scratch: ['/tmp'],
  // apache/kafka docker/resources/common-scripts/configure checks that /opt/kafka/config is writable and
  // regenerates server.properties there on every start; Kafka's scripts also write /opt/kafka/logs.
  writableRoot:
    'the apache/kafka start script regenerates its configuration under /opt/kafka/config on every start',
  credentialKeys: [],
  defaults: { cpu: '500m', memory: '1Gi' },
  env: (i) => [
    { name: 'CLUSTER_ID', value: clusterId(i) },
    { name: 'KAFKA_NODE_ID', value: '1' },
    { name: 'KAFKA_PROCESS_ROLES', value: 'broker,controller' },
    { name: 'KAFKA_LISTENERS', value: 'PLAINTEXT://:9092,CONTROLLER://:9093' },
    { name: 'KAFKA_ADVERTISED_LISTENERS', value: `PLAINTEXT://${i.host}:9092` },
    { name: 'KAFKA_CONTROLLER_LISTENER_NAMES', value: 'CONTROLLER' },
    { name: 'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP', value: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT' },
    { name: 'KAFKA_CONTROLLER_QUORUM_VOTERS', value: '1@localhost:9093' },
    { name: 'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR', value: '1' },
    { name: 'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR', value: '1' },
    { name: 'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR', value: '1' },
    // A subdirectory: Kafka treats every directory in a log dir as a partition, lost+found included.
    { name: 'KAFKA_LOG_DIRS', value: '/var/lib/kafka/data/logs' },
  ],
  readiness: tcpProbe(9092, 5),
  liveness: tcpProbe(9092, 10),
  outputs: (i) => ({
    host: { value: i.host },
    port: { value: '9092' },
    bootstrap: { value: `${i.host}:9092` },
    url: { value: `${i.host}:9092` },
  }),
};

/** KRaft needs a stable 16-byte base64url cluster id; derived from the app and dependency so it never changes (sha256: render/hash.ts says why not node:crypto's). */
function clusterId(i: DependencyInstance): string {
  return Buffer.from(sha256(utf8ToBytes(`${i.app}/${i.name}`)).subarray(0, 16)).toString('base64url');
}
