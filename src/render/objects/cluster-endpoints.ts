/**
 * In-cluster addresses written as plain env values (`http://otel-collector.observability.svc:4317`):
 * a flow the spec implies to another namespace, which default-deny egress would otherwise cut.
 * Each becomes an egress rule to that namespace (and port, when the value names one).
 */
const SERVICE_DNS =
  /\b[a-z0-9]([-a-z0-9]*[a-z0-9])?\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.[a-z0-9.-]*[a-z0-9])?(:(\d{1,5}))?/g;

export interface ClusterEndpoint {
  namespace: string;
  port?: number;
}

export function clusterEndpoints(values: string[]): ClusterEndpoint[] {
  const found = new Map<string, ClusterEndpoint>();
  for (const value of values) {
    for (const m of value.matchAll(SERVICE_DNS)) {
      const namespace = m[2] ?? '';
      const port = m[6] ? Number(m[6]) : undefined;
      found.set(`${namespace}:${port ?? ''}`, { namespace, port });
    }
  }
  return [...found.values()].sort((a, b) =>
    a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : (a.port ?? 0) - (b.port ?? 0),
  );
}
