/** Shapes of the compact tables generated from the Kubernetes OpenAPI document (packages/sandbox/scripts/gen-kube-tables.ts). */

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/**
 * An OpenAPI v2 schema as the Kubernetes document writes it, minus descriptions. `$ref` points at
 * `#/definitions/<name>`; the `x-kubernetes-*` extensions drive strategic merge and server-side apply.
 */
export interface KubeSchema {
  type?: string;
  format?: string;
  $ref?: string;
  properties?: Record<string, KubeSchema>;
  items?: KubeSchema;
  additionalProperties?: KubeSchema | boolean;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  allOf?: KubeSchema[];
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-unions'?: unknown[];
}

export interface GeneratedResource {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  /** Definition name of the object schema; absent for kinds the document does not describe (HTTPRoute). */
  definition?: string;
  verbs: string[];
  subresources: string[];
}
