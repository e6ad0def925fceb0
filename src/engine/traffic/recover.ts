/**
 * Converging after a canary deploy that was killed mid-way (its record left pending) or whose way back failed: whatever it
 * left routing to a canary goes, in the same order as a failed canary's way back. Weight 0 first
 * (the rendered HTTPRoutes applied again, each canary Ingress patched to canary-weight 0), then the
 * canary Ingresses, Deployments (scaled to zero first, so their pods leave the endpoints) and
 * Services deleted, then any stable Service still pinned to a pod-template-hash applied as
 * rendered. Objects are found by the `slipway.dev/role: canary` label, so a deploy of any strategy
 * (and `slipway rollback`) cleans up. Returns what it did, for the step detail.
 */
import type { KubeObject } from '@slipway/kube';
import type { Cluster } from '../../cluster/cluster.js';
import { FIELD_MANAGER } from '../defaults.js';
import { LABEL_ROLE, ROLE_CANARY } from '../plan/canary-labels.js';
import { waitForRollouts } from '../rollout.js';
import { canaryWeightAnnotations, POD_TEMPLATE_HASH } from './route-objects.js';

const LABEL_INSTANCE = 'app.kubernetes.io/instance';

interface BackendRefs {
  rules?: Array<{ backendRefs?: Array<{ name?: string }> }>;
}

export async function recoverCanaries(
  cluster: Cluster,
  namespace: string,
  app: string,
  rendered: KubeObject[],
  signal: AbortSignal,
): Promise<string[]> {
  const selector = { labelSelector: { [LABEL_ROLE]: ROLE_CANARY, [LABEL_INSTANCE]: app } };
  const [deployments, services, ingresses] = await Promise.all([
    cluster.list({ apiVersion: 'apps/v1', kind: 'Deployment', namespace }, selector),
    cluster.list({ apiVersion: 'v1', kind: 'Service', namespace }, selector),
    cluster.list({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace }, selector),
  ]);
  const done: string[] = [];
  const canaryServices = new Set(services.items.map((s) => s.metadata.name));
  for (const route of rendered.filter((o) => o.kind === 'HTTPRoute')) {
    const live = await cluster.get<KubeObject & { spec?: BackendRefs }>({
      apiVersion: route.apiVersion,
      kind: route.kind,
      namespace,
      name: route.metadata.name ?? '',
    });
    if (!live?.spec?.rules?.some((r) => r.backendRefs?.some((b) => canaryServices.has(b.name)))) continue;
    await cluster.apply([route], { fieldManager: FIELD_MANAGER, force: true });
    done.push(`HTTPRoute ${route.metadata.name} weight 0`);
  }
  for (const ing of ingresses.items) {
    const ref = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      namespace,
      name: ing.metadata.name ?? '',
    };
    await cluster.patch(ref, { metadata: { annotations: canaryWeightAnnotations(0) } }, 'merge', {
      fieldManager: FIELD_MANAGER,
    });
    await cluster.delete(ref);
    done.push(`Ingress ${ref.name} weight 0, deleted`);
  }
  // A replica-ratio canary scaled its stable down (a merge patch): size it as rendered again before
  // the canary goes, so capacity never dips, and so the next apply agrees with the patched value
  // (server-side apply conflicts over spec.replicas only when the values differ).
  if (deployments.items.length) done.push(...(await resizeStables(cluster, namespace, rendered)));
  for (const d of deployments.items) {
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: d.metadata.name ?? '' };
    await cluster.patch(ref, { spec: { replicas: 0 } }, 'merge', { fieldManager: FIELD_MANAGER });
    await waitForRollouts(cluster, [ref], signal);
    await cluster.delete(ref, { propagationPolicy: 'Background' });
    done.push(`Deployment ${ref.name} deleted`);
  }
  for (const s of services.items) {
    await cluster.delete({ apiVersion: 'v1', kind: 'Service', namespace, name: s.metadata.name ?? '' });
    done.push(`Service ${s.metadata.name} deleted`);
  }
  for (const svc of rendered.filter((o) => o.kind === 'Service')) {
    const live = await cluster.get<KubeObject & { spec?: { selector?: Record<string, string> } }>({
      apiVersion: 'v1',
      kind: 'Service',
      namespace,
      name: svc.metadata.name ?? '',
    });
    if (live?.spec?.selector?.[POD_TEMPLATE_HASH] === undefined) continue;
    await cluster.apply([svc], { fieldManager: FIELD_MANAGER, force: true });
    done.push(`Service ${svc.metadata.name} selects all its pods again`);
  }
  return done;
}

/** Rendered Deployments (HPA-less, so they carry replicas) whose live replica count differs: patched back. */
async function resizeStables(cluster: Cluster, namespace: string, rendered: KubeObject[]): Promise<string[]> {
  const done: string[] = [];
  for (const d of rendered.filter((o) => o.kind === 'Deployment')) {
    const replicas = (d as KubeObject & { spec?: { replicas?: number } }).spec?.replicas;
    if (replicas === undefined) continue;
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: d.metadata.name ?? '' };
    const live = await cluster.get<KubeObject & { spec?: { replicas?: number } }>(ref);
    if (!live || live.spec?.replicas === replicas) continue;
    await cluster.patch(ref, { spec: { replicas } }, 'merge', { fieldManager: FIELD_MANAGER });
    done.push(`Deployment ${ref.name} back to ${replicas} replicas`);
  }
  return done;
}
