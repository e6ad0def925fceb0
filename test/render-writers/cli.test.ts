import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';

const run = promisify(execFile);

const SPEC = `app: shop
version: 1.4.2
services:
  api:
    image: ghcr.io/acme/shop-api
    port: 8080
    health: { readiness: /readyz }
    env: { LOG_LEVEL: info, DATABASE_URL: "\${db.url}" }
    public: { host: shop.example.com }
  worker:
    image: ghcr.io/acme/shop-worker
    schedule: "0 2 * * *"
dependencies:
  db: { type: postgres }
environments:
  dev: { replicas: 1 }
  production: { replicas: 3, namespace: shop-prod }
`;

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-render-cli-'));
  writeFileSync(join(dir, 'slipway.yaml'), SPEC);
  return dir;
}

async function slipway(args: string[], cwd: string) {
  const mem = memoryIo({ cwd });
  const code = await main(['node', 'slipway', ...args], mem.io);
  return { code, stdout: mem.stdout(), stderr: mem.stderr() };
}

describe('slipway render (in-process)', () => {
  it('prints one environment’s objects as multi-document YAML', async () => {
    const r = await slipway(['render', '--env', 'production'], workspace());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    const deployment = docs.find((d) => d.kind === 'Deployment');
    expect(deployment.metadata.namespace).toBe('shop-prod');
    expect(deployment.spec.replicas).toBe(3);
  });

  it('writes a Helm chart, kustomize tree and compose file under --out', async () => {
    const dir = workspace();
    expect((await slipway(['render', '--format', 'helm', '--out', 'chart'], dir)).code).toBe(0);
    expect(parse(readFileSync(join(dir, 'chart', 'Chart.yaml'), 'utf8'))).toMatchObject({
      name: 'shop',
      version: '1.4.2',
    });
    expect(existsSync(join(dir, 'chart', 'values-production.yaml'))).toBe(true);
    expect((await slipway(['render', '--format', 'kustomize', '--out', 'deploy'], dir)).code).toBe(0);
    expect(existsSync(join(dir, 'deploy', 'overlays', 'dev', 'kustomization.yaml'))).toBe(true);
    const compose = await slipway(['render', '--format', 'compose', '--env', 'dev'], dir);
    expect(compose.code).toBe(0);
    expect(parse(compose.stdout).services.db.image).toMatch(/^postgres:/);
    expect(compose.stderr).toContain('warning: services.worker.schedule');
  });

  it('removes files of objects that disappeared when re-rendering into the same folder', async () => {
    const dir = workspace();
    await slipway(['render', '--format', 'helm', '--out', 'chart'], dir);
    expect(existsSync(join(dir, 'chart', 'templates', 'ingress-shop-api.yaml'))).toBe(true);
    writeFileSync(join(dir, 'slipway.yaml'), SPEC.replace('    public: { host: shop.example.com }\n', ''));
    const r = await slipway(['render', '--format', 'helm', '--out', 'chart', '--output', 'json'], dir);
    expect(JSON.parse(r.stdout).removed).toContain('templates/ingress-shop-api.yaml');
    expect(existsSync(join(dir, 'chart', 'templates', 'ingress-shop-api.yaml'))).toBe(false);
  });

  it('--out that is a file, or a file in the way of a folder, is a user error before anything is written', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'taken'), 'mine\n');
    const onFile = await slipway(['render', '--env', 'dev', '--out', 'taken'], dir);
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).toContain('--out: taken is a file, not a folder');
    expect(onFile.stderr).not.toContain('internal error');
    expect(readFileSync(join(dir, 'taken'), 'utf8')).toBe('mine\n');
    mkdirSync(join(dir, 'chart'));
    writeFileSync(join(dir, 'chart', 'templates'), 'mine\n');
    const inTheWay = await slipway(['render', '--format', 'helm', '--out', 'chart'], dir);
    expect(inTheWay.code).toBe(2);
    expect(inTheWay.stderr).toMatch(/--out: chart\/templates is a file, but templates\/\S+ goes inside it/);
    expect(readdirSync(join(dir, 'chart'))).toEqual(['templates']);
    writeFileSync(join(dir, 'chart', '.slipway-render.json'), '{not json');
    rmSync(join(dir, 'chart', 'templates'));
    const corruptList = await slipway(['render', '--format', 'helm', '--out', 'chart'], dir);
    expect(corruptList.code).toBe(0);
    expect(corruptList.stdout).toMatch(/^wrote \d+ files to chart\n/);
    const one = await slipway(['render', '--env', 'dev', '--out', 'one'], dir);
    expect(one.stdout).toMatch(/^wrote 1 file to one\n/);
    // Rendered manifests do not create their namespace: the hint says so.
    expect(one.stdout).toMatch(
      /next: kubectl create namespace (\S+) && kubectl label namespace \1 pod-security\.kubernetes\.io\/enforce=restricted .*\(once; the manifests do not create it\), then kubectl apply -f one\/dev\.yaml/,
    );
    expect(corruptList.stdout).toMatch(/next: helm upgrade --install .* --create-namespace\n/);
  });

  it('refuses what it cannot do, with exit code 2 and a hint', async () => {
    const dir = workspace();
    const helm = await slipway(['render', '--format', 'helm'], dir);
    expect(helm.code).toBe(2);
    expect(helm.stderr).toContain('--out');
    const unknown = await slipway(['render', '--format', 'pulumi', '--out', 'x'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('one of manifests, helm, kustomize, compose');
    const noEnv = await slipway(['render'], dir);
    expect(noEnv.code).toBe(2);
    expect(noEnv.stderr).toMatch(/dev, production/);
    const badEnv = await slipway(['render', '--env', 'qa'], dir);
    expect(badEnv.code).toBe(2);
  });
});

describe('./bin/slipway render (built)', () => {
  beforeAll(async () => {
    await run('npm', ['run', 'build'], { cwd: process.cwd() });
  }, 120_000);

  it('prints manifests and writes a chart', async () => {
    const dir = workspace();
    const bin = join(process.cwd(), 'bin', 'slipway');
    const { stdout } = await run(bin, ['render', '-f', join(dir, 'slipway.yaml'), '--env', 'dev']);
    expect(parseAllDocuments(stdout).map((d) => d.toJS().kind)).toContain('Deployment');
    const chart = await run(bin, [
      'render',
      '-f',
      join(dir, 'slipway.yaml'),
      '--format',
      'helm',
      '--out',
      join(dir, 'chart'),
    ]);
    expect(chart.stdout).toContain('helm upgrade --install shop');
    await expect(
      run(bin, ['render', '-f', join(dir, 'slipway.yaml'), '--format', 'kustomize']),
    ).rejects.toMatchObject({ code: 2 });
  });
});
