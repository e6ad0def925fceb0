/**
 * Objects for an add-on the cluster may not have: the Prometheus Operator's ServiceMonitor,
 * PodMonitor and PrometheusRule. Where the cluster does not serve their kind (no CRD installed, as
 * on a fresh cluster or the sandbox) they are left out of the deploy with a warning naming them,
 * as a Helm chart guards them with `.Capabilities.APIVersions.Has`; everything else must apply.
 */
import type { KubeObject } from '@slipway/kube';
import type { Cluster } from '../cluster/cluster.js';
import { UserError } from '../errors.js';

const OPTIONAL_GROUPS = new Set(['monitoring.coreos.com']);

export interface AddOnSplit<T extends KubeObject> {
  kept: T[];
  /** One line per kind left out: `ServiceMonitor (monitoring.coreos.com/v1): api, web`. */
  skipped: string[];
}

export async function withoutUnservedAddOns<T extends KubeObject>(
  cluster: Cluster,
  objects: T[],
): Promise<AddOnSplit<T>> {
  const serves = cluster.serves?.bind(cluster);
  if (!serves) return { kept: objects, skipped: [] };
  const verdict = new Map<string, boolean>();
  for (const o of objects) {
    const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '';
    const key = `${o.apiVersion}\t${o.kind}`;
    if (OPTIONAL_GROUPS.has(group) && !verdict.has(key)) verdict.set(key, await serves(o.apiVersion, o.kind));
  }
  const left = new Map<string, string[]>();
  const kept = objects.filter((o) => {
    const key = `${o.apiVersion}\t${o.kind}`;
    if (verdict.get(key) !== false) return true;
    left.set(key, [...(left.get(key) ?? []), o.metadata.name ?? '?']);
    return false;
  });
  const skipped = [...left].map(([key, names]) => {
    const [apiVersion, kind] = key.split('\t');
    return `${kind} (${apiVersion}): ${names.join(', ')}`;
  });
  return { kept, skipped };
}

/** Groups the app cannot run without once it uses them: the External Secrets Operator writes the Secrets the pods read. */
const REQUIRED_GROUPS: Record<string, string> = {
  'external-secrets.io':
    'install the External Secrets Operator (helm install external-secrets oci://ghcr.io/external-secrets/charts/external-secrets -n external-secrets --create-namespace), or use secrets.store: sops',
};

/** Refuses (exit 2, before anything is applied) objects of a required add-on the cluster does not serve. */
export async function requireServedAddOns(cluster: Cluster, objects: KubeObject[]): Promise<void> {
  const serves = cluster.serves?.bind(cluster);
  if (!serves) return;
  const checked = new Set<string>();
  for (const o of objects) {
    const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '';
    const key = `${o.apiVersion}\t${o.kind}`;
    const hint = REQUIRED_GROUPS[group];
    if (!hint || checked.has(key)) continue;
    checked.add(key);
    if (!(await serves(o.apiVersion, o.kind)))
      throw new UserError(
        `the cluster does not serve ${o.kind} (${o.apiVersion}), which secrets.store needs`,
        {
          code: 'deploy-missing-add-on',
          path: 'secrets.store',
          hint,
        },
      );
  }
}
