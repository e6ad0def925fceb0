/**
 * The app's own monitoring, for services that declare `metrics: { port, path }`: a ServiceMonitor
 * per service (the Prometheus Operator scrapes its Service's metrics port) and one PrometheusRule
 * per environment with alerts on the objectives the deploy analysis measures (each
 * `deploy.analysis` Prometheus query with `max` or `min`, held for OBJECTIVE_ALERT_FOR) and on
 * Slipway's own series (`slipway metrics serve`): a deploy that failed, one whose way back failed,
 * a change failure ratio above the medium tier. Field names are the Prometheus Operator's
 * monitoring.coreos.com/v1 CRDs; test/metrics/monitoring.test.ts validates against their schemas.
 */
import type { NamedObject } from '@slipway/kube';
import { SERIES } from '../slipway-series.js';
import type { Analysis, Service } from '../../spec/schema.js';
import { warn, type RenderContext } from '../context.js';
import {
  CHANGE_FAILURE_ALERT_RATIO,
  DRIFT_ALERT_FOR,
  DRILL_MAX_AGE_SECONDS,
  METRICS_PATH,
  METRICS_SCRAPE_INTERVAL,
  OBJECTIVE_ALERT_FOR,
} from '../defaults.js';
import { objectName, selectorLabels } from '../names.js';
import { containerPorts } from './pod.js';

export const MONITORING_API_VERSION = 'monitoring.coreos.com/v1';

export function renderServiceMonitor(
  ctx: RenderContext,
  name: string,
  service: Service,
  labels: Record<string, string>,
): NamedObject | undefined {
  const metrics = service.metrics;
  if (!metrics || service.schedule) return undefined;
  const port = containerPorts(service).find((p) => p.containerPort === metrics.port);
  return {
    apiVersion: MONITORING_API_VERSION,
    kind: 'ServiceMonitor',
    metadata: { name: objectName(ctx.app.app, name), namespace: ctx.app.namespace, labels },
    spec: {
      selector: { matchLabels: selectorLabels(ctx.app.app, name) },
      namespaceSelector: { matchNames: [ctx.app.namespace] },
      endpoints: [
        {
          port: String(port?.name),
          path: metrics.path ?? METRICS_PATH,
          interval: METRICS_SCRAPE_INTERVAL,
        },
      ],
    },
  };
}

/** `error-rate` → `ErrorRate`: alert names are [a-zA-Z_:][a-zA-Z0-9_:]*. */
function alertName(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split(/[^A-Za-z0-9]+/))
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('')
    .replace(/^[0-9]/, (d) => `_${d}`);
}

/** The placeholders an alert can resolve at render time; a query needing others (revision, colour) is skipped. */
function objectiveQuery(ctx: RenderContext, name: string, analysis: Analysis): string | undefined {
  const vars: Record<string, string> = {
    app: ctx.app.app,
    namespace: ctx.app.namespace,
    environment: ctx.app.environment,
  };
  const query = analysis.prometheus?.query;
  if (!query || (analysis.max === undefined && analysis.min === undefined)) return undefined;
  let unresolved: string | undefined;
  const resolved = query.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (whole, key: string) => {
    const value = vars[key];
    if (value === undefined) unresolved ??= whole;
    return value ?? whole;
  });
  if (unresolved === undefined) return resolved;
  warn(
    ctx,
    `deploy.analysis.${name}.prometheus.query`,
    `no alert for this objective: ${unresolved} is only known during a deploy (alerts resolve {{app}}, {{namespace}} and {{environment}})`,
  );
  return undefined;
}

function objectiveRules(ctx: RenderContext, labels: Record<string, string>): Record<string, unknown>[] {
  const rules: Record<string, unknown>[] = [];
  for (const [name, analysis] of Object.entries(ctx.app.deploy.analysis ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const query = objectiveQuery(ctx, name, analysis);
    if (!query) continue;
    const bounds: Array<['>' | '<', number, string]> = [];
    if (analysis.max !== undefined) bounds.push(['>', analysis.max, 'above']);
    if (analysis.min !== undefined) bounds.push(['<', analysis.min, 'below']);
    for (const [op, bound, word] of bounds)
      rules.push({
        alert: alertName(ctx.app.app, name, bounds.length > 1 ? word : '', 'objective'),
        expr: `(${query}) ${op} ${bound}`,
        for: OBJECTIVE_ALERT_FOR,
        labels: { severity: 'warning', ...labels },
        annotations: {
          summary: `${ctx.app.app} in ${ctx.app.environment}: ${name} ${word} ${bound} for ${OBJECTIVE_ALERT_FOR}`,
          description: `The objective deploy.analysis.${name} holds a deploy to; it is broken outside a deploy now.`,
        },
      });
  }
  return rules;
}

function slipwayRules(ctx: RenderContext, labels: Record<string, string>): Record<string, unknown>[] {
  const sel = `app="${ctx.app.app}",environment="${ctx.app.environment}"`;
  const where = `${ctx.app.app} in ${ctx.app.environment}`;
  return [
    {
      alert: 'SlipwayDeployFailed',
      expr: `increase(${SERIES.deployments}{${sel},result=~"rolled-back|failed|aborted"}[1h]) > 0`,
      labels: { severity: 'warning', ...labels },
      annotations: {
        summary: `a deploy of ${where} did not go through in the last hour`,
        description: `slipway history --env ${ctx.app.environment} shows which and why.`,
      },
    },
    {
      alert: 'SlipwayDeployNeedsAttention',
      expr: `increase(${SERIES.deployments}{${sel},result="failed"}[1h]) > 0`,
      labels: { severity: 'critical', ...labels },
      annotations: {
        summary: `a deploy of ${where} failed and its way back failed too`,
        description: `slipway status --env ${ctx.app.environment} says what needs attention.`,
      },
    },
    {
      alert: 'SlipwayDriftFound',
      expr: `${SERIES.driftObjects}{${sel}} > 0`,
      for: DRIFT_ALERT_FOR,
      labels: { severity: 'warning', ...labels },
      annotations: {
        summary: `{{ $value }} {{ $labels.kind }} object(s) of ${where} differ from the current release`,
        description: `slipway drift --env ${ctx.app.environment} names the fields and who changed them; --fix puts them back.`,
      },
    },
    ...(Object.keys(ctx.app.backups).length
      ? [
          {
            alert: 'SlipwayRestoreDrillFailed',
            expr: `${SERIES.drillSuccess}{${sel}} == 0`,
            labels: { severity: 'warning', ...labels },
            annotations: {
              summary: `the last restore drill of {{ $labels.dependency }} in ${where} failed or missed its RTO/RPO target`,
              description: `slipway backup drill --env ${ctx.app.environment} {{ $labels.dependency }} runs it again and says why.`,
            },
          },
          {
            alert: 'SlipwayRestoreDrillStale',
            expr: `time() - ${SERIES.drillTime}{${sel}} > ${DRILL_MAX_AGE_SECONDS}`,
            labels: { severity: 'warning', ...labels },
            annotations: {
              summary: `no restore drill of {{ $labels.dependency }} in ${where} for more than ${DRILL_MAX_AGE_SECONDS / 86_400} days`,
              description: 'dr-drill.yml drills weekly: see why its last runs did not finish.',
            },
          },
        ]
      : []),
    {
      alert: 'SlipwayChangeFailureRateHigh',
      expr: `${SERIES.changeFailure}{${sel}} > ${CHANGE_FAILURE_ALERT_RATIO}`,
      for: '1h',
      labels: { severity: 'info', ...labels },
      annotations: {
        summary: `more than ${CHANGE_FAILURE_ALERT_RATIO * 100}% of the deploys of ${where} failed over the exporter window`,
        description: 'slipway metrics lists the failed deploys and why each counts.',
      },
    },
  ];
}

/** One PrometheusRule per environment, when any service declares metrics. */
export function renderPrometheusRule(
  ctx: RenderContext,
  labels: Record<string, string>,
): NamedObject | undefined {
  if (!Object.values(ctx.app.services).some((s) => s?.metrics && !s.schedule)) return undefined;
  const alertLabels = { app: ctx.app.app, environment: ctx.app.environment };
  const objectives = objectiveRules(ctx, alertLabels);
  return {
    apiVersion: MONITORING_API_VERSION,
    kind: 'PrometheusRule',
    metadata: { name: objectName(ctx.app.app, 'alerts'), namespace: ctx.app.namespace, labels },
    spec: {
      groups: [
        ...(objectives.length ? [{ name: `${ctx.app.app}.objectives`, rules: objectives }] : []),
        { name: `${ctx.app.app}.slipway`, rules: slipwayRules(ctx, alertLabels) },
      ],
    },
  };
}
