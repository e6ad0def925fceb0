/**
 * What the two route-weight routers share (Gateway API, nginx): the canary Service selecting only
 * the canary's pods, the stable Service narrowed to the stable ReplicaSet's pods (by the
 * pod-template-hash label, as Argo Rollouts narrows its stableService by
 * rollouts-pod-template-hash: otherwise the stable share would reach canary pods too), and canary
 * pods sized to carry the weight (from the plan) before the route sends it. The stable
 * Deployment's replicas are never written: with route weights the stable keeps its size, and with
 * an HPA the HPA owns it.
 */
import type { KubeObject } from '@slipway/kube';
import type { Cluster } from '../../cluster/cluster.js';
import { FIELD_MANAGER } from '../defaults.js';
import type { CanaryRoute, CanaryService } from '../plan/types.js';
import { waitForRollouts, type Deployment } from '../rollout.js';
import { waitForReadyEndpoints } from '../strategies/endpoints.js';
import { StrategyFailed } from '../strategies/strategy.js';
import { canaryServiceObject, pinnedStableService, POD_TEMPLATE_HASH } from './route-objects.js';
import type { CanaryWeight, TrafficRouter } from './router.js';

const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

export function routeOf(service: CanaryService): CanaryRoute {
  if (!service.route) throw new Error(`service ${service.service} has no route to weight`);
  return service.route;
}

/** The rendered object of this kind and name (the route and Services a routed canary starts from). */
export function renderedObject(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind} ${name} is not among the rendered objects`);
  return found;
}

/** The pod-template-hash of the stable Deployment's current ReplicaSet, once its rollout is complete. */
export async function stablePodTemplateHash(
  cluster: Cluster,
  namespace: string,
  deployment: string,
  signal: AbortSignal,
): Promise<string> {
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: deployment };
  await waitForRollouts(cluster, [ref], signal);
  const live = await cluster.get<Deployment>(ref);
  const { items } = await cluster.list(
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace },
    { labelSelector: live?.spec?.selector?.matchLabels ?? {} },
  );
  const owned = items.filter((rs) =>
    rs.metadata.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === deployment),
  );
  const revision = (rs: KubeObject) => Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0);
  const current = owned.sort((a, b) => revision(b) - revision(a))[0];
  const hash = current?.metadata.labels?.[POD_TEMPLATE_HASH];
  if (!hash)
    throw new StrategyFailed(
      `the stable Deployment ${deployment} has no ReplicaSet with a ${POD_TEMPLATE_HASH} label to pin its Service to`,
    );
  return hash;
}

export abstract class RoutedRouter implements TrafficRouter {
  abstract readonly kind: 'gateway' | 'nginx';

  constructor(
    protected readonly cluster: Cluster,
    protected readonly namespace: string,
    /** The rendered objects: the route and the stable Service are built from them. */
    protected readonly objects: KubeObject[],
  ) {}

  /** Sends `weight` percent to the canary Service in one update. */
  protected abstract route(service: CanaryService, weight: number): Promise<void>;
  abstract reset(service: CanaryService): Promise<void>;
  protected abstract removeRoute(service: CanaryService): Promise<void>;

  async prepare(service: CanaryService, signal: AbortSignal): Promise<void> {
    const route = routeOf(service);
    const stable = renderedObject(this.objects, 'Service', route.stableService);
    const hash = await stablePodTemplateHash(this.cluster, this.namespace, service.stableDeployment, signal);
    await this.cluster.apply([pinnedStableService(stable, hash), canaryServiceObject(stable, route)], {
      fieldManager: FIELD_MANAGER,
      force: true,
    });
  }

  async setWeight(service: CanaryService, weight: CanaryWeight, signal: AbortSignal): Promise<void> {
    const route = routeOf(service);
    const ref = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: this.namespace,
      name: service.canaryDeployment,
    };
    // Pods first, weight second: the route never sends a share to a Service without the pods for it.
    await this.cluster.patch(ref, { spec: { replicas: weight.canaryReplicas } }, 'merge', {
      fieldManager: FIELD_MANAGER,
    });
    await waitForRollouts(this.cluster, [ref], signal);
    if (weight.weight > 0)
      await waitForReadyEndpoints(
        this.cluster,
        this.namespace,
        route.canaryService,
        weight.canaryReplicas,
        signal,
      );
    await this.route(service, weight.weight);
  }

  async remove(service: CanaryService): Promise<void> {
    const route = routeOf(service);
    await this.removeRoute(service);
    await this.cluster.delete({
      apiVersion: 'v1',
      kind: 'Service',
      namespace: this.namespace,
      name: route.canaryService,
    });
    // The stable Service as rendered again: the pod-template-hash key leaves its selector (server-side apply drops what it no longer applies).
    await this.cluster.apply([renderedObject(this.objects, 'Service', route.stableService)], {
      fieldManager: FIELD_MANAGER,
      force: true,
    });
  }

  describe(service: CanaryService, weight: number): string {
    const route = routeOf(service);
    return `${service.service} ${weight}% via ${route.kind} ${route.name}`;
  }
}
