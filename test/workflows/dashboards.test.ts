import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dashboard } from '@grafana/schema';
import { describe, expect, it } from 'vitest';
import { dashboard, writeDashboards } from '../../src/render/dashboards/index.js';
import type { GrafanaDashboard, Panel } from '../../src/render/dashboards/model.js';
import { renderedInputOfFile } from './rendered.js';
import { exampleSpecs } from './helpers.js';
import { stringify } from 'yaml';

/** promtool from the Debian prometheus package: the real PromQL parser. */
function promtool(): string | undefined {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return 'promtool';
  } catch {
    if (process.env.CI === 'true') throw new Error('promtool is missing (apt-get install prometheus)');
    console.warn('[skip] promtool not installed: PromQL is not parsed');
    return undefined;
  }
}

function overlaps(a: Panel['gridPos'], b: Panel['gridPos']): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe('dashboards', () => {
  for (const example of exampleSpecs()) {
    describe(example.name, () => {
      const input = renderedInputOfFile(example.file);
      const d: GrafanaDashboard = dashboard(input);
      // Compile-time: the written model is assignable to Grafana's own (CUE-generated) Dashboard type.
      const typed: Dashboard = d;

      it('has what the Grafana import API requires: schemaVersion, uid, title, panels with ids and gridPos inside 24 columns, no overlaps', () => {
        expect(typed.schemaVersion).toBeGreaterThanOrEqual(36);
        expect(d.uid.length).toBeLessThanOrEqual(40);
        expect(d.uid).toMatch(/^[A-Za-z0-9_-]+$/);
        const ids = d.panels.map((p) => p.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const p of d.panels) {
          expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
          for (const q of d.panels)
            if (q !== p) expect(overlaps(p.gridPos, q.gridPos), `${p.title} / ${q.title}`).toBe(false);
        }
      });

      it('every query has a refId unique in its panel and the templated Prometheus datasource uid', () => {
        const names = d.templating.list.map((v) => v.name);
        expect(names).toEqual(['datasource', 'environment', 'namespace']);
        for (const p of d.panels.filter((x) => x.type !== 'row')) {
          expect(p.targets?.length, p.title).toBeGreaterThan(0);
          expect(new Set(p.targets!.map((t) => t.refId)).size).toBe(p.targets!.length);
          for (const t of p.targets!)
            expect(t.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        }
      });

      it('has a row per HTTP service with error rate and latency', () => {
        const json = writeDashboards(input).files.get(`deploy/grafana/${input.spec.app}.json`)!;
        expect(JSON.parse(json).uid).toBe(d.uid);
        for (const name of Object.keys(input.spec.services)) {
          const hasService = input.environments.some((e) =>
            e.objects.some(
              (o) => o.kind === 'Service' && o.metadata.labels?.['app.kubernetes.io/name'] === name,
            ),
          );
          expect(
            d.panels.some((p) => p.title === `${name}: error rate (5xx)`),
            name,
          ).toBe(hasService);
        }
      });

      it('every PromQL expression parses (real promtool)', () => {
        const tool = promtool();
        if (!tool) return;
        const exprs = [
          ...d.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr),
          ...d.annotations.list.map((a) => a.expr),
        ];
        // Grafana substitutes $variables before querying; promtool sees what Prometheus would.
        const rules = exprs.map((e, i) => ({
          record: `slipway:check_${i}`,
          expr: e.replaceAll('$environment', 'production').replaceAll('$namespace', 'default'),
        }));
        const dir = mkdtempSync(join(tmpdir(), 'slipway-promql-'));
        try {
          writeFileSync(join(dir, 'rules.yml'), stringify({ groups: [{ name: 'dashboard', rules }] }));
          expect(() =>
            execFileSync(tool, ['check', 'rules', join(dir, 'rules.yml')], {
              encoding: 'utf8',
              stdio: 'pipe',
            }),
          ).not.toThrow();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });
  }

  it('promtool is a real judge: a broken expression fails', () => {
    const tool = promtool();
    if (!tool) return;
    const dir = mkdtempSync(join(tmpdir(), 'slipway-promql-'));
    try {
      writeFileSync(
        join(dir, 'rules.yml'),
        stringify({
          groups: [{ name: 'x', rules: [{ record: 'x:y', expr: 'sum(rate(http_requests_total[5m]' }] }],
        }),
      );
      expect(() =>
        execFileSync(tool, ['check', 'rules', join(dir, 'rules.yml')], { stdio: 'pipe' }),
      ).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
