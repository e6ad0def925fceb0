/**
 * The metrics the dashboard queries, named once. Two sources:
 *
 * - The services: the Prometheus client libraries' HTTP conventions (promhttp in Go,
 *   prometheus_client in Python, prom-client in Node): `http_requests_total` with a `code` label
 *   and `http_request_duration_seconds` as a histogram, scraped through the Kubernetes Service, so
 *   Prometheus adds `namespace` and `service` (the Service name, `<app>-<service>`) the way the
 *   kube-prometheus ServiceMonitor relabelling does. examples/sample-service exposes the counter.
 * - Slipway's own series, written by `slipway metrics serve` from the release records
 *   (src/render/slipway-series.ts names them): deploys by result, deploy durations, rollbacks, the
 *   serving revision, and the DORA figures over the exporter's window.
 * docs/workflows.md#dashboards and docs/metrics.md list them; change a name and the dashboard follows.
 */
import { SERIES } from '../slipway-series.js';

export const METRICS = {
  requests: 'http_requests_total',
  requestDuration: 'http_request_duration_seconds',
  /** The status-code label of `requests`. */
  codeLabel: 'code',
  deploys: SERIES.deployments,
  deployDuration: SERIES.duration,
  rollbacks: SERIES.rollbacks,
  revision: SERIES.revision,
  frequency: SERIES.frequency,
  leadTime: SERIES.leadTime,
  changeFailure: SERIES.changeFailure,
  recovery: SERIES.recovery,
  rework: SERIES.rework,
  driftObjects: SERIES.driftObjects,
  driftCheck: SERIES.driftCheck,
  drillSuccess: SERIES.drillSuccess,
  drillRto: SERIES.drillRto,
  drillRpo: SERIES.drillRpo,
  drillTime: SERIES.drillTime,
} as const;

/** Results of `slipway_deployments_total{result}` for a deploy that did not go through. */
export const FAILED_RESULTS = 'failed|rolled-back|aborted';

/** Grafana's dashboard JSON model version this writer targets (Grafana 10.x/11.x import it as is). */
export const SCHEMA_VERSION = 39;
/** Grafana limits a dashboard uid to 40 characters. */
export const UID_MAX = 40;
