import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-render-manifests-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SPEC = `
app: shop
registry: ghcr.io/acme
version: 1.0.0
services:
  api: { image: ghcr.io/acme/api, port: 8080, replicas: 2 }
environments:
  dev: { namespace: shop-dev }
  staging: { namespace: shop-staging }
  production: { namespace: shop, replicas: 3 }
`;
writeFileSync(join(dir, 'slipway.yaml'), SPEC);

async function render(...args: string[]) {
  const m = memoryIo({ cwd: dir });
  const code = await main(['node', 'slipway', 'render', ...args], m.io);
  return { code, out: m.stdout(), err: m.stderr() };
}

describe('slipway render --format manifests', () => {
  it('with --out and no --env writes every environment, each file what --env prints', async () => {
    const r = await render('--out', 'every');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^wrote 3 files to every\n/);
    expect(r.out).toContain(
      "kubectl apply -f every/production.yaml (and likewise each other environment's file: dev.yaml, staging.yaml)",
    );
    const written = readdirSync(join(dir, 'every')).sort();
    expect(written).toEqual(['.slipway-render.json', 'dev.yaml', 'production.yaml', 'staging.yaml']);
    for (const env of ['dev', 'staging', 'production']) {
      const one = await render('--env', env);
      expect(one.code).toBe(0);
      expect(readFileSync(join(dir, 'every', `${env}.yaml`), 'utf8')).toBe(one.out);
    }
    expect(readFileSync(join(dir, 'every', 'production.yaml'), 'utf8')).toContain('namespace: shop\n');
  });

  it('with --out and --env writes that environment alone', async () => {
    const r = await render('--out', 'one', '--env', 'staging', '--output', 'json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { files: string[] }).files).toEqual(['staging.yaml']);
  });

  it('to stdout, several environments and no --env is exit 2, naming both ways out', async () => {
    const r = await render();
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(
      '--env: this format renders one environment; the spec declares dev, staging, production',
    );
    expect(r.err).toContain(
      'add --env dev, or --out DIR to write every environment (dev.yaml, staging.yaml, production.yaml)',
    );
  });

  it('compose stays one environment even with --out', async () => {
    const r = await render('--format', 'compose', '--out', 'compose');
    expect(r.code).toBe(2);
    expect(r.err).toContain('hint: add --env dev\n');
  });

  it('a missing spec gets the message validate and deploy give, exit 2', async () => {
    const r = await render('-f', 'nope.yaml');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'error: nope.yaml: no such file\n  hint: run slipway init to write one, or pass -f <file>\n',
    );
    const m = memoryIo({ cwd: dir });
    expect(await main(['node', 'slipway', 'validate', '-f', 'nope.yaml'], m.io)).toBe(2);
    expect(m.stderr()).toBe(r.err);
  });
});
