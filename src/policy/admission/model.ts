import type { AdmissionCheck, CheckOptions, Rule, Severity } from '../types.js';

/**
 * One catalog rule (or custom rule) as an admission policy, independent of the format: the kinds it
 * matches, the CEL variables it needs, its validation, and the parameters it reads. The writers in
 * vap.ts, gatekeeper.ts and kyverno.ts turn it into their objects.
 */
export interface AdmissionPolicy {
  rule: string;
  /** Kubernetes object name: `slipway-<rule id>`. */
  name: string;
  severity: Severity;
  resources: ResourceKind[];
  variables: Array<{ name: string; expression: string }>;
  expression: string;
  message: string;
  params: Record<string, unknown>;
}

export interface ResourceKind {
  group: string;
  version: string;
  kind: string;
  resource: string;
}

/** The kinds rules name, with their REST resources (apiGroups/resources of admission rules). */
export const RESOURCE_KINDS: Readonly<Record<string, ResourceKind>> = Object.fromEntries(
  (
    [
      ['', 'v1', 'Pod', 'pods'],
      ['', 'v1', 'PodTemplate', 'podtemplates'],
      ['', 'v1', 'ReplicationController', 'replicationcontrollers'],
      ['', 'v1', 'Service', 'services'],
      ['', 'v1', 'ConfigMap', 'configmaps'],
      ['', 'v1', 'Secret', 'secrets'],
      ['', 'v1', 'ServiceAccount', 'serviceaccounts'],
      ['', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'],
      ['', 'v1', 'Namespace', 'namespaces'],
      ['apps', 'v1', 'Deployment', 'deployments'],
      ['apps', 'v1', 'StatefulSet', 'statefulsets'],
      ['apps', 'v1', 'DaemonSet', 'daemonsets'],
      ['apps', 'v1', 'ReplicaSet', 'replicasets'],
      ['batch', 'v1', 'Job', 'jobs'],
      ['batch', 'v1', 'CronJob', 'cronjobs'],
      ['argoproj.io', 'v1alpha1', 'Rollout', 'rollouts'],
      ['autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'],
      ['policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets'],
      ['networking.k8s.io', 'v1', 'Ingress', 'ingresses'],
      ['networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies'],
      ['rbac.authorization.k8s.io', 'v1', 'Role', 'roles'],
      ['rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles'],
      ['rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings'],
      ['rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings'],
    ] as const
  ).map(([group, version, kind, resource]) => [kind, { group, version, kind, resource }]),
);

/** Kind names a rule may match: `workloads` or a kind with a known REST resource. */
export function knownKind(kind: string): boolean {
  return kind === 'workloads' || kind in RESOURCE_KINDS;
}

export const WORKLOAD_KINDS = [
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'CronJob',
  'PodTemplate',
  'Rollout',
] as const;

/** Where workloads keep their pod template (workloads.ts's TEMPLATE_PATHS), as CEL. */
const WORKLOAD_VARIABLES = [
  {
    // Total over every kind: an object without a pod template gets {} (as the checker skips it).
    name: 'template',
    expression:
      "object.kind == 'Pod' ? object : object.kind == 'CronJob' ? (has(object.spec) && has(object.spec.jobTemplate) && has(object.spec.jobTemplate.spec) && has(object.spec.jobTemplate.spec.template) ? object.spec.jobTemplate.spec.template : {}) : object.kind == 'PodTemplate' ? (has(object.template) ? object.template : {}) : (has(object.spec) && has(object.spec.template) ? object.spec.template : {})",
  },
  { name: 'podSpec', expression: 'has(variables.template.spec) ? variables.template.spec : {}' },
  { name: 'podMeta', expression: 'has(variables.template.metadata) ? variables.template.metadata : {}' },
  {
    name: 'containers',
    expression:
      '(has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : []) + (has(variables.podSpec.containers) ? variables.podSpec.containers : [])',
  },
  {
    name: 'allContainers',
    expression:
      'variables.containers + (has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : [])',
  },
];

/** `slipway.dev/ignore: rule[,rule]` on the object (or its pod template) exempts it, as in `slipway check`. */
function ignoredVariable(rule: string, workload: boolean): { name: string; expression: string } {
  const places = workload ? '[object.metadata, variables.podMeta]' : '[object.metadata]';
  return {
    name: 'ignored',
    expression: `${places}.exists(m, has(m.annotations) && 'slipway.dev/ignore' in m.annotations && m.annotations['slipway.dev/ignore'].split(',').exists(r, r.trim() == '${rule}'))`,
  };
}

export function admissionPolicy(
  rule: { id: string; admission: AdmissionCheck },
  severity: Severity,
  options: Pick<CheckOptions, 'allowedRegistries'>,
): AdmissionPolicy {
  const a = rule.admission;
  const workload = a.kinds === 'workloads';
  const kinds = workload ? WORKLOAD_KINDS : (a.kinds as readonly string[]);
  const workloadKinds = kinds.some((k) => (WORKLOAD_KINDS as readonly string[]).includes(k));
  return {
    rule: rule.id,
    name: `slipway-${rule.id}`,
    severity,
    resources: kinds.map((k) => {
      const r = RESOURCE_KINDS[k];
      if (!r) throw new Error(`rule ${rule.id}: no resource known for kind ${k}`);
      return r;
    }),
    variables: [...(workloadKinds ? WORKLOAD_VARIABLES : []), ignoredVariable(rule.id, workloadKinds)],
    expression: `variables.ignored || (${a.expression})`,
    message: `${rule.id}: ${a.message}`,
    params: Object.fromEntries((a.params ?? []).map((p) => [p, options[p] ?? []])),
  };
}

const CONSULTS_OTHERS =
  /in the input|another|a Service|selects|selected workloads|HorizontalPodAutoscaler|PodDisruptionBudget|reference a role|Role or ClusterRole of the input/;

/** Why a rule has no admission form; shown in the export's list and in docs/policy-admission.md. */
export function admissionGap(rule: Rule): string {
  if (rule.id === 'ignore-unknown-rule') return 'about the catalog of this slipway version, not the object';
  if (rule.pss?.overrides)
    return `replaces ${rule.pss.overrides} under --profile pss-restricted but leaves it what it reports in the full catalog; one expression cannot be both`;
  if (rule.category === 'terraform') return 'judges Terraform resources, not Kubernetes objects';
  if (rule.category === 'schema')
    return 'the API server validates the schema itself (and refuses unknown fields with fieldValidation=Strict)';
  if (rule.category === 'api-versions')
    return 'depends on the target version: a removed API is not served, a deprecated one answers with a Warning header';
  // Rules over one object that still consult others (the Service selecting the pods, an HPA, the
  // roles a binding names) say so in their catalog text.
  if (rule.crossObject || CONSULTS_OTHERS.test(rule.checks))
    return 'needs other objects of the input (cross-object), not visible to one admission request';
  return 'per object, but not yet written as CEL';
}

export function exportable(rule: Rule): rule is Rule & { admission: AdmissionCheck } {
  return rule.admission !== undefined;
}
