/**
 * The names of Slipway's own Prometheus series, once: `slipway metrics serve` writes them
 * (src/metrics/exposition.ts); the Grafana dashboard and the alerts render writes query them
 * (src/render/dashboards). Labels: `app`, `environment`, `result` on deployments_total, and
 * `dependency` on the backup drill series, `kind` on the drift series.
 */
export const SERIES = {
  deployments: 'slipway_deployments_total',
  rollbacks: 'slipway_rollbacks_total',
  revision: 'slipway_release_revision',
  duration: 'slipway_deploy_duration_seconds',
  frequency: 'slipway_deployments_per_day',
  leadTime: 'slipway_lead_time_seconds',
  changeFailure: 'slipway_change_failure_ratio',
  recovery: 'slipway_recovery_time_seconds',
  rework: 'slipway_rework_ratio',
  window: 'slipway_metrics_window_seconds',
  drillTime: 'slipway_backup_drill_timestamp_seconds',
  drillSuccess: 'slipway_backup_drill_success',
  drillRto: 'slipway_backup_drill_rto_seconds',
  drillRpo: 'slipway_backup_drill_rpo_seconds',
  driftObjects: 'slipway_drift_objects',
  driftCheck: 'slipway_drift_last_check_timestamp_seconds',
} as const;

/** Values of the `result` label: a finished release record's outcome (deployed and superseded are `succeeded`). */
export const RESULTS = ['succeeded', 'rolled-back', 'failed', 'aborted'] as const;
