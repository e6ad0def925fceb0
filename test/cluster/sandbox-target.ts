/**
 * The sandbox API server as a contract target: started in-process on a random port with a
 * temporary kubeconfig (test/e2e/sandbox-env.ts), reached only through KubeCluster, i.e. through
 * @kubernetes/client-node and the kubeconfig, exactly as a real cluster would be.
 */
import { KubeCluster } from '../../src/cluster/kube.js';
import { startSandboxEnv } from '../e2e/sandbox-env.js';
import type { ContractTarget } from './contract.js';

export async function startSandboxForTests(): Promise<ContractTarget> {
  const env = await startSandboxEnv();
  const namespace = `contract-${Date.now().toString(36)}`;
  const cluster = KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig, namespace });
  await cluster.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }], {
    fieldManager: 'slipway-test',
  });
  return { cluster, teardown: () => env.stop() };
}
