/**
 * A Kubernetes object as plain JSON: the one definition Slipway's renderer, policy checks, engine,
 * cluster clients and the sandbox all use. `unknown` past the well-known fields: callers narrow what
 * they read.
 */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** metav1.ObjectMeta, the fields Slipway reads or writes. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
  [field: string]: unknown;
}

/** An object that has its name: what a renderer writes (the API server names nothing it renders). */
export type NamedObject = KubeObject & { metadata: ObjectMeta & { name: string } };

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A type of object and, for namespaced types, the namespace (the cluster's default when omitted). */
export interface TypeRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
}

/** One object by type, namespace and name. */
export interface ObjectRef extends TypeRef {
  name: string;
}

/** metav1.LabelSelector: every matchLabels entry and every expression must hold. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** `apps/v1` → { group: 'apps', version: 'v1' }; `v1` → { group: '', version: 'v1' }. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/**
 * The object without what the API server and controllers keep for themselves: `status`, and the
 * metadata it sets (`managedFields`, `resourceVersion`, `generation`, `uid`, `creationTimestamp`).
 * What is left is what a client applied or changed: the ground of a diff or a drift check.
 */
export function withoutServerFields(obj: KubeObject): Record<string, unknown> {
  const { status: _s, metadata, ...rest } = obj;
  const {
    managedFields: _m,
    resourceVersion: _r,
    generation: _g,
    uid: _u,
    creationTimestamp: _c,
    ...meta
  } = metadata;
  return { ...rest, metadata: meta };
}
