import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { helmPath, kubectlPath } from '../helpers/kube-tools.js';

const fixtures = resolve(import.meta.dirname, '..', 'fixtures', 'policy');
/** The real helm v4 and kubectl v1.33 from the npm layer package (never PATH). */
const env = { SLIPWAY_HELM: helmPath(), SLIPWAY_KUBECTL: kubectlPath() };

async function check(args: string[]) {
  const io = memoryIo({ cwd: fixtures, env });
  const code = await main(['node', 'slipway', 'check', ...args], io.io);
  return { code, out: io.stdout(), err: io.stderr() };
}

interface Report {
  findings: Array<{ rule: string; file: string; line: number; object: { name: string } }>;
}

describe('rendered inputs', () => {
  it('renders a Helm chart with the real helm, names the template file, and honours --set/--values', async () => {
    const plain = await check(['chart', '-o', 'json', '--profile', 'pss-baseline']);
    expect(plain.code).toBe(0);
    const r = await check(['chart', '-o', 'json', '--set', 'privileged=true', '--release-name', 'shop']);
    const report = JSON.parse(r.out) as Report;
    const priv = report.findings.find((f) => f.rule === 'pss-privileged');
    expect(priv).toMatchObject({ file: 'chart/templates/deployment.yaml', object: { name: 'shop-web' } });
    // The line is in helm's rendered stream (the template file has no line for a rendered value).
    expect(priv?.line).toBeGreaterThan(20);
    expect(report.findings.some((f) => f.file === 'chart/templates/service.yaml')).toBe(false);
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
    expect(report.findings.find((f) => f.rule === 'pss-host-namespaces')).toMatchObject({ file: 'kustomize', object: { name: 'prod-tool' } });
  });
});

describe('a tree of kustomize overlays (deploy/kustomize)', () => {
  it('checks each overlay on its own, and not the base they build on', async () => {
    const r = await check(['kustomize-tree', '-o', 'json', '--fail-on', 'error']);
    const report = JSON.parse(r.out) as Report;
    // The overlays hold the same objects: as one input set every object would be a duplicate.
    expect(report.findings.filter((f) => f.rule === 'duplicate-object')).toEqual([]);
    expect(r.code).toBe(0);
    const files = new Set(report.findings.map((f) => f.file));
    expect([...files].sort()).toEqual(['kustomize-tree/overlays/dev', 'kustomize-tree/overlays/prod']);
    const latest = report.findings.filter((f) => f.rule === 'probe-readiness' || f.rule === 'res-cpu-request');
    expect(latest.length).toBeGreaterThan(0);
  });
});
