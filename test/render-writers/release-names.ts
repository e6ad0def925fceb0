/**
 * What makes a release of a chart self-consistent, checked on `helm template` output: every object
 * in the release namespace, named `<fullname>-...`, carrying the release's instance label; every
 * reference by name (ServiceAccount, ConfigMap, Secret, HPA target, Ingress backend, StatefulSet
 * serviceName, Service DNS names in strings) lands on an object of the same release (Secrets, made
 * outside the chart, on a name of the release or one the spec declares); every label selector
 * (Service, PDB, NetworkPolicy, spread constraints) selects pods of the same release.
 */
import type { NamedObject } from '@slipway/kube';

export interface Release {
  fullname: string;
  namespace: string;
  release: string;
  /** Secrets the spec names itself (an external dependency's). */
  externalSecrets?: string[];
}

/** The Services an operator makes for a CloudNativePG Cluster of the release (`<cluster>-rw`, ...). */
function operatorServices(objects: NamedObject[]): string[] {
  return objects
    .filter((o) => o.kind === 'Cluster' && o.apiVersion === 'postgresql.cnpg.io/v1')
    .flatMap((o) => ['rw', 'ro', 'r'].map((s) => `${o.metadata.name}-${s}`));
}

const INSTANCE = 'app.kubernetes.io/instance';
const POD_TEMPLATE: Record<string, string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Pod: [],
};

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function at(o: unknown, path: string[]): unknown {
  return path.reduce<unknown>((v, k) => (isMap(v) ? v[k] : undefined), o);
}

function podLabels(objects: NamedObject[]): Record<string, string>[] {
  return objects.flatMap((o) => {
    const path = POD_TEMPLATE[o.kind];
    if (!path) return [];
    const labels = at(o, [...path, 'metadata', 'labels']);
    return isMap(labels) ? [labels as Record<string, string>] : [];
  });
}

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Every inconsistency found, as `Kind/name: what`; empty when the release is self-consistent. */
export function releaseProblems(objects: NamedObject[], r: Release): string[] {
  const problems: string[] = [];
  const made = operatorServices(objects);
  const pods = [...podLabels(objects), ...objects.filter((o) => o.kind === 'Cluster').map(clusterPodLabels)];
  const has = (kind: string, name: unknown) =>
    objects.some((o) => o.kind === kind && o.metadata.name === name) ||
    (kind === 'Service' && made.includes(String(name)));
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata.name}`;
    const fail = (what: string) => problems.push(`${id}: ${what}`);
    if (o.metadata.namespace !== r.namespace) fail(`namespace ${o.metadata.namespace}`);
    if (!o.metadata.name.startsWith(`${r.fullname}-`)) fail('name is not the release fullname plus a part');
    const instance = o.metadata.labels?.[INSTANCE];
    if (instance !== undefined && instance !== r.release) fail(`instance label ${instance}`);
    const selectorOf = (path: string[]) => at(o, path) as Record<string, string> | undefined;
    const selectors: Record<string, string>[] = [];
    if (o.kind === 'Service' && selectorOf(['spec', 'selector']))
      selectors.push(selectorOf(['spec', 'selector'])!);
    if (['Deployment', 'StatefulSet', 'PodDisruptionBudget'].includes(o.kind))
      selectors.push(selectorOf(['spec', 'selector', 'matchLabels'])!);
    walk(o, [], (path, value) => {
      const key = path[path.length - 1];
      const parent = path[path.length - 2];
      // Pods of other namespaces (DNS, the ingress controller) are not the release's to check.
      const otherNamespace =
        parent === 'podSelector' &&
        isMap(at(o, path.slice(0, -2))) &&
        'namespaceSelector' in (at(o, path.slice(0, -2)) as Json);
      if (
        key === 'matchLabels' &&
        isMap(value) &&
        Object.keys(value).length &&
        !path.includes('namespaceSelector') &&
        !otherNamespace
      )
        selectors.push(value as Record<string, string>);
      if (typeof value !== 'string') return;
      if (key === INSTANCE && value !== r.release) fail(`${path.join('.')}: instance ${value}`);
      if (key === 'serviceAccountName' && !has('ServiceAccount', value)) fail(`no ServiceAccount ${value}`);
      if (
        key === 'name' &&
        ['configMapRef', 'configMapKeyRef', 'configMap'].includes(parent ?? '') &&
        !has('ConfigMap', value)
      )
        fail(`no ConfigMap ${value}`);
      const secret =
        (key === 'name' && ['secretKeyRef', 'secretRef'].includes(parent ?? '')) || key === 'secretName';
      if (secret && !value.startsWith(`${r.fullname}-`) && !(r.externalSecrets ?? []).includes(value))
        fail(`Secret ${value} is not the release's`);
      if (
        key === 'name' &&
        parent === 'scaleTargetRef' &&
        !has(String(at(o, ['spec', 'scaleTargetRef', 'kind'])), value)
      )
        fail(`no scale target ${value}`);
      if (key === 'name' && parent === 'service' && o.kind === 'Ingress' && !has('Service', value))
        fail(`no backend Service ${value}`);
      if (key === 'serviceName' && !has('Service', value)) fail(`no Service ${value}`);
      for (const m of value.matchAll(/([a-z0-9-]+)\.([a-z0-9-]+)\.svc\b/g)) {
        if (m[2] !== r.namespace) fail(`${m[0]} is in another namespace`);
        else if (!has('Service', m[1])) fail(`${m[0]} names no Service of the release`);
      }
    });
    for (const selector of selectors) {
      if (selector[INSTANCE] !== undefined && selector[INSTANCE] !== r.release)
        fail(`selects instance ${selector[INSTANCE]}`);
      if (!pods.some((labels) => selects(selector, labels)))
        fail(`selects no pod: ${JSON.stringify(selector)}`);
    }
  }
  return problems;
}

/** A Cluster's pods carry its inheritedMetadata labels. */
function clusterPodLabels(cluster: NamedObject): Record<string, string> {
  return (at(cluster, ['spec', 'inheritedMetadata', 'labels']) ?? {}) as Record<string, string>;
}

function walk(value: unknown, path: string[], visit: (path: string[], value: unknown) => void): void {
  visit(path, value);
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, String(i)], visit));
  else if (isMap(value)) for (const [k, v] of Object.entries(value)) walk(v, [...path, k], visit);
}
