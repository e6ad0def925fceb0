/**
 * What a fresh cluster has before anyone writes to it: the system namespaces, a `default`
 * ServiceAccount in every namespace (the serviceaccounts controller's job; helm and kubectl expect
 * it), and the one simulated node, Ready.
 */
import { rfc3339, type KubeObject } from '@slipway/kube';
import { SANDBOX_NODE_NAME } from '../types.js';
import type { MemoryStore } from './memory-store.js';
import type { ServedResource } from './registry.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
export const SANDBOX_NODE_CAPACITY = { cpu: '8', memory: '16Gi', pods: '250' };

export function bootstrapCluster(store: MemoryStore): () => void {
  const nsType = store.registry.forResource('', 'v1', 'namespaces') as ServedResource;
  const saType = store.registry.forResource('', 'v1', 'serviceaccounts') as ServedResource;
  const nodeType = store.registry.forResource('', 'v1', 'nodes') as ServedResource;
  for (const name of SYSTEM_NAMESPACES) {
    if (!store.get(nsType, undefined, name))
      store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  const ensureServiceAccount = (ns: KubeObject) => {
    const namespace = ns.metadata.name as string;
    if (ns.metadata.deletionTimestamp || store.get(saType, namespace, 'default')) return;
    store.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } });
  };
  for (const ns of store.list(nsType, undefined).items) ensureServiceAccount(ns);
  const stop = store.watch(nsType, undefined, { resourceVersion: store.resourceVersion() }, (e) => {
    if (e.type === 'ADDED') ensureServiceAccount(e.object);
  });
  if (!store.get(nodeType, undefined, SANDBOX_NODE_NAME)) store.create(sandboxNode(store.clock.now()));
  return stop;
}

function sandboxNode(now: Date): KubeObject {
  const time = rfc3339(now);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: SANDBOX_NODE_NAME,
      labels: {
        'kubernetes.io/hostname': SANDBOX_NODE_NAME,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
      },
    },
    spec: {},
    status: {
      capacity: SANDBOX_NODE_CAPACITY,
      allocatable: SANDBOX_NODE_CAPACITY,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'slipway sandbox node is ready',
          lastHeartbeatTime: time,
          lastTransitionTime: time,
        },
      ],
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: SANDBOX_NODE_NAME },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.33.0-slipway-sandbox',
        containerRuntimeVersion: 'slipway://sandbox',
        osImage: 'slipway sandbox',
        operatingSystem: 'linux',
        architecture: 'amd64',
        kernelVersion: '',
        kubeProxyVersion: '',
        machineID: '',
        systemUUID: '',
        bootID: '',
      },
    },
  };
}
