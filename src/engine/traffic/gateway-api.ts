/**
 * Canary weight through a Gateway API HTTPRoute (as the argoproj-labs Gateway API plugin for Argo
 * Rollouts does): the rendered route's backendRef to the stable Service becomes a stable/canary
 * pair weighted (100 − N) / N, written by server-side apply with Slipway's field manager, so fields
 * other managers own (status, a controller's annotations) are left alone. Weight 0 is the rendered
 * route again, in one update: the canary ref is gone before its Service is deleted.
 */
import { FIELD_MANAGER } from '../defaults.js';
import type { CanaryService } from '../plan/types.js';
import { renderedObject, routeOf, RoutedRouter } from './routed.js';
import { weightedHttpRoute } from './route-objects.js';

export class GatewayApiRouter extends RoutedRouter {
  readonly kind = 'gateway' as const;

  protected async route(service: CanaryService, weight: number): Promise<void> {
    const route = routeOf(service);
    await this.cluster.apply(
      [weightedHttpRoute(renderedObject(this.objects, 'HTTPRoute', route.name), route, weight)],
      { fieldManager: FIELD_MANAGER, force: true },
    );
  }

  async reset(service: CanaryService): Promise<void> {
    await this.route(service, 0);
  }

  protected async removeRoute(): Promise<void> {
    // reset already put the rendered route back; nothing of the route is the canary's own.
  }
}
