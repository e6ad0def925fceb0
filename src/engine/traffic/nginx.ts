/**
 * Canary weight through ingress-nginx (Argo Rollouts `rollout/trafficrouting/nginx`): a second
 * Ingress `<stable>-canary`, copied from the rendered stable Ingress (class, TLS, the rules that send
 * to the stable Service, pointed at the canary Service), with `canary: "true"`, `canary-weight: N`
 * and `canary-weight-total: 100`. The stable Ingress is never touched. Weight 0 is one merge patch of
 * the annotation; the canary Ingress is deleted afterwards.
 */
import { FIELD_MANAGER } from '../defaults.js';
import type { CanaryService } from '../plan/types.js';
import { renderedObject, routeOf, RoutedRouter } from './routed.js';
import { canaryIngressObject, canaryWeightAnnotations } from './route-objects.js';

export class NginxRouter extends RoutedRouter {
  readonly kind = 'nginx' as const;

  private ref(service: CanaryService) {
    const route = routeOf(service);
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      namespace: this.namespace,
      name: route.canaryIngress ?? `${route.name}-canary`,
    };
  }

  protected async route(service: CanaryService, weight: number): Promise<void> {
    const route = routeOf(service);
    await this.cluster.apply(
      [canaryIngressObject(renderedObject(this.objects, 'Ingress', route.name), route, weight)],
      { fieldManager: FIELD_MANAGER, force: true },
    );
  }

  async reset(service: CanaryService): Promise<void> {
    if (!(await this.cluster.get(this.ref(service)))) return;
    await this.cluster.patch(
      this.ref(service),
      { metadata: { annotations: canaryWeightAnnotations(0) } },
      'merge',
      { fieldManager: FIELD_MANAGER },
    );
  }

  protected async removeRoute(service: CanaryService): Promise<void> {
    await this.cluster.delete(this.ref(service));
  }
}
