/**
 * `startSandbox`: the store, the HTTPS API server and, unless `runtime: false`, the runtime
 * (controllers, kubelet, service proxy from packages/sandbox/src/runtime). Tests start it in-process on a
 * random port; `slipway sandbox up` runs it in the foreground or detached.
 */
import type { AuditSink } from './server/admission.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from './server/api-server.js';
import { fileAuditLog } from './server/audit-log.js';
import { generateCertificates, type SandboxCertificates } from './server/certs.js';
import type { FaultInjector } from './server/faults.js';
import { bootstrapCluster } from './store/bootstrap.js';
import { MemoryStore } from './store/memory-store.js';
import { loadState, persistTo } from './store/persistence.js';
import { loadSandboxConfig, startRuntime, type RuntimeOptions } from './runtime/index.js';
import type { Clock, SandboxRuntime } from './types.js';

export interface SandboxOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  /** Start controllers, kubelet and service proxy (default true); false serves the API only. */
  runtime?: boolean;
  /** Passed through to the runtime's startRuntime. */
  runtimeOptions?: Partial<RuntimeOptions>;
  /** The runtime's sandbox config (image → local command mappings, faults), a YAML file. */
  configFile?: string;
  token?: string;
  certs?: SandboxCertificates;
  clock?: Clock;
  /** Watch events kept for replay; older resourceVersions get 410 Gone. */
  historySize?: number;
  /** How long a watch without `timeoutSeconds` stays open (the apiserver's is 1800–3600 s). */
  watchTimeoutSeconds?: number;
  /**
   * Hears what admission records on a request's audit event: ValidatingAdmissionPolicy
   * auditAnnotations and Audit-action failures (the API server writes them to its audit log).
   */
  audit?: AuditSink;
  /** Append an audit.k8s.io/v1 Event per request and stage to this file (./server/audit-log.ts). */
  auditLogFile?: string;
}

export interface Sandbox {
  url: string;
  port: number;
  token: string;
  certs: SandboxCertificates;
  store: MemoryStore;
  runtime: SandboxRuntime | undefined;
  /** The injected API faults and their counts, when the config asked for any. */
  faults: FaultInjector | undefined;
  stop(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const withRuntime = opts.runtime !== false;
  // The config's `api` part applies with or without the runtime.
  const config = opts.configFile ? loadSandboxConfig(opts.configFile) : undefined;
  const runtimeConfig = withRuntime ? config : undefined;
  const store = new MemoryStore({
    clock: opts.clock,
    gracefulPodDeletion: withRuntime,
    historySize: opts.historySize,
  });
  if (opts.dataDir) loadState(store, opts.dataDir);
  const stopBootstrap = bootstrapCluster(store);
  const stopPersisting = opts.dataDir ? persistTo(store, opts.dataDir) : undefined;
  const certs = opts.certs ?? generateCertificates();
  const token = opts.token ?? randomBytes(24).toString('hex');
  let runtime: SandboxRuntime | undefined;
  const auditLog = opts.auditLogFile ? fileAuditLog(opts.auditLogFile) : undefined;
  const server = new ApiServer({
    store,
    certs,
    token,
    runtime: () => runtime,
    host: opts.host,
    port: opts.port,
    watchTimeoutSeconds: opts.watchTimeoutSeconds,
    faults: config?.api.faults,
    audit: opts.audit,
    auditLog,
  });
  const { host, port } = await server.listen().catch(async (error: unknown) => {
    await auditLog?.close();
    throw error;
  });
  // Pod directories (mounted ConfigMaps/Secrets, logs) live under the data dir, or a temporary one.
  const runtimeDir = !withRuntime
    ? undefined
    : opts.dataDir
      ? join(opts.dataDir, 'runtime')
      : mkdtempSync(join(tmpdir(), 'slipway-sandbox-'));
  const scratch = runtimeDir && !opts.dataDir ? runtimeDir : undefined;
  if (runtimeDir) {
    runtime = startRuntime(store, {
      dataDir: runtimeDir,
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(runtimeConfig ? { config: runtimeConfig } : {}),
      ...opts.runtimeOptions,
    });
  }
  return {
    url: `https://${host}:${port}`,
    port,
    token,
    certs,
    store,
    runtime,
    faults: server.faults,
    async stop() {
      await runtime?.stop();
      stopBootstrap();
      await server.close();
      await auditLog?.close();
      stopPersisting?.();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}
