/**
 * How many ready pods a Service would send traffic to, read from its Endpoints (the object kube-proxy
 * and the sandbox proxy route by). Blue-green waits on the preview Service's Endpoints, which select
 * exactly what the active Service will select after the switch, so the switch never points traffic
 * at a selector with no ready pods.
 */
import type { KubeObject } from '@slipway/kube';
import type { Cluster } from '../../cluster/cluster.js';

interface Endpoints extends KubeObject {
  subsets?: Array<{ addresses?: unknown[] }>;
}

export function readyAddresses(ep: Endpoints | undefined): number {
  return (ep?.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
}

/** Resolves once the Service's Endpoints list at least `count` ready addresses. */
export async function waitForReadyEndpoints(
  cluster: Cluster,
  namespace: string,
  service: string,
  count: number,
  signal: AbortSignal,
): Promise<void> {
  await cluster.watch<Endpoints>(
    { apiVersion: 'v1', kind: 'Endpoints', namespace, name: service },
    (ep) => readyAddresses(ep) >= count,
    signal,
  );
}

export async function readyCount(cluster: Cluster, namespace: string, service: string): Promise<number> {
  return readyAddresses(
    await cluster.get<Endpoints>({ apiVersion: 'v1', kind: 'Endpoints', namespace, name: service }),
  );
}
