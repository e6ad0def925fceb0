/** A plain Kubernetes object as rendered: JSON-compatible data, nothing else. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** A problem render could express only partially: the spec field and what happened to it. */
export interface RenderWarning {
  path: string;
  message: string;
}
