/**
 * API discovery in both styles: kubectl asks for aggregated discovery (apidiscovery.k8s.io/v2) and
 * uses it only when the response Content-Type says so exactly; client-node's KubernetesObjectApi
 * always reads the legacy per-group-version APIResourceList (kube-api-notes §0.5, §1.1).
 */
import { categoriesOf, SHORT_NAMES, type ResourceRegistry, type ServedResource } from '../store/registry.js';

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function wantsAggregated(accept: string | undefined): boolean {
  return !!accept && accept.includes('as=APIGroupDiscoveryList') && accept.includes('v=v2;');
}

const SUBRESOURCE_VERBS: Record<string, string[]> = {
  status: ['get', 'patch', 'update'],
  scale: ['get', 'patch', 'update'],
  log: ['get'],
};

function singular(r: ServedResource): string {
  return r.kind.toLowerCase();
}

function subresourceKind(r: ServedResource, sub: string): { group: string; version: string; kind: string } {
  if (sub === 'scale') return { group: 'autoscaling', version: 'v1', kind: 'Scale' };
  return { group: r.group, version: r.version, kind: sub === 'log' ? 'Pod' : r.kind };
}

export function legacyResourceList(
  registry: ResourceRegistry,
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const resources = registry.all.filter((r) => r.group === group && r.version === version);
  if (!resources.length) return undefined;
  const entries: Record<string, unknown>[] = [];
  for (const r of resources) {
    entries.push({
      name: r.resource,
      singularName: singular(r),
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(SHORT_NAMES[r.resource] ? { shortNames: SHORT_NAMES[r.resource] } : {}),
      ...(categoriesOf(r.resource).length ? { categories: categoriesOf(r.resource) } : {}),
    });
    for (const sub of r.subresources) {
      const k = subresourceKind(r, sub);
      entries.push({
        name: `${r.resource}/${sub}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(sub === 'scale' ? { group: k.group, version: k.version } : {}),
        kind: k.kind,
        verbs: SUBRESOURCE_VERBS[sub] ?? ['get'],
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: entries,
  };
}

export function legacyApiVersions(host: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }],
  };
}

function groupEntry(registry: ResourceRegistry, group: string): Record<string, unknown> {
  const versions = registry
    .groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function groupNames(registry: ResourceRegistry): string[] {
  return [
    ...new Set(
      registry
        .groupVersions()
        .map((gv) => gv.group)
        .filter((g) => g !== ''),
    ),
  ];
}

export function legacyGroupList(registry: ResourceRegistry): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groupNames(registry).map((g) => groupEntry(registry, g)),
  };
}

export function legacyGroup(registry: ResourceRegistry, group: string): Record<string, unknown> | undefined {
  if (!groupNames(registry).includes(group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(registry, group) };
}

/** `/api` (core only) or `/apis` (every named group) as an APIGroupDiscoveryList. */
export function aggregatedDiscovery(registry: ResourceRegistry, core: boolean): Record<string, unknown> {
  const groups = core ? [''] : groupNames(registry);
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((group) => ({
      metadata: { name: group },
      versions: registry
        .groupVersions()
        .filter((gv) => gv.group === group)
        .map((gv) => ({
          version: gv.version,
          freshness: 'Current',
          resources: registry.all
            .filter((r) => r.group === group && r.version === gv.version)
            .map((r) => ({
              resource: r.resource,
              responseKind: { group: r.group, version: r.version, kind: r.kind },
              scope: r.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: singular(r),
              verbs: r.verbs,
              ...(SHORT_NAMES[r.resource] ? { shortNames: SHORT_NAMES[r.resource] } : {}),
              ...(categoriesOf(r.resource).length ? { categories: categoriesOf(r.resource) } : {}),
              ...(r.subresources.length
                ? {
                    subresources: r.subresources.map((s) => ({
                      subresource: s,
                      responseKind: subresourceKind(r, s),
                      verbs: SUBRESOURCE_VERBS[s] ?? ['get'],
                    })),
                  }
                : {}),
            })),
        })),
    })),
  };
}
