/**
 * Canary weight by replica ratio: the stable and canary Deployments' pods all carry the labels the
 * Service selects, so each new connection reaches a canary pod with the canary's share of ready
 * pods. Setting a weight scales both Deployments (counts from the plan, Argo Rollouts' arithmetic)
 * and waits until both rollouts are complete, so the share is real before the step's pause or
 * analysis starts. The stable Deployment's replicas change by a merge patch: its pod template,
 * the previous version, is never touched until promotion. Weight 0 is the canary's deletion, which
 * the strategy does; there is nothing of its own to prepare or remove.
 */
import type { Cluster } from '../../cluster/cluster.js';
import { FIELD_MANAGER } from '../defaults.js';
import type { CanaryService } from '../plan/types.js';
import { waitForRollouts } from '../rollout.js';
import type { CanaryWeight, TrafficRouter } from './router.js';

export class ReplicaRatioRouter implements TrafficRouter {
  readonly kind = 'replicas' as const;

  constructor(
    private readonly cluster: Cluster,
    private readonly namespace: string,
  ) {}

  async prepare(): Promise<void> {}

  async setWeight(service: CanaryService, weight: CanaryWeight, signal: AbortSignal): Promise<void> {
    const ref = (name: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: this.namespace,
      name,
    });
    // Canary up first, stable down second: capacity never dips below the plan's total.
    await this.cluster.patch(
      ref(service.canaryDeployment),
      { spec: { replicas: weight.canaryReplicas } },
      'merge',
      { fieldManager: FIELD_MANAGER },
    );
    await waitForRollouts(this.cluster, [ref(service.canaryDeployment)], signal);
    await this.cluster.patch(
      ref(service.stableDeployment),
      { spec: { replicas: weight.stableReplicas } },
      'merge',
      { fieldManager: FIELD_MANAGER },
    );
    await waitForRollouts(this.cluster, [ref(service.stableDeployment)], signal);
  }

  async reset(): Promise<void> {}

  async remove(): Promise<void> {}

  describe(service: CanaryService, weight: number): string {
    return `${service.service} ${weight}% by replica ratio`;
  }
}
