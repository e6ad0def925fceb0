/**
 * Starts the sandbox API server for the contract suite, when the sandbox module provides
 * `startSandbox`. Until it does, the suite's cases skip with a message that says why.
 */
import { KubeCluster } from '../../src/cluster/kube.js';
import type { ContractTarget } from './contract.js';

interface SandboxHandle {
  kubeconfigPath?: string;
  kubeconfig?: string;
  stop?: () => Promise<void>;
  close?: () => Promise<void>;
}

type StartSandbox = (opts?: Record<string, unknown>) => Promise<SandboxHandle>;

/** Resolves the sandbox module at run time so this file compiles before the module exists. */
export async function loadStartSandbox(): Promise<StartSandbox | string> {
  const modulePath = '../../src/sandbox/index.js';
  try {
    const mod = (await import(modulePath)) as { startSandbox?: unknown };
    return typeof mod.startSandbox === 'function' ? (mod.startSandbox as StartSandbox) : 'src/sandbox/index.ts does not export startSandbox yet';
  } catch (err) {
    return `src/sandbox/index.ts cannot be loaded yet (${(err as Error).message.split('\n')[0]})`;
  }
}

export async function startSandboxForTests(): Promise<ContractTarget | undefined> {
  const start = await loadStartSandbox();
  if (typeof start === 'string') {
    console.warn(`[skip] Cluster contract against the sandbox: ${start}`);
    return undefined;
  }
  const sandbox = await start({ port: 0 });
  const kubeconfig = sandbox.kubeconfigPath ?? sandbox.kubeconfig;
  if (!kubeconfig) throw new Error('startSandbox returned no kubeconfig path');
  const namespace = `contract-${Date.now().toString(36)}`;
  const cluster = KubeCluster.fromKubeconfig({ kubeconfig, namespace });
  await cluster.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }], { fieldManager: 'slipway-test' });
  return { cluster, teardown: async () => (sandbox.stop ?? sandbox.close)?.call(sandbox) };
}
