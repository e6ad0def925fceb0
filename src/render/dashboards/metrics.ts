/**
 * The metrics the dashboard queries, named once. Two sources:
 *
 * - The services: the Prometheus client libraries' HTTP conventions (promhttp in Go,
 *   prometheus_client in Python, prom-client in Node): `http_requests_total` with a `code` label
 *   and `http_request_duration_seconds` as a histogram, scraped through the Kubernetes Service, so
 *   Prometheus adds `namespace` and `service` (the Service name, `<app>-<service>`) the way the
 *   kube-prometheus ServiceMonitor relabelling does. examples/sample-service exposes the counter.
 * - Slipway's deploy metrics, ASSUMED here and to be exposed by the metrics module (roadmap step
 *   5, DORA metrics from release records): a counter of deploys by result, a histogram of deploy
 *   durations, a counter of rollbacks and a gauge of the deployed revision.
 * docs/workflows.md#dashboards lists them; change a name here and the dashboard follows.
 */
export const METRICS = {
  requests: 'http_requests_total',
  requestDuration: 'http_request_duration_seconds',
  /** The status-code label of `requests`. */
  codeLabel: 'code',
  deploys: 'slipway_deploys_total',
  deployDuration: 'slipway_deploy_duration_seconds',
  rollbacks: 'slipway_rollbacks_total',
  revision: 'slipway_release_revision',
} as const;

/** Results of `slipway_deploys_total{result}`: the release record phases a deploy ends in. */
export const FAILED_RESULTS = 'failed|rolled-back';

/** Grafana's dashboard JSON model version this writer targets (Grafana 10.x/11.x import it as is). */
export const SCHEMA_VERSION = 39;
/** Grafana limits a dashboard uid to 40 characters. */
export const UID_MAX = 40;
