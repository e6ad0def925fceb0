/**
 * The hashicorp/kubernetes provider's schema as far as turning its resources into Kubernetes objects
 * needs it (terraform-provider-kubernetes, kubernetes/schema_*.go and resource_kubernetes_*.go):
 * the object each resource type creates, which blocks are lists in the API, and the names camelCase
 * alone does not give.
 */

const RBAC = 'rbac.authorization.k8s.io/v1';

export type Kind = { apiVersion: string; kind: string };
const kinds = (types: string[], apiVersion: string, kind: string): Array<[string, Kind]> =>
  types.map((type) => [type, { apiVersion, kind }]);
const versioned = (type: string) => [`kubernetes_${type}_v1`, `kubernetes_${type}`];

/** Resource types and the objects they create: the `_v1` types and their deprecated aliases. */
export const KINDS: Readonly<Record<string, Kind>> = Object.fromEntries([
  ...kinds(versioned('role'), RBAC, 'Role'),
  ...kinds(versioned('cluster_role'), RBAC, 'ClusterRole'),
  ...kinds(versioned('role_binding'), RBAC, 'RoleBinding'),
  ...kinds(versioned('cluster_role_binding'), RBAC, 'ClusterRoleBinding'),
  ...kinds(versioned('service_account'), 'v1', 'ServiceAccount'),
  ...kinds(versioned('namespace'), 'v1', 'Namespace'),
  ...kinds(versioned('secret'), 'v1', 'Secret'),
  ...kinds(versioned('config_map'), 'v1', 'ConfigMap'),
  ...kinds(versioned('pod'), 'v1', 'Pod'),
  ...kinds(versioned('deployment'), 'apps/v1', 'Deployment'),
  ...kinds(versioned('stateful_set'), 'apps/v1', 'StatefulSet'),
  ...kinds(['kubernetes_daemon_set_v1', 'kubernetes_daemonset'], 'apps/v1', 'DaemonSet'),
  ...kinds(versioned('job'), 'batch/v1', 'Job'),
  ...kinds(['kubernetes_cron_job_v1'], 'batch/v1', 'CronJob'),
  // The deprecated type still creates batch/v1beta1 CronJobs (resourceKubernetesCronJobV1Beta1).
  ...kinds(['kubernetes_cron_job'], 'batch/v1beta1', 'CronJob'),
  ...kinds(versioned('service'), 'v1', 'Service'),
  ...kinds(['kubernetes_ingress_v1'], 'networking.k8s.io/v1', 'Ingress'),
  // The deprecated type writes through the extensions/v1beta1 client (resourceKubernetesIngressV1Beta1).
  ...kinds(['kubernetes_ingress'], 'extensions/v1beta1', 'Ingress'),
  ...kinds(versioned('network_policy'), 'networking.k8s.io/v1', 'NetworkPolicy'),
  ...kinds(['kubernetes_horizontal_pod_autoscaler_v2'], 'autoscaling/v2', 'HorizontalPodAutoscaler'),
  ...kinds(
    ['kubernetes_horizontal_pod_autoscaler_v2beta2'],
    'autoscaling/v2beta2',
    'HorizontalPodAutoscaler',
  ),
  // The unversioned type is autoscaling/v1 until a metric or behavior block makes it v2beta2 (useV2Beta2).
  ...kinds(versioned('horizontal_pod_autoscaler'), 'autoscaling/v1', 'HorizontalPodAutoscaler'),
  ...kinds(['kubernetes_pod_disruption_budget_v1'], 'policy/v1', 'PodDisruptionBudget'),
  ...kinds(['kubernetes_pod_disruption_budget'], 'policy/v1beta1', 'PodDisruptionBudget'),
]);

/** Blocks whose Kubernetes field is a list, by block name; every other block is one object. */
export const LISTS: Readonly<Record<string, string>> = {
  container: 'containers',
  init_container: 'initContainers',
  volume: 'volumes',
  volume_mount: 'volumeMounts',
  volume_device: 'volumeDevices',
  env: 'env',
  env_from: 'envFrom',
  port: 'ports',
  toleration: 'tolerations',
  rule: 'rules',
  subject: 'subjects',
  image_pull_secrets: 'imagePullSecrets',
  image_pull_secret: 'imagePullSecrets',
  host_aliases: 'hostAliases',
  topology_spread_constraint: 'topologySpreadConstraints',
  readiness_gate: 'readinessGates',
  match_expressions: 'matchExpressions',
  match_fields: 'matchFields',
  sysctl: 'sysctls',
  http_header: 'httpHeaders',
  items: 'items',
  cluster_role_selectors: 'clusterRoleSelectors',
  volume_claim_template: 'volumeClaimTemplates',
  sources: 'sources',
  option: 'options',
  node_selector_term: 'nodeSelectorTerms',
  on_pod_condition: 'onPodConditions',
  preferred_during_scheduling_ignored_during_execution: 'preferredDuringSchedulingIgnoredDuringExecution',
  required_during_scheduling_ignored_during_execution: 'requiredDuringSchedulingIgnoredDuringExecution',
  // An Ingress's `rule { http { path { ... } } }` and `tls` blocks.
  path: 'paths',
  tls: 'tls',
  // A NetworkPolicy's rules, their ports and peers.
  ingress: 'ingress',
  egress: 'egress',
  ports: 'ports',
  from: 'from',
  to: 'to',
  // An autoscaler's metrics and its scaling rules' policies.
  metric: 'metrics',
  policy: 'policies',
};

/** The same block name as one object under these parents (the schema reuses the name). */
export const SINGLE_UNDER: Readonly<Record<string, readonly string[]>> = {
  // A node affinity's required term is one NodeSelector; a pod (anti-)affinity's is a list.
  required_during_scheduling_ignored_during_execution: ['node_affinity'],
  // An ephemeral volume's claim template is one; a StatefulSet's are a list.
  volume_claim_template: ['ephemeral'],
  // An Ingress backend's service has one port; a Service's `port` blocks are its ports.
  port: ['service'],
  // A pods, object or external metric names one metric; an autoscaler's `metric` blocks are its metrics.
  metric: ['pods', 'object', 'external'],
};

/** Names the API spells with an initialism, which camelCase alone does not give. */
const NAMES: Readonly<Record<string, string>> = {
  non_resource_urls: 'nonResourceURLs',
  host_ip: 'hostIP',
  host_pid: 'hostPID',
  host_ipc: 'hostIPC',
  pod_ip: 'podIP',
  cluster_ip: 'clusterIP',
  cluster_ips: 'clusterIPs',
  external_ips: 'externalIPs',
  load_balancer_ip: 'loadBalancerIP',
  downward_api: 'downwardAPI',
  ceph_fs: 'cephfs',
  target_ww_ns: 'targetWWNs',
  timezone: 'timeZone',
  client_ip: 'clientIP',
  target_cpu_utilization_percentage: 'targetCPUUtilizationPercentage',
};

/** Arguments of the provider that are not fields of the object (waiting, timeouts, meta-arguments). */
export const NOT_FIELDS = new Set([
  'count',
  'for_each',
  'provider',
  'depends_on',
  'lifecycle',
  'timeouts',
  'connection',
  'provisioner',
  'wait_for_rollout',
  'wait_for_completion',
  'wait_for_load_balancer',
  'wait_for_service_account_token',
  'wait_for_default_service_account',
  // A Pod's state Terraform waits for; the revisions that make Terraform send write-only data again.
  'target_state',
  'data_wo_revision',
  'binary_data_wo_revision',
]);

/** String arguments the API reads as IntOrString or as a number (replicas is a string in the provider). */
export const NUMERIC_STRINGS = new Set([
  'port',
  'target_port',
  'service_port',
  'max_surge',
  'max_unavailable',
  'min_available',
  'replicas',
]);

const camelNames = new Map<string, string>(Object.entries(NAMES));

/** The API's name of an argument (`run_as_non_root` → `runAsNonRoot`), worked out once per name. */
export function camel(name: string): string {
  let out = camelNames.get(name);
  if (out === undefined) {
    out = name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    camelNames.set(name, out);
  }
  return out;
}

const snakeNames = new Map(Object.entries(NAMES).map(([tf, api]) => [api, tf]));

/** An attribute's Terraform name from the API's (camel's inverse), for placing a finding. */
export function snake(field: string): string {
  return snakeNames.get(field) ?? field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
