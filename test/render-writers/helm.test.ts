import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeHelmChart } from '../../src/render/helm/index.js';
import { mergeOrder, splitImage } from '../../src/render/helm/tree.js';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { helm, helmPath, kubectlPath } from '../helpers/kube-tools.js';
import { fixtureInput } from './fixture.js';
import { helmLint, judgeHelm, withTempDir } from './judges.js';

describe('helm chart from hand-made objects', () => {
  it('helm template -f values-<env>.yaml yields render’s objects for every environment', async () => {
    const input = fixtureInput();
    await withTempDir(async (dir) => {
      for (const judged of await judgeHelm(input, dir)) {
        expect(judged.actual, judged.environment).toEqual(judged.expected);
      }
      expect(await helmLint(dir, input)).toEqual([]);
    });
  });

  it('turns the Job into a post-install,pre-upgrade hook and adds a PSS-restricted test pod', async () => {
    const input = fixtureInput();
    await withTempDir(async (dir) => {
      await judgeHelm(input, dir);
      const { stdout } = await helm([
        'template',
        'shop',
        dir,
        '-f',
        join(dir, 'values-production.yaml'),
        '--namespace',
        'shop',
      ]);
      const docs = stdout
        .split(/^---$/m)
        .map((d) => parse(d, { version: '1.1' }))
        .filter(Boolean);
      const job = docs.find((d) => d.kind === 'Job');
      expect(job.metadata.annotations['helm.sh/hook']).toBe('post-install,pre-upgrade');
      const pod = docs.find((d) => d.kind === 'Pod');
      expect(pod.metadata.annotations['helm.sh/hook']).toBe('test');
      expect(pod.spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.spec.containers[0].securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(pod.spec.containers[0].args[0]).toContain('http://shop-api.shop.svc:80/readyz');
      const policy = docs.find((d) => d.kind === 'NetworkPolicy');
      expect(policy.spec.podSelector.matchLabels).toEqual({
        'app.kubernetes.io/name': 'api',
        'app.kubernetes.io/instance': 'shop',
      });
    });
  });

  it('follows --namespace: every object, the smoke test included, goes to the release namespace', async () => {
    const input = fixtureInput();
    await withTempDir(async (dir) => {
      await judgeHelm(input, dir);
      const { stdout } = await helm([
        'template',
        'shop',
        dir,
        '-f',
        join(dir, 'values-production.yaml'),
        '--namespace',
        'elsewhere',
      ]);
      const docs = stdout
        .split(/^---$/m)
        .map((d) => parse(d, { version: '1.1' }))
        .filter(Boolean);
      expect(new Set(docs.map((d) => d.metadata.namespace))).toEqual(new Set(['elsewhere']));
      const pod = docs.find((d) => d.kind === 'Pod');
      expect(pod.spec.containers[0].args[0]).toContain('http://shop-api.elsewhere.svc:80/readyz');
      const api = docs.find((d) => d.kind === 'Deployment');
      expect(
        api.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'SELF_URL'),
      ).toEqual({
        name: 'SELF_URL',
        value: 'http://shop-api.elsewhere.svc:80/100%',
      });
      expect(await readFile(join(dir, 'templates', 'NOTES.txt'), 'utf8')).toContain(
        'kubectl --namespace {{ .Release.Namespace }} get pods -l app.kubernetes.io/instance={{ .Release.Name }}',
      );
      expect(await helmLint(dir, input)).toEqual([]);
      // slipway check of the chart: the smoke test's objects raise nothing at warning or above (these
      // hand-made app objects do; the examples' are checked in rendered.test.ts).
      const io = memoryIo({ cwd: dir, env: { SLIPWAY_HELM: helmPath(), SLIPWAY_KUBECTL: kubectlPath() } });
      await main(['node', 'slipway', 'check', '.', '-o', 'json', '-f', 'values-production.yaml'], io.io);
      const findings = (
        JSON.parse(io.stdout()) as { findings: Array<{ file: string; severity: string; rule: string }> }
      ).findings;
      expect(
        findings.filter((f) => f.file.includes('smoke-test') && f.severity !== 'info').map((f) => f.rule),
      ).toEqual([]);
    });
  });

  it('exposes the values a Helm user expects, typed in values.schema.json', async () => {
    const files = writeHelmChart(fixtureInput()).files;
    const values = parse(files.get('values-production.yaml')!);
    expect(values.workloads['shop-api'].containers.api.image).toEqual({
      repository: 'ghcr.io/acme/shop-api',
      tag: '1.2.3',
    });
    expect(values.ingresses['shop-api'].rules['0'].host).toBe('shop.example.com');
    expect(parse(files.get('values-staging.yaml')!).workloads['shop-api'].replicas).toBe(2);
    const schema = JSON.parse(files.get('values.schema.json')!);
    expect(schema.properties.workloads.properties['shop-api'].properties.replicas.type).toEqual([
      'integer',
      'null',
    ]);
    expect(parse(files.get('Chart.yaml')!)).toMatchObject({
      apiVersion: 'v2',
      name: 'shop',
      version: '1.2.3',
      appVersion: '1.2.3',
    });
  });

  it('a --set override reaches the object', async () => {
    const input = fixtureInput();
    await withTempDir(async (dir) => {
      await judgeHelm(input, dir);
      const { stdout } = await helm([
        'template',
        'shop',
        dir,
        '-f',
        join(dir, 'values-staging.yaml'),
        '--set',
        'workloads.shop-api.containers.api.image.tag=9.9.9',
      ]);
      expect(stdout).toContain('image: "ghcr.io/acme/shop-api:9.9.9"');
      expect(await readFile(join(dir, 'templates', 'NOTES.txt'), 'utf8')).toContain('helm test');
    });
  });
});

describe('list matching', () => {
  it('merges item orders and refuses conflicting ones', () => {
    expect(
      mergeOrder([
        ['a', 'b', 'c'],
        ['a', 'x', 'c'],
      ]),
    ).toEqual(['a', 'x', 'b', 'c']);
    expect(
      mergeOrder([
        ['a', 'b'],
        ['b', 'a'],
      ]),
    ).toBeUndefined();
  });
  it('splits images into repository and tag only when unambiguous', () => {
    expect(splitImage('localhost:5000/app:1.0')).toEqual(['localhost:5000/app', '1.0']);
    expect(splitImage('app@sha256:abc')).toBeUndefined();
    expect(splitImage('localhost:5000/app')).toBeUndefined();
  });
});

describe('chart metadata and values files', () => {
  it('makes the chart version SemVer and says so when it had to', async () => {
    const { chartVersion } = await import('../../src/render/helm/chart-files.js');
    const warnings: { path: string }[] = [];
    expect(chartVersion('1.4', warnings as never)).toBe('1.4.0');
    expect(chartVersion('v2.0.1-rc.1', warnings as never)).toBe('2.0.1-rc.1');
    expect(warnings).toEqual([]);
    expect(chartVersion('2024-11 build 7', warnings as never)).toBe('0.0.0+2024-11-build-7');
    expect(chartVersion(undefined, warnings as never)).toBe('0.1.0');
    expect(warnings.map((w) => w.path)).toEqual(['version', 'version']);
  });

  it('writes null for a default key an environment lacks, so helm’s merge removes it', async () => {
    const { overlay } = await import('../../src/render/helm/values.js');
    expect(overlay({ a: { x: 1, y: 2 }, b: [1], c: 3 }, { a: { x: 5 }, b: [] })).toEqual({
      a: { x: 5, y: null },
      b: [],
      c: null,
    });
  });
});
