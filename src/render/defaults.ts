/**
 * Every default render applies, named once. A spec field always wins over these; docs/render.md
 * lists them for users.
 */

/** UID/GID for app containers when the spec names none: above the range distributions give system users. */
export const DEFAULT_UID = 10001;
export const DEFAULT_GID = 10001;

export const DEFAULT_CPU_REQUEST = '100m';
export const DEFAULT_MEMORY_REQUEST = '128Mi';
/** The schema's documented rule: cpu limit = this factor x the cpu request (memory limit = request). */
export const CPU_LIMIT_FACTOR = 2;

export const DEFAULT_REPLICAS = 1;

/**
 * How long a terminating pod keeps serving before SIGTERM. Endpoint removal reaches kube-proxy,
 * ingress controllers and load balancers asynchronously after the pod is marked terminating
 * (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination); without the
 * delay, requests still routed to the pod fail. 10s covers kube-proxy's default sync and the common
 * ingress controllers' reconcile loops.
 */
export const PRESTOP_DELAY_SECONDS = 10;
/** First Kubernetes minor (1.x) where the preStop `sleep` action is on by default (KEP-3960 beta). */
export const SLEEP_ACTION_MINOR = 30;
/** Must exceed the preStop delay: the kubelet counts the hook inside the grace period. 30s for the app's own shutdown. */
export const TERMINATION_GRACE_SECONDS = PRESTOP_DELAY_SECONDS + 30;

export const ROLLING_MAX_UNAVAILABLE = 0;
export const ROLLING_MAX_SURGE = '25%';
export const REVISION_HISTORY_LIMIT = 10;

export const READINESS_PERIOD_SECONDS = 5;
export const LIVENESS_PERIOD_SECONDS = 10;
export const PROBE_TIMEOUT_SECONDS = 2;
export const PROBE_FAILURE_THRESHOLD = 3;

export const HPA_DEFAULT_CPU_UTILIZATION = 70;
export const PDB_MAX_UNAVAILABLE = 1;

/** Finished migration Jobs are deleted after a day; the hashed name keeps one release from rerunning another's. */
export const MIGRATION_TTL_SECONDS = 86_400;
export const MIGRATION_BACKOFF_LIMIT = 2;
export const CRONJOB_BACKOFF_LIMIT = 2;
export const CRONJOB_HISTORY_LIMIT = 3;

/** Size of the writable emptyDir that replaces a read-only root filesystem's /tmp. */
export const TMP_SIZE_LIMIT = '256Mi';
export const DEFAULT_DEPENDENCY_STORAGE = '1Gi';

/** Namespace of the ingress controller allowed through NetworkPolicy to public services (ingress mode). */
export const INGRESS_CONTROLLER_NAMESPACE = 'ingress-nginx';
export const DNS_NAMESPACE = 'kube-system';
export const CLUSTER_DOMAIN = 'cluster.local';
/** Public-internet egress for app services: everything except private, link-local (cloud metadata) ranges. */
export const PRIVATE_CIDRS = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  '100.64.0.0/10',
];

export const MANAGED_BY = 'slipway';
export const ANNOTATION_PREFIX = 'slipway.dev';

/** The port name `metrics.port` gets when it is not one of the service's ports (network policies let Prometheus reach it). */
export const METRICS_PORT_NAME = 'metrics';
export const METRICS_PATH = '/metrics';
export const METRICS_SCRAPE_INTERVAL = '30s';
/** How long an objective must stay broken before its alert fires. */
export const OBJECTIVE_ALERT_FOR = '5m';
/** How long drift must stand before its alert fires: a hand change made during an incident and put back at once is not news. */
export const DRIFT_ALERT_FOR = '15m';
/** The newest restore drill may be this old: dr-drill.yml drills weekly, plus a day. */
export const DRILL_MAX_AGE_SECONDS = 8 * 86_400;
/** The change failure ratio above which the PrometheusRule warns: the 2023 report's medium-tier bound. */
export const CHANGE_FAILURE_ALERT_RATIO = 0.15;
