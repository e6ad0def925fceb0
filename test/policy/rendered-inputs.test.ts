import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { helmPath, kubectlPath } from '../helpers/kube-tools.js';

const fixtures = resolve(import.meta.dirname, '..', 'fixtures', 'policy');
/** The real helm v4 and kubectl v1.33 from the npm layer package (never PATH). */
const env = { SLIPWAY_HELM: helmPath(), SLIPWAY_KUBECTL: kubectlPath() };

async function check(args: string[], cwd = fixtures) {
  const io = memoryIo({ cwd, env });
  const code = await main(['node', 'slipway', 'check', ...args], io.io);
  return { code, out: io.stdout(), err: io.stderr() };
}

interface Report {
  findings: Array<{
    rule: string;
    file: string;
    line: number;
    column: number;
    object: { name: string };
    message: string;
    field: string;
  }>;
}

interface Sarif {
  runs: Array<{
    results: Array<{
      ruleId: string;
      message: { text: string };
      locations: Array<{
        physicalLocation: {
          artifactLocation: { uri: string };
          region: { startLine: number; startColumn: number };
        };
      }>;
    }>;
  }>;
}

/** The lines of a file the way an editor numbers them (a final newline does not start another line). */
function linesOf(file: string): string[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

describe('rendered inputs', () => {
  it('renders a Helm chart with the real helm, names the template file, and honours --set/--values', async () => {
    const plain = await check(['chart', '-o', 'json', '--profile', 'pss-baseline']);
    expect(plain.code).toBe(0);
    const r = await check(['chart', '-o', 'json', '--set', 'privileged=true', '--release-name', 'shop']);
    const report = JSON.parse(r.out) as Report;
    const priv = report.findings.find((f) => f.rule === 'pss-privileged');
    // The template is plain YAML with inline values: the position is that of the field in the template.
    expect(priv).toMatchObject({
      file: 'chart/templates/deployment.yaml',
      line: 17,
      column: 13,
      object: { name: 'shop-web' },
    });
    expect(priv?.message).not.toContain('approximate');
    expect(linesOf(join(fixtures, 'chart/templates/deployment.yaml'))[16]).toBe(
      '            privileged: {{ .Values.privileged }}',
    );
    expect(report.findings.some((f) => f.file === 'chart/templates/service.yaml')).toBe(false);
  });

  it('places fields after include | nindent exactly, and a value toYaml rendered at the document start, marked approximate', async () => {
    const r = await check(['chart-shifting', '-o', 'json', '--fail-on', 'none']);
    const report = JSON.parse(r.out) as Report;
    const file = 'chart-shifting/templates/deployment.yaml';
    expect(report.findings.find((f) => f.rule === 'pss-privileged')).toMatchObject({
      file,
      line: 23,
      column: 13,
    });
    // resources.requests came out of toYaml | nindent: no line of the template holds it.
    const storage = report.findings.find((f) => f.rule === 'res-ephemeral-storage');
    expect(storage).toMatchObject({ file, line: 2, column: 1 });
    expect(storage?.message).toContain(`(rendered from ${file}; position approximate)`);
    const approximate = report.findings.filter((f) => f.message.includes('position approximate'));
    expect(approximate.map((f) => f.rule)).toEqual(['res-ephemeral-storage']);
  });

  it('reports a failing helm template as bad input (exit 2)', async () => {
    const r = await check(['chart', '--set', 'replicas={']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('helm template failed');
  });

  it('renders a kustomize directory with the real kubectl kustomize', async () => {
    const r = await check(['kustomize', '-o', 'json']);
    const report = JSON.parse(r.out) as Report;
    expect(r.code).toBe(1);
    // At the line of the base file that sets the field (kustomize's origin annotation), not the directory.
    expect(report.findings.find((f) => f.rule === 'pss-host-namespaces')).toMatchObject({
      file: 'kustomize/pod.yaml',
      line: 6,
      column: 3,
      object: { name: 'prod-tool' },
      message: expect.stringContaining('(as built by kustomize)'),
    });
    const lines = readFileSync(join(fixtures, 'kustomize', 'pod.yaml'), 'utf8').split('\n');
    for (const f of report.findings) expect(f.line).toBeLessThanOrEqual(lines.length);
  });
});

describe('a tree of kustomize overlays (deploy/kustomize)', () => {
  it('checks each overlay on its own, and not the base they build on', async () => {
    const r = await check(['kustomize-tree', '-o', 'json', '--fail-on', 'error']);
    const report = JSON.parse(r.out) as Report;
    // The overlays hold the same objects: as one input set every object would be a duplicate.
    expect(report.findings.filter((f) => f.rule === 'duplicate-object')).toEqual([]);
    expect(r.code).toBe(0);
    // Both overlays build the base's Deployment: findings sit in the base file, naming the overlay.
    const files = new Set(report.findings.map((f) => f.file));
    expect([...files]).toEqual(['kustomize-tree/base/deployment.yaml']);
    const builds = new Set(report.findings.map((f) => /\(as built by ([^)]+)\)/.exec(f.message)?.[1]));
    expect([...builds].sort()).toEqual(['kustomize-tree/overlays/dev', 'kustomize-tree/overlays/prod']);
    const latest = report.findings.filter(
      (f) => f.rule === 'probe-readiness' || f.rule === 'res-cpu-request',
    );
    expect(latest.length).toBeGreaterThan(0);
  });
});

describe('a chart written by slipway render --format helm, checked with the real helm', () => {
  it('reports every finding on a line that exists in its template file, in JSON and SARIF alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-check-helm-'));
    cpSync(
      resolve(import.meta.dirname, '..', '..', 'examples', 'api-web-db-redis-kafka', 'slipway.yaml'),
      join(dir, 'slipway.yaml'),
    );
    const render = memoryIo({ cwd: dir, env });
    expect(await main(['node', 'slipway', 'render', '--format', 'helm', '--out', 'chart'], render.io)).toBe(
      0,
    );
    const json = await check(['chart', '-o', 'json', '--fail-on', 'none'], dir);
    const report = JSON.parse(json.out) as Report;
    expect(report.findings.length).toBeGreaterThan(0);
    for (const f of report.findings) {
      expect(f.file.startsWith('chart/templates/')).toBe(true);
      const lines = linesOf(join(dir, f.file));
      expect(f.line, `${f.file}:${f.line} ${f.rule}`).toBeGreaterThanOrEqual(1);
      expect(f.line, `${f.file}:${f.line} ${f.rule}`).toBeLessThanOrEqual(lines.length);
      expect(f.column).toBeLessThanOrEqual((lines[f.line - 1]?.length ?? 0) + 1);
    }
    // The generated templates are plain YAML with inline values: a field that exists is on its own line.
    const uids = report.findings.filter((f) => f.rule === 'sec-low-uid' && f.field.endsWith('runAsUser'));
    expect(uids.length).toBeGreaterThan(0);
    for (const f of uids) expect(linesOf(join(dir, f.file))[f.line - 1]).toMatch(/^\s*runAsUser: \d+$/);
    const sarif = JSON.parse((await check(['chart', '-o', 'sarif', '--fail-on', 'none'], dir)).out) as Sarif;
    const regions =
      sarif.runs[0]?.results.map((r) => ({
        rule: r.ruleId,
        file: r.locations[0]?.physicalLocation.artifactLocation.uri,
        line: r.locations[0]?.physicalLocation.region.startLine,
        column: r.locations[0]?.physicalLocation.region.startColumn,
      })) ?? [];
    const fromJson = report.findings.map((f) => ({
      rule: f.rule,
      file: f.file,
      line: f.line,
      column: f.column,
    }));
    const key = (x: { rule: string; file?: string; line?: number; column?: number }) =>
      `${x.file}:${x.line}:${x.column}:${x.rule}`;
    expect(regions.map(key).sort()).toEqual(fromJson.map(key).sort());
  });
});
