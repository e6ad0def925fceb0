/**
 * The `dashboards` format: one Grafana dashboard per app (deploy/grafana/<app>.json): deploys,
 * their durations and failures from Slipway's metrics, and request rate, error rate and latency
 * per HTTP service from the services' own metrics. Import it in Grafana (Dashboards > New >
 * Import) or provision it; the Prometheus datasource is a variable chosen on import.
 */
import type { FormatInput, FormatOutput, FormatWriter } from '../format.js';
import { FAILED_RESULTS, METRICS, SCHEMA_VERSION, UID_MAX } from './metrics.js';
import type { DatasourceRef, GrafanaDashboard, Panel, Target, Variable } from './model.js';

export const DASHBOARDS_DIR = 'deploy/grafana';
const DS: DatasourceRef = { type: 'prometheus', uid: '${datasource}' };

export function dashboardUid(app: string): string {
  return `slipway-${app}`.slice(0, UID_MAX);
}

/** Services reachable over HTTP in any environment: those render gave a Service object. */
function httpServices(input: FormatInput): { service: string; k8sService: string }[] {
  const seen = new Map<string, string>();
  for (const env of input.environments) {
    for (const o of env.objects) {
      const name = o.metadata.labels?.['app.kubernetes.io/name'];
      if (
        o.kind === 'Service' &&
        name &&
        name in input.spec.services &&
        !seen.has(name) &&
        !o.metadata.name.endsWith('-headless')
      )
        seen.set(name, o.metadata.name);
    }
  }
  return [...seen]
    .map(([service, k8sService]) => ({ service, k8sService }))
    .sort((a, b) => a.service.localeCompare(b.service));
}

export function dashboard(input: FormatInput): GrafanaDashboard {
  const app = input.spec.app;
  const deploys = `app="${app}",environment="$environment"`;
  let id = 0;
  let y = 0;
  const panels: Panel[] = [];
  const target = (expr: string, legendFormat?: string, refId = 'A'): Target => ({
    refId,
    datasource: DS,
    expr,
    ...(legendFormat ? { legendFormat } : {}),
  });
  const row = (title: string) => {
    panels.push({
      id: ++id,
      type: 'row',
      title,
      gridPos: { x: 0, y: y++, w: 24, h: 1 },
      collapsed: false,
      panels: [],
    });
  };
  const place = (specs: Omit<Panel, 'id' | 'gridPos'>[], w: number, h: number) => {
    specs.forEach((p, i) =>
      panels.push({
        ...p,
        id: ++id,
        datasource: DS,
        gridPos: { x: (i * w) % 24, y: y + Math.floor((i * w) / 24) * h, w, h },
      }),
    );
    y += Math.ceil((specs.length * w) / 24) * h;
  };
  const unit = (u: string, extra: { min?: number; max?: number } = {}) => ({
    defaults: { unit: u, ...extra },
    overrides: [] as never[],
  });

  row('Deploys ($environment)');
  place(
    [
      {
        type: 'stat',
        title: 'Deploys (24h)',
        targets: [target(`sum(increase(${METRICS.deploys}{${deploys}}[24h]))`)],
        fieldConfig: unit('short'),
      },
      {
        type: 'stat',
        title: 'Failed deploys (24h)',
        targets: [target(`sum(increase(${METRICS.deploys}{${deploys},result=~"${FAILED_RESULTS}"}[24h]))`)],
        fieldConfig: unit('short'),
      },
      {
        type: 'stat',
        title: 'Rollbacks (7d)',
        targets: [target(`sum(increase(${METRICS.rollbacks}{${deploys}}[7d]))`)],
        fieldConfig: unit('short'),
      },
      {
        type: 'stat',
        title: 'Revision serving',
        targets: [target(`max(${METRICS.revision}{${deploys}})`)],
        fieldConfig: unit('none'),
      },
    ],
    6,
    4,
  );
  place(
    [
      {
        type: 'timeseries',
        title: 'Deploy duration',
        targets: [0.5, 0.95].map((q, i) =>
          target(
            `histogram_quantile(${q}, sum by (le) (rate(${METRICS.deployDuration}_bucket{${deploys}}[6h])))`,
            `p${q * 100}`,
            String.fromCharCode(65 + i),
          ),
        ),
        fieldConfig: unit('s'),
      },
      {
        type: 'timeseries',
        title: 'Deploys by result',
        targets: [target(`sum by (result) (increase(${METRICS.deploys}{${deploys}}[1h]))`, '{{result}}')],
        fieldConfig: unit('short'),
      },
    ],
    12,
    8,
  );

  doraRow(deploys, { row, place, target, unit });
  operationsRow(
    deploys,
    input.environments.some((e) => Object.keys(e.app.backups).length > 0),
    { row, place, target, unit },
  );

  for (const s of httpServices(input)) {
    const sel = `namespace="$namespace",service="${s.k8sService}"`;
    row(`Service ${s.service}`);
    place(
      [
        {
          type: 'timeseries',
          title: `${s.service}: requests/s`,
          targets: [
            target(
              `sum by (${METRICS.codeLabel}) (rate(${METRICS.requests}{${sel}}[5m]))`,
              `{{${METRICS.codeLabel}}}`,
            ),
          ],
          fieldConfig: unit('reqps'),
        },
        {
          type: 'timeseries',
          title: `${s.service}: error rate (5xx)`,
          targets: [
            target(
              `sum(rate(${METRICS.requests}{${sel},${METRICS.codeLabel}=~"5.."}[5m])) / sum(rate(${METRICS.requests}{${sel}}[5m]))`,
              'errors',
            ),
          ],
          fieldConfig: unit('percentunit', { min: 0 }),
        },
        {
          type: 'timeseries',
          title: `${s.service}: latency`,
          targets: [0.5, 0.95, 0.99].map((q, i) =>
            target(
              `histogram_quantile(${q}, sum by (le) (rate(${METRICS.requestDuration}_bucket{${sel}}[5m])))`,
              `p${Math.round(q * 100)}`,
              String.fromCharCode(65 + i),
            ),
          ),
          fieldConfig: unit('s'),
        },
      ],
      8,
      8,
    );
  }

  const envs = input.environments.map((e) => e.environment);
  const namespaces = [...new Set(input.environments.map((e) => e.app.namespace))];
  const custom = (name: string, label: string, values: string[]): Variable => ({
    name,
    label,
    type: 'custom',
    query: values.join(','),
    current: { text: values[values.length - 1] ?? '', value: values[values.length - 1] ?? '' },
    options: values.map((v, i) => ({ text: v, value: v, selected: i === values.length - 1 })),
  });
  return {
    uid: dashboardUid(app),
    title: `${app}: deploys and services`,
    description: `Written by slipway render --format dashboards from the spec; metrics listed in docs/workflows.md#dashboards.`,
    tags: ['slipway', app],
    timezone: 'browser',
    editable: true,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    refresh: '30s',
    time: { from: 'now-24h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus' },
        custom('environment', 'Environment', envs),
        custom('namespace', 'Namespace', namespaces),
      ],
    },
    annotations: {
      list: [
        {
          name: 'Deploys',
          datasource: DS,
          enable: true,
          iconColor: 'blue',
          expr: `changes(${METRICS.revision}{${deploys}}[2m]) > 0`,
          titleFormat: 'deploy',
          step: '1m',
        },
      ],
    },
    panels,
  };
}

interface Builders {
  row: (title: string) => void;
  place: (specs: Omit<Panel, 'id' | 'gridPos'>[], w: number, h: number) => void;
  target: (expr: string, legendFormat?: string, refId?: string) => Target;
  unit: (u: string, extra?: { min?: number; max?: number }) => Panel['fieldConfig'];
}

/**
 * The DORA row: the figures `slipway metrics` prints, as `slipway metrics serve` exports them over
 * its window (`--since`, 30 days by default). `max` folds the copies two scrape jobs would make;
 * test/metrics/prometheus.test.ts checks these queries return the CLI's numbers.
 */
function doraRow(deploys: string, b: Builders): void {
  const quantiles = (metric: string) =>
    [
      ['0.5', 'median', 'A'],
      ['0.9', 'p90', 'B'],
    ].map(([q, legend, ref]) => b.target(`max(${metric}{${deploys},quantile="${q}"})`, legend, ref));
  b.row('DORA ($environment, over the exporter window)');
  b.place(
    [
      {
        type: 'stat',
        title: 'Deployment frequency (per day)',
        targets: [b.target(`max(${METRICS.frequency}{${deploys}})`)],
        fieldConfig: b.unit('short'),
      },
      {
        type: 'stat',
        title: 'Lead time for changes',
        targets: quantiles(METRICS.leadTime),
        fieldConfig: b.unit('s'),
      },
      {
        type: 'stat',
        title: 'Change failure rate',
        targets: [b.target(`max(${METRICS.changeFailure}{${deploys}})`)],
        fieldConfig: b.unit('percentunit', { min: 0, max: 1 }),
      },
      {
        type: 'stat',
        title: 'Failed-deployment recovery time',
        targets: quantiles(METRICS.recovery),
        fieldConfig: b.unit('s'),
      },
      {
        type: 'stat',
        title: 'Rework rate',
        targets: [b.target(`max(${METRICS.rework}{${deploys}})`)],
        fieldConfig: b.unit('percentunit', { min: 0, max: 1 }),
      },
      {
        type: 'stat',
        title: 'Deploys by result (all records)',
        targets: [b.target(`max by (result) (${METRICS.deploys}{${deploys}})`, '{{result}}')],
        fieldConfig: b.unit('short'),
      },
    ],
    4,
    4,
  );
}

/**
 * Drift and restore drills: `slipway drift --watch --metrics-address` exports the drifted objects
 * and the last check; `slipway metrics serve` the last drill of each dependency (from the release
 * records). The drill panels are there when an environment has backups.
 * test/metrics/operations-row.test.ts runs these queries against a real Prometheus.
 */
function operationsRow(deploys: string, backups: boolean, b: Builders): void {
  b.row('Drift and restore drills ($environment)');
  const drift: Omit<Panel, 'id' | 'gridPos'>[] = [
    {
      type: 'stat',
      title: 'Drifted objects',
      description: 'Objects that differ from the current release (slipway drift --watch --metrics-address)',
      targets: [
        b.target(`sum(max by (kind) (${METRICS.driftObjects}{${deploys}}))`, 'all', 'A'),
        b.target(`max by (kind) (${METRICS.driftObjects}{${deploys}}) > 0`, '{{kind}}', 'B'),
      ],
      fieldConfig: b.unit('short', { min: 0 }),
    },
    {
      type: 'stat',
      title: 'Since the last drift check',
      targets: [b.target(`time() - max(${METRICS.driftCheck}{${deploys}})`)],
      fieldConfig: b.unit('s'),
    },
  ];
  const drills: Omit<Panel, 'id' | 'gridPos'>[] = backups
    ? [
        {
          type: 'stat',
          title: 'Restore drill passed (1) or failed (0)',
          targets: [b.target(`max by (dependency) (${METRICS.drillSuccess}{${deploys}})`, '{{dependency}}')],
          fieldConfig: b.unit('short', { min: 0, max: 1 }),
        },
        {
          type: 'stat',
          title: 'Restore drill RTO',
          targets: [b.target(`max by (dependency) (${METRICS.drillRto}{${deploys}})`, '{{dependency}}')],
          fieldConfig: b.unit('s'),
        },
        {
          type: 'stat',
          title: 'Restore drill RPO',
          targets: [b.target(`max by (dependency) (${METRICS.drillRpo}{${deploys}})`, '{{dependency}}')],
          fieldConfig: b.unit('s'),
        },
        {
          type: 'stat',
          title: 'Since the last restore drill',
          targets: [
            b.target(`time() - max by (dependency) (${METRICS.drillTime}{${deploys}})`, '{{dependency}}'),
          ],
          fieldConfig: b.unit('s'),
        },
      ]
    : [];
  b.place([...drift, ...drills], 4, 4);
}

export function writeDashboards(input: FormatInput): FormatOutput {
  const files = new Map([
    [`${DASHBOARDS_DIR}/${input.spec.app}.json`, JSON.stringify(dashboard(input), null, 2) + '\n'],
  ]);
  return { files, warnings: [] };
}

export const dashboardsWriter: FormatWriter = {
  name: 'dashboards',
  description: 'deploy/grafana/<app>.json: a Grafana dashboard of deploys and per-service errors and latency',
  scope: 'all',
  stdout: true,
  write: writeDashboards,
};
