/** The router for each canaried service, by the plan's choice. Adding one means adding its file and one line here. */
import type { KubeObject } from '@slipway/kube';
import type { Cluster } from '../../cluster/cluster.js';
import type { CanaryService } from '../plan/types.js';
import { GatewayApiRouter } from './gateway-api.js';
import { NginxRouter } from './nginx.js';
import { ReplicaRatioRouter } from './replica-ratio.js';
import type { TrafficRouter } from './router.js';

export function routerFor(
  service: CanaryService,
  cluster: Cluster,
  namespace: string,
  objects: KubeObject[],
): TrafficRouter {
  if (service.traffic === 'gateway') return new GatewayApiRouter(cluster, namespace, objects);
  if (service.traffic === 'nginx') return new NginxRouter(cluster, namespace, objects);
  return new ReplicaRatioRouter(cluster, namespace);
}

export type { CanaryWeight, TrafficRouter } from './router.js';
