/**
 * The served resource types, from the generated tables, plus what discovery adds that the OpenAPI
 * document does not carry: short names and categories (values from `kubectl api-resources` on a
 * real 1.33 cluster; `categories: ["all"]` is what makes `kubectl get all` list a kind).
 */
import { RESOURCES } from '../generated/kube-tables.js';
import type { GeneratedResource } from '../generated/types.js';
import type { ResourceType } from '../types.js';

export const SHORT_NAMES: Record<string, string[]> = {
  pods: ['po'],
  services: ['svc'],
  endpoints: ['ep'],
  configmaps: ['cm'],
  serviceaccounts: ['sa'],
  persistentvolumeclaims: ['pvc'],
  persistentvolumes: ['pv'],
  events: ['ev'],
  namespaces: ['ns'],
  nodes: ['no'],
  deployments: ['deploy'],
  replicasets: ['rs'],
  statefulsets: ['sts'],
  daemonsets: ['ds'],
  cronjobs: ['cj'],
  horizontalpodautoscalers: ['hpa'],
  poddisruptionbudgets: ['pdb'],
  ingresses: ['ing'],
  networkpolicies: ['netpol'],
};

const ALL_CATEGORY = new Set([
  'pods',
  'services',
  'deployments',
  'replicasets',
  'statefulsets',
  'daemonsets',
  'jobs',
  'cronjobs',
  'horizontalpodautoscalers',
]);

export function categoriesOf(resource: string): string[] {
  return ALL_CATEGORY.has(resource) ? ['all'] : [];
}

export interface ServedResource extends ResourceType {
  definition?: string;
  verbs: string[];
  subresources: string[];
}

export function typeKey(t: { group: string; resource: string }): string {
  return t.group ? `${t.resource}.${t.group}` : t.resource;
}

export function apiVersionOf(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

export class ResourceRegistry {
  readonly all: ServedResource[];
  private readonly byKind = new Map<string, ServedResource>();
  private readonly byResource = new Map<string, ServedResource>();

  constructor(resources: GeneratedResource[] = RESOURCES) {
    this.all = resources.map((r) => ({ ...r }));
    for (const r of this.all) {
      this.byKind.set(`${apiVersionOf(r)}|${r.kind}`, r);
      this.byResource.set(`${apiVersionOf(r)}|${r.resource}`, r);
    }
  }

  forKind(apiVersion: string, kind: string): ServedResource | undefined {
    return this.byKind.get(`${apiVersion}|${kind}`);
  }

  forResource(group: string, version: string, resource: string): ServedResource | undefined {
    return this.byResource.get(`${apiVersionOf({ group, version })}|${resource}`);
  }

  groupVersions(): { group: string; version: string }[] {
    const seen = new Map<string, { group: string; version: string }>();
    for (const r of this.all) seen.set(apiVersionOf(r), { group: r.group, version: r.version });
    return [...seen.values()];
  }
}
