/**
 * Running a sandbox as a long-lived process (foreground `slipway sandbox up`, or the detached
 * daemon): start it, publish its state file so `down` and `status` find it, and stop cleanly on
 * SIGINT/SIGTERM.
 */
import { clearState, writeState, type SandboxState } from './control.js';
import { startSandbox, type Sandbox } from './start.js';

export interface ServeOptions {
  port?: number;
  dataDir?: string;
  runtime?: boolean;
  configFile?: string;
  /** Audit events of every request, appended to this file (kube-apiserver's --audit-log-path). */
  auditLog?: string;
  stateDir: string;
}

export interface ServedSandbox {
  sandbox: Sandbox;
  state: SandboxState;
  /** Resolves once a signal stopped the sandbox and its state file is gone. */
  stopped: Promise<void>;
}

export async function serveSandbox(opts: ServeOptions): Promise<ServedSandbox> {
  const sandbox = await startSandbox({
    port: opts.port,
    dataDir: opts.dataDir,
    runtime: opts.runtime,
    configFile: opts.configFile,
    ...(opts.auditLog ? { auditLogFile: opts.auditLog } : {}),
  });
  const state: SandboxState = {
    pid: process.pid,
    url: sandbox.url,
    port: sandbox.port,
    token: sandbox.token,
    caCert: sandbox.certs.caCert,
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    startedAt: new Date().toISOString(),
    runtime: sandbox.runtime !== undefined,
  };
  writeState(opts.stateDir, state);
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      void sandbox.stop().finally(() => {
        clearState(opts.stateDir, process.pid);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return { sandbox, state, stopped };
}
