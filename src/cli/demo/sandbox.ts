/**
 * The demo's cluster: the sandbox in this process with its runtime (controllers, kubelet running
 * real sample-service processes, service proxy), and a kubeconfig for it in a temporary directory
 * of its own, so the demo never reads or writes the user's ~/.kube/config or $KUBECONFIG.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox, mergeSandboxKubeconfig } from '@slipway/sandbox';

export interface DemoCluster {
  sandbox: Sandbox;
  /** A kubeconfig file that names only the sandbox (context slipway-sandbox). */
  kubeconfig: string;
  /** Stops the sandbox (its pods too) and removes the kubeconfig; safe to call twice. */
  stop(): Promise<void>;
}

export async function startDemoCluster(): Promise<DemoCluster> {
  const sandbox = await startSandbox({ runtime: true });
  const dir = mkdtempSync(join(tmpdir(), 'slipway-demo-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    mergeSandboxKubeconfig(
      '',
      { url: sandbox.url, caCert: sandbox.certs.caCert, token: sandbox.token },
      { setCurrent: true },
    ),
    { mode: 0o600 },
  );
  let stopping: Promise<void> | undefined;
  return {
    sandbox,
    kubeconfig,
    stop() {
      stopping ??= sandbox.stop().finally(() => rmSync(dir, { recursive: true, force: true }));
      return stopping;
    },
  };
}

/** The Service's loopback port on this machine (what `slipway sandbox status` lists). */
export function servicePort(sandbox: Sandbox, namespace: string, name: string): number | undefined {
  return sandbox.runtime?.servicePorts().find((p) => p.namespace === namespace && p.name === name)?.localPort;
}
