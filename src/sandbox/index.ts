/**
 * `startSandbox`: the store, the HTTPS API server and, when present and asked for, the runtime
 * (controllers, kubelet, service proxy from src/sandbox/runtime). Tests start it in-process on a
 * random port; `slipway sandbox up` runs it in the foreground or detached.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiServer } from './server/api-server.js';
import { generateCertificates, type SandboxCertificates } from './server/certs.js';
import { bootstrapCluster } from './store/bootstrap.js';
import { MemoryStore } from './store/memory-store.js';
import { loadState, persistTo } from './store/persistence.js';
import type { Clock, ObjectStore, SandboxRuntime } from './types.js';

export interface SandboxOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  /** Start controllers, kubelet and service proxy (default true when src/sandbox/runtime exists). */
  runtime?: boolean;
  /** Passed through to the runtime's startRuntime. */
  runtimeOptions?: Record<string, unknown>;
  /** The runtime's sandbox config (image → local command mappings, faults), a YAML file. */
  configFile?: string;
  token?: string;
  certs?: SandboxCertificates;
  clock?: Clock;
  /** Watch events kept for replay; older resourceVersions get 410 Gone. */
  historySize?: number;
  /** How long a watch without `timeoutSeconds` stays open (the apiserver's is 1800–3600 s). */
  watchTimeoutSeconds?: number;
}

export interface Sandbox {
  url: string;
  port: number;
  token: string;
  certs: SandboxCertificates;
  store: MemoryStore;
  runtime: SandboxRuntime | undefined;
  stop(): Promise<void>;
}

interface RuntimeModule {
  startRuntime(store: ObjectStore, opts: Record<string, unknown>): SandboxRuntime;
  loadSandboxConfig?(file: string): unknown;
}

/** The runtime is another module of the sandbox, built alongside; load it only if it is there. */
async function loadRuntime(): Promise<RuntimeModule | undefined> {
  const candidates = ['./runtime/index.js', './runtime/index.ts'];
  for (const rel of candidates) {
    if (!existsSync(fileURLToPath(new URL(rel, import.meta.url)))) continue;
    const mod = (await import(new URL(rel, import.meta.url).href)) as Partial<RuntimeModule>;
    if (typeof mod.startRuntime === 'function') return mod as RuntimeModule;
  }
  return undefined;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const runtimeModule = opts.runtime === false ? undefined : await loadRuntime();
  const runtimeConfig =
    opts.configFile && runtimeModule?.loadSandboxConfig
      ? runtimeModule.loadSandboxConfig(opts.configFile)
      : undefined;
  const store = new MemoryStore({
    clock: opts.clock,
    gracefulPodDeletion: !!runtimeModule,
    historySize: opts.historySize,
  });
  if (opts.dataDir) loadState(store, opts.dataDir);
  const stopBootstrap = bootstrapCluster(store);
  const stopPersisting = opts.dataDir ? persistTo(store, opts.dataDir) : undefined;
  const certs = opts.certs ?? generateCertificates();
  const token = opts.token ?? randomBytes(24).toString('hex');
  let runtime: SandboxRuntime | undefined;
  const server = new ApiServer({
    store,
    certs,
    token,
    runtime: () => runtime,
    host: opts.host,
    port: opts.port,
    watchTimeoutSeconds: opts.watchTimeoutSeconds,
  });
  const { host, port } = await server.listen();
  // Pod directories (mounted ConfigMaps/Secrets, logs) live under the data dir, or a temporary one.
  const scratch =
    runtimeModule && !opts.dataDir ? mkdtempSync(join(tmpdir(), 'slipway-sandbox-')) : undefined;
  if (runtimeModule) {
    runtime = runtimeModule.startRuntime(store, {
      dataDir: opts.dataDir ? join(opts.dataDir, 'runtime') : scratch,
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
    async stop() {
      await runtime?.stop();
      stopBootstrap();
      await server.close();
      stopPersisting?.();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}
