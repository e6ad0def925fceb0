/** Finding each service's Deployment and Service among the rendered objects (pure lookups). */
import type { KubeObject } from '@slipway/kube';
import type { InventoryEntry } from '../releases/release.js';
import { LABEL_NAME } from './order.js';

export interface ServiceWorkload {
  service: string;
  deployment?: KubeObject;
  /** The ClusterIP Service in front of the pods (not a headless one). */
  serviceObject?: KubeObject;
}

export function workloadsOf(objects: KubeObject[], services: string[]): ServiceWorkload[] {
  return services.map((service) => {
    const own = objects.filter((o) => o.metadata.labels?.[LABEL_NAME] === service);
    const deployment = own.find((o) => o.kind === 'Deployment');
    const serviceObject = own.find(
      (o) => o.kind === 'Service' && (o.spec as { clusterIP?: string } | undefined)?.clusterIP !== 'None',
    );
    return { service, deployment, serviceObject };
  });
}

export function selectorOf(service: KubeObject | undefined): Record<string, string> {
  return { ...((service?.spec as { selector?: Record<string, string> } | undefined)?.selector ?? {}) };
}

export function entryOf(obj: KubeObject, namespace: string): InventoryEntry {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name ?? '',
    namespace: obj.metadata.namespace ?? namespace,
  };
}

export function entryKey(e: InventoryEntry): string {
  return `${e.apiVersion}/${e.kind}/${e.namespace ?? ''}/${e.name}`;
}

/** Kubernetes' default maxSurge of 25%, scaled and rounded up as the Deployment controller does (intstr GetScaledValueFromIntOrPercent, roundUp). */
export function defaultMaxSurge(replicas: number): number {
  return Math.ceil(replicas * 0.25);
}
