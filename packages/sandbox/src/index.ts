/**
 * @slipway/sandbox: a Kubernetes-API-compatible cluster in one Node.js process. An HTTPS API
 * server (discovery, OpenAPI, CRUD, watch, server-side apply, strategic merge patch, scale, logs,
 * the service proxy) over an in-memory store, the built-in controllers (Deployment, ReplicaSet,
 * StatefulSet, DaemonSet, Job, CronJob, Endpoints, disruption), a kubelet that runs mapped images
 * as local processes, and a service proxy. kubectl, helm and @kubernetes/client-node talk to it as
 * to any cluster. This file is the package's whole public surface; docs/sandbox.md tells the rest.
 */
export { startSandbox, type Sandbox, type SandboxOptions } from './start.js';
export type { AdmissionAuditEvent, AuditSink } from './server/admission.js';
export type { AuditEvent, AuditStage } from './server/audit-log.js';
export { serveSandbox, type ServeOptions, type ServedSandbox } from './serve.js';
export { startDetached, startError, recordStartError, DETACH_START_TIMEOUT_MS, LOG_FILE } from './detach.js';
export {
  clearState,
  getJson,
  isAlive,
  readState,
  servicePorts,
  stateDir,
  stopProcess,
  STATE_FILE_NAME,
  type SandboxState,
} from './control.js';
export {
  kubeconfigPath,
  mergeSandboxKubeconfig,
  removeSandboxKubeconfig,
  sandboxEntries,
  SANDBOX_CONTEXT,
  type SandboxAccess,
} from './kubeconfig.js';
export { generateCertificates, type SandboxCertificates } from './server/certs.js';
export { SandboxError, EXIT_BAD_INPUT, EXIT_FAILED, type SandboxErrorInit } from './errors.js';
export { MemoryStore, type MemoryStoreOptions } from './store/memory-store.js';
export {
  startRuntime,
  loadSandboxConfig,
  mergeSandboxConfig,
  type RuntimeOptions,
  type SandboxConfig,
  type StartedRuntime,
} from './runtime/index.js';
export { kinds, isPodReady, type Kinds } from './controllers/objects.js';
export type { Clock, ObjectStore, ServicePort, SandboxRuntime, WatchEvent } from './types.js';
