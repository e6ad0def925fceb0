import { isExpression, isPlain } from './terraform-values.js';

/**
 * What the provider's expand functions (terraform-provider-kubernetes, kubernetes/structure_*.go)
 * do to an object beyond renaming its blocks: the fields they merge, drop or fill in, by kind. Each
 * takes the converted body and the resource type, and changes the body in place.
 */
type Expand = (body: Record<string, unknown>, type: string) => void;

const EXPAND: Readonly<Record<string, Expand>> = {
  Secret: secretData,
  Service: serviceSpec,
  Ingress: ingressPaths,
  HorizontalPodAutoscaler: autoscalerSpec,
};

export function expand(body: Record<string, unknown>, type: string): void {
  EXPAND[String(body.kind)]?.(body, type);
}

const plainItems = (v: unknown): Array<Record<string, unknown>> =>
  Array.isArray(v) ? v.filter(isPlain) : [];

/**
 * The provider writes `data` as the Secret's bytes (the API shows them base64), and `binary_data`
 * (base64 already) and the write-only `data_wo` and `binary_data_wo` into the same map. A part
 * that is an expression makes the whole map unknown.
 */
function secretData(body: Record<string, unknown>): void {
  const parts = [body.data, body.dataWo, body.binaryData, body.binaryDataWo];
  delete body.dataWo;
  delete body.binaryData;
  delete body.binaryDataWo;
  if (parts.every((p) => p === undefined)) return;
  const unknown = parts.find(isExpression);
  if (unknown) {
    body.data = unknown;
    return;
  }
  const out: Record<string, unknown> = {};
  parts.forEach((part, i) => {
    if (!isPlain(part)) return;
    for (const k in part) {
      const v = part[k];
      // data and data_wo are text; binary_data and binary_data_wo are base64 already.
      out[k] = i < 2 && typeof v === 'string' ? Buffer.from(v, 'utf8').toString('base64') : v;
    }
  });
  body.data = out;
}

/** expandServiceSpec sends these two only for a LoadBalancer (the API refuses them on other types). */
function serviceSpec(body: Record<string, unknown>): void {
  const spec = body.spec;
  if (!isPlain(spec) || spec.type === 'LoadBalancer' || isExpression(spec.type)) return;
  delete spec.allocateLoadBalancerNodePorts;
  delete spec.loadBalancerClass;
}

/**
 * A networking.k8s.io/v1 path's `path_type` defaults to ImplementationSpecific in the provider's
 * schema and is always sent; the API has no default for it (the field is required).
 */
function ingressPaths(body: Record<string, unknown>): void {
  if (body.apiVersion !== 'networking.k8s.io/v1' || !isPlain(body.spec)) return;
  for (const rule of plainItems(body.spec.rules))
    for (const path of plainItems(isPlain(rule.http) ? rule.http.paths : undefined))
      path.pathType ??= 'ImplementationSpecific';
}

/** The field of a metric target its type reads; expandV2MetricTarget sends that one only. */
const TARGET_VALUE: Readonly<Record<string, string>> = {
  Utilization: 'averageUtilization',
  AverageValue: 'averageValue',
  Value: 'value',
};
const METRIC_SOURCES = ['resource', 'pods', 'object', 'external', 'containerResource'];

/**
 * The unversioned type creates an autoscaling/v1 object unless its spec has a metric or behavior
 * block (useV2Beta2). A v2 spec has no target_cpu_utilization_percentage (expandHorizontalPodAutoscalerV2Spec
 * does not read it), and a metric target keeps only the value its type names.
 */
function autoscalerSpec(body: Record<string, unknown>, type: string): void {
  const spec = body.spec;
  if (!isPlain(spec)) return;
  if (
    type === 'kubernetes_horizontal_pod_autoscaler' &&
    (spec.metrics !== undefined || spec.behavior !== undefined)
  )
    body.apiVersion = 'autoscaling/v2beta2';
  if (body.apiVersion === 'autoscaling/v1') return;
  delete spec.targetCPUUtilizationPercentage;
  for (const metric of plainItems(spec.metrics))
    for (const source of METRIC_SOURCES) {
      const target = isPlain(metric[source]) ? metric[source].target : undefined;
      if (!isPlain(target) || typeof target.type !== 'string') continue;
      for (const field of Object.values(TARGET_VALUE))
        if (field !== TARGET_VALUE[target.type]) delete target[field];
    }
}
