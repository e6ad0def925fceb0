/**
 * The app's monitoring as render writes it (`metrics: { port, path }` on a service): every
 * ServiceMonitor and PrometheusRule of every example validates against the Prometheus Operator's
 * CRD schemas (@kubernetes-models/prometheus-operator), and the rule groups pass `promtool check
 * rules` and a `promtool test rules` unit test in which the alerts fire on series shaped like the
 * services' and Slipway's own. (Helm and kustomize: test/render-writers/examples.test.ts holds that
 * they yield exactly render's objects, these included.)
 */
import type { NamedObject } from '@slipway/kube';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderApp } from '../../src/render/index.js';
import { goldenCases, resolveExample } from '../render/golden-files.js';

const rendered = goldenCases().map((c) => ({
  name: `${c.example} ${c.environment}`,
  objects: renderApp(resolveExample(c.example, c.environment)).objects,
}));
const monitors = rendered.flatMap((r) =>
  r.objects.filter((o) => o.kind === 'ServiceMonitor').map((o) => ({ name: r.name, o })),
);
const rules = rendered.flatMap((r) =>
  r.objects.filter((o) => o.kind === 'PrometheusRule').map((o) => ({ name: r.name, o })),
);
const dir = mkdtempSync(join(tmpdir(), 'slipway-monitoring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function promtool(): string | undefined {
  if (spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim()) return 'promtool';
  if (process.env.CI === 'true') throw new Error('promtool is missing (apt-get install prometheus)');
  console.warn('[skip] promtool not installed: the rule files are not checked');
  return undefined;
}

const groupsOf = (rule: NamedObject) => ({ groups: (rule.spec as { groups: unknown[] }).groups });

describe('ServiceMonitor and PrometheusRule against the Prometheus Operator CRD schemas', () => {
  it('the storefront example declares metrics on two services, in each of its 3 environments', () => {
    expect(monitors.map((m) => `${m.name}: ${m.o.metadata.name}`)).toEqual(
      ['dev', 'production', 'staging'].flatMap((e) => [
        `api-web-db-redis-kafka ${e}: storefront-api`,
        `api-web-db-redis-kafka ${e}: storefront-web`,
      ]),
    );
    expect(rules.map((r) => r.name)).toEqual([
      'api-web-db-redis-kafka dev',
      'api-web-db-redis-kafka production',
      'api-web-db-redis-kafka staging',
    ]);
  });

  it.each(monitors.map((m) => [`${m.name} ${m.o.metadata.name}`, m.o] as const))(
    'ServiceMonitor %s',
    (_, o) => {
      expect(() => new ServiceMonitor(o as never).validate()).not.toThrow();
    },
  );

  it.each(rules.map((r) => [r.name, r.o] as const))('PrometheusRule %s', (_, o) => {
    expect(() => new PrometheusRule(o as never).validate()).not.toThrow();
  });

  it('scrapes the named port and path the spec gives: the main port, or a port of its own', () => {
    const prod = monitors.filter((m) => m.name.endsWith('production')).map((m) => m.o.spec);
    expect(prod).toEqual([
      expect.objectContaining({ endpoints: [{ port: 'http', path: '/metrics', interval: '30s' }] }),
      expect.objectContaining({
        endpoints: [{ port: 'metrics', path: '/internal/metrics', interval: '30s' }],
      }),
    ]);
  });

  it('the judge can fail: a port given as a number, a rule without expr', () => {
    const bad = structuredClone(monitors[0]!.o) as NamedObject & {
      spec: { endpoints: Array<{ port: unknown }> };
    };
    bad.spec.endpoints[0]!.port = 3000;
    expect(() => new ServiceMonitor(bad as never).validate()).toThrow(/port must be string/);
    const rule = structuredClone(rules[0]!.o) as NamedObject & {
      spec: { groups: Array<{ rules: Array<Record<string, unknown>> }> };
    };
    delete rule.spec.groups[0]!.rules[0]!.expr;
    expect(() => new PrometheusRule(rule as never).validate()).toThrow(/expr/);
  });
});

describe('promtool', () => {
  it.each(rules.map((r) => [r.name, r.o] as const))('check rules: %s', (name, o) => {
    const tool = promtool();
    if (!tool) return;
    const file = join(dir, `${name.replace(/\W/g, '_')}.rules.yml`);
    writeFileSync(file, stringify(groupsOf(o)));
    const count = (o.spec as { groups: Array<{ rules: unknown[] }> }).groups.reduce(
      (n, g) => n + g.rules.length,
      0,
    );
    expect(execFileSync(tool, ['check', 'rules', file], { encoding: 'utf8' })).toMatch(
      new RegExp(`SUCCESS: ${count} rules found`),
    );
  });

  it('test rules: the objective alert fires on 5xx above the analysis bound held 5m; the deploy alerts on slipway series', () => {
    const tool = promtool();
    if (!tool) return;
    const production = rules.find((r) => r.name.endsWith('production'))!.o;
    writeFileSync(join(dir, 'storefront.rules.yml'), stringify(groupsOf(production)));
    const deploys = (result: string, values: string) => ({
      series: `slipway_deployments_total{app="storefront",environment="production",result="${result}"}`,
      values,
    });
    const labels = { app: 'storefront', environment: 'production' };
    const test = {
      rule_files: ['storefront.rules.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            // api: 1 in 20 requests fails (5% > the 0.5% bound); web: all good
            { series: 'http_requests_total{service="storefront-api",code="200"}', values: '0+57x20' },
            { series: 'http_requests_total{service="storefront-api",code="500"}', values: '0+3x20' },
            { series: 'http_requests_total{service="storefront-web",code="200"}', values: '0+60x20' },
            deploys('succeeded', '1 1 2 2 3 3 3 3 3 3 3'),
            deploys('rolled-back', '0 0 0 1 1 1 1 1 1 1 1'),
            deploys('failed', '0 0 0 0 0 0 0 0 0 0 0'),
            {
              series: 'slipway_change_failure_ratio{app="storefront",environment="production"}',
              values: '0.25x90',
            },
            // A hand change at 5m, put back at 40m; the db's drill passed at 0s, the cache's failed.
            {
              series: 'slipway_drift_objects{app="storefront",environment="production",kind="Deployment"}',
              values: '0x4 1x35 0x50',
            },
            {
              series:
                'slipway_backup_drill_success{app="storefront",environment="production",dependency="db"}',
              values: '1x90',
            },
            {
              series:
                'slipway_backup_drill_success{app="storefront",environment="production",dependency="cache"}',
              values: '0x90',
            },
            {
              series:
                'slipway_backup_drill_timestamp_seconds{app="storefront",environment="production",dependency="db"}',
              values: '0x11700',
            },
          ],
          alert_rule_test: [
            // pending for its first 5 minutes: not firing at 4m
            { eval_time: '4m', alertname: 'StorefrontErrorRateObjective', exp_alerts: [] },
            {
              eval_time: '10m',
              alertname: 'StorefrontErrorRateObjective',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning', ...labels },
                  exp_annotations: {
                    summary: 'storefront in production: error-rate above 0.005 for 5m',
                    description:
                      'The objective deploy.analysis.error-rate holds a deploy to; it is broken outside a deploy now.',
                  },
                },
              ],
            },
            {
              eval_time: '5m',
              alertname: 'SlipwayDeployFailed',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning', ...labels, result: 'rolled-back' },
                  exp_annotations: {
                    summary: 'a deploy of storefront in production did not go through in the last hour',
                    description: 'slipway history --env production shows which and why.',
                  },
                },
              ],
            },
            { eval_time: '2m', alertname: 'SlipwayDeployFailed', exp_alerts: [] },
            { eval_time: '10m', alertname: 'SlipwayDeployNeedsAttention', exp_alerts: [] },
            { eval_time: '15m', alertname: 'SlipwayDriftFound', exp_alerts: [] },
            {
              eval_time: '25m',
              alertname: 'SlipwayDriftFound',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning', ...labels, kind: 'Deployment' },
                  exp_annotations: {
                    summary:
                      '1 Deployment object(s) of storefront in production differ from the current release',
                    description:
                      'slipway drift --env production names the fields and who changed them; --fix puts them back.',
                  },
                },
              ],
            },
            { eval_time: '60m', alertname: 'SlipwayDriftFound', exp_alerts: [] },
            {
              eval_time: '5m',
              alertname: 'SlipwayRestoreDrillFailed',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning', ...labels, dependency: 'cache' },
                  exp_annotations: {
                    summary:
                      'the last restore drill of cache in storefront in production failed or missed its RTO/RPO target',
                    description: 'slipway backup drill --env production cache runs it again and says why.',
                  },
                },
              ],
            },
            // promtool's clock starts at the Unix epoch: a drill at time 0 is 80 minutes old at 80m, not 8 days.
            { eval_time: '80m', alertname: 'SlipwayRestoreDrillStale', exp_alerts: [] },
            {
              eval_time: '8d1h',
              alertname: 'SlipwayRestoreDrillStale',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning', ...labels, dependency: 'db' },
                  exp_annotations: {
                    summary: 'no restore drill of db in storefront in production for more than 8 days',
                    description: 'dr-drill.yml drills weekly: see why its last runs did not finish.',
                  },
                },
              ],
            },
            { eval_time: '30m', alertname: 'SlipwayChangeFailureRateHigh', exp_alerts: [] },
            {
              eval_time: '70m',
              alertname: 'SlipwayChangeFailureRateHigh',
              exp_alerts: [
                {
                  exp_labels: { severity: 'info', ...labels },
                  exp_annotations: {
                    summary:
                      'more than 15% of the deploys of storefront in production failed over the exporter window',
                    description: 'slipway metrics lists the failed deploys and why each counts.',
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'storefront.test.yml'), stringify(test));
    const run = spawnSync(tool, ['test', 'rules', join(dir, 'storefront.test.yml')], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toMatch(/SUCCESS/);
    expect(run.status).toBe(0);
  });

  it('test rules is a real judge: the objective alert does not fire when the api stays under the bound', () => {
    const tool = promtool();
    if (!tool) return;
    const test = {
      rule_files: ['storefront.rules.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: 'http_requests_total{service="storefront-api",code="200"}', values: '0+1000x20' },
            { series: 'http_requests_total{service="storefront-api",code="500"}', values: '0+1x20' },
          ],
          alert_rule_test: [
            {
              eval_time: '10m',
              alertname: 'StorefrontErrorRateObjective',
              exp_alerts: [
                { exp_labels: { severity: 'warning', app: 'storefront', environment: 'production' } },
              ],
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'storefront-quiet.test.yml'), stringify(test));
    const run = spawnSync(tool, ['test', 'rules', join(dir, 'storefront-quiet.test.yml')], {
      encoding: 'utf8',
    });
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/FAILED/);
  });
});
