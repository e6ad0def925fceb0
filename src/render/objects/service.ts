import type { NamedObject } from '@slipway/kube';
import type { Service } from '../../spec/schema.js';
import { selectorLabels } from '../names.js';
import { containerPorts } from './pod.js';

/** The Service for a service's ports; undefined for a worker that listens on nothing. */
export function renderService(
  app: string,
  name: string,
  service: Service,
  metadata: NamedObject['metadata'],
): NamedObject | undefined {
  const ports = containerPorts(service);
  if (!ports.length) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(app, name),
      ports: ports.map((p) => ({
        name: p.name,
        port: p.containerPort,
        targetPort: p.name,
        protocol: p.protocol,
      })),
    },
  };
}

/** The governing Service of a StatefulSet: stable per-pod DNS names, no load balancing. */
export function renderHeadlessService(
  app: string,
  name: string,
  ports: Array<Record<string, unknown>>,
  metadata: NamedObject['metadata'],
): NamedObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      clusterIP: 'None',
      // Peers find each other before they are ready (the StatefulSet convention).
      publishNotReadyAddresses: true,
      selector: selectorLabels(app, name),
      ports: ports.length
        ? ports.map((p) => ({
            name: p.name,
            port: p.containerPort,
            targetPort: p.name,
            protocol: p.protocol,
          }))
        : undefined,
    },
  };
}

/** One identity per workload, with no API token mounted: app pods rarely talk to the API server. */
export function renderServiceAccount(metadata: NamedObject['metadata']): NamedObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata, automountServiceAccountToken: false };
}
