/** Shared by the deploy e2e suites: run slipway commands in-process against a sandbox, read what serves. */
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import type { SandboxEnv } from './sandbox-env.js';

export const SAMPLE_SPEC = 'examples/sample-service/slipway.yaml';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function slipwayCli(env: SandboxEnv, args: string[]): Promise<CliResult> {
  const io = memoryIo({ env: { KUBECONFIG: env.kubeconfig } });
  const code = await main(['node', 'slipway', ...args], io.io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** The Service's local proxy port in the sandbox (what `slipway sandbox status` lists). */
export function servicePort(env: SandboxEnv, namespace: string, name: string): number {
  const runtime = env.sandbox.runtime;
  if (!runtime) throw new Error('the sandbox runs without its runtime');
  const entry = runtime.servicePorts().find((p) => p.namespace === namespace && p.name === name);
  if (!entry) throw new Error(`no proxy port for Service ${namespace}/${name}`);
  return entry.localPort;
}

/** GET / through the Service proxy: the version that answered. */
export async function versionOf(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
  return ((await res.json()) as { version: string }).version;
}
