/**
 * Issue 15 against the sandbox with its runtime: the sample service (plus an autoscaled `api`) is
 * deployed, then changed behind Slipway's back with the real kubectl. Right after the deploy, an
 * HPA-style replica change and another manager's annotation are not drift; `kubectl set env`, a
 * patched image, `kubectl scale` of a Deployment without an HPA, a deleted ConfigMap and a labelled
 * orphan are, each with the manager that made it; a field under a `drift.ignore` rule is not, and
 * `--fix --prune` (applying as a deploy does) brings the count back to 0 without reverting it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriftReport } from '../../src/drift/check.js';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';
import { SAMPLE_SPEC, slipwayCli } from './deploy-helpers.js';
import { repoRoot, slipwayBin } from '../helpers/built-cli.js';

describe('slipway drift (sandbox)', () => {
  let env: SandboxEnv;
  let spec: string;
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
    spec = join(env.dir, 'slipway.yaml');
    const sample = readFileSync(SAMPLE_SPEC, 'utf8');
    const api = `  api:\n    image: sample-service:1.0.0\n    port: 8080\n    health: { readiness: /readyz }\n    resources: { cpu: 50m, memory: 64Mi }\n    autoscale: { min: 1, max: 3, cpu: 70 }\n\ndeploy:`;
    // A field changed on purpose outside Slipway: drift does not report it, --fix (as a deploy) keeps it.
    const ignore = `drift:\n  ignore:\n    - { kind: Deployment, name: "sample-w*", path: /spec/template/spec/containers/0/resources }\n\ndeploy:`;
    writeFileSync(spec, sample.replace(/\ndeploy:/, `\n${api}`).replace(/\ndeploy:/, `\n${ignore}`));
  });
  afterAll(() => env?.stop());

  const drift = async (...args: string[]) => {
    const r = await slipwayCli(env, ['drift', '-f', spec, '--env', 'dev', '--output', 'json', ...args]);
    expect(r.stderr).toBe('');
    return { code: r.code, report: JSON.parse(r.stdout) as DriftReport & { fix?: { after: DriftReport } } };
  };
  const kubectl = (...args: string[]) => env.kubectl(['-n', 'sample', ...args]);

  it('before any deploy: exit 2, nothing to compare with', async () => {
    const r = await slipwayCli(env, ['drift', '-f', spec, '--env', 'dev']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no deployed release');
  });

  it('right after a deploy: in sync, also after an HPA-style scale and an annotation by another manager', async () => {
    const deployed = await slipwayCli(env, ['deploy', '-f', spec, '--env', 'dev', '--skip-analysis']);
    expect(deployed.stderr).toBe('');
    expect(deployed.code).toBe(0);
    // What the HPA controller does: write replicas through the scale subresource as its own manager.
    await kubectl(
      'patch',
      'deployment/sample-api',
      '--subresource=scale',
      '--type=merge',
      '-p',
      '{"spec":{"replicas":3}}',
      '--field-manager=horizontal-pod-autoscaler',
    );
    await kubectl('annotate', 'deployment/sample-web', 'team.example.com/owner=payments');
    const { code, report } = await drift();
    expect(report.changed).toEqual([]);
    expect(report.missing).toEqual([]);
    expect(report.orphans).toEqual([]);
    expect(report.checked).toBeGreaterThanOrEqual(6);
    expect(code).toBe(0);
  });

  it('catches set env, a patched image, a scale without HPA, a deleted ConfigMap and an orphan, naming the manager', async () => {
    await kubectl('set', 'env', 'deployment/sample-web', 'DEBUG=1');
    await kubectl(
      'patch',
      'deployment/sample-api',
      '--type=strategic',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"api","image":"sample-service:2.0.0"}]}}}}',
    );
    await kubectl('scale', 'deployment/sample-web', '--replicas=1');
    await kubectl('set', 'resources', 'deployment/sample-web', '--limits=memory=256Mi');
    await kubectl('delete', 'configmap', 'sample-web-env');
    await kubectl('create', 'configmap', 'stray', '--from-literal=a=b');
    await kubectl('label', 'configmap', 'stray', 'app.kubernetes.io/part-of=sample');
    const { code, report } = await drift();
    expect(code).toBe(1);
    const field = (name: string, path: string) =>
      report.changed.find((f) => f.name === name && f.path === path);
    expect(field('sample-web', '/spec/template/spec/containers/0/env')).toMatchObject({
      change: 'added',
      managers: ['kubectl-set'],
    });
    expect(field('sample-api', '/spec/template/spec/containers/0/image')).toMatchObject({
      change: 'changed',
      live: 'sample-service:2.0.0',
      released: 'sample-service:1.0.0',
      managers: ['kubectl-patch'],
    });
    expect(field('sample-web', '/spec/replicas')).toMatchObject({
      live: 1,
      released: 2,
      managers: ['kubectl'],
    });
    expect(report.missing).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'sample', name: 'sample-web-env' },
    ]);
    expect(report.orphans).toMatchObject([{ kind: 'ConfigMap', name: 'stray' }]);
    expect(report.notes).toContain('1 drifted field(s) left out by drift.ignore');
    // Nothing else: the HPA's replicas and the annotation still do not count.
    expect(report.changed.map((f) => `${f.name} ${f.path}`).sort()).toEqual([
      'sample-api /spec/template/spec/containers/0/image',
      'sample-web /spec/replicas',
      'sample-web /spec/template/spec/containers/0/env',
    ]);
    // The same drift as SARIF for code scanning, each result at the slipway.yaml line that rendered it.
    const sarif = await slipwayCli(env, ['drift', '-f', spec, '--env', 'dev', '--output', 'sarif']);
    expect(sarif.code).toBe(1);
    const log = JSON.parse(sarif.stdout) as {
      runs: Array<{
        tool: { driver: { fullName: string } };
        results: Array<{
          ruleId: string;
          locations: Array<{
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          }>;
        }>;
      }>;
    };
    const results = log.runs[0]!.results;
    expect(log.runs[0]!.tool.driver.fullName).toBe('Slipway drift');
    expect(results.map((r) => r.ruleId).sort()).toEqual([
      'drift-changed',
      'drift-changed',
      'drift-changed',
      'drift-missing',
      'drift-orphan',
    ]);
    const lines = readFileSync(spec, 'utf8').split('\n');
    for (const r of results) {
      const at = r.locations[0]!.physicalLocation;
      expect(at.artifactLocation.uri.endsWith('slipway.yaml')).toBe(true);
      expect(lines[at.region.startLine - 1]).toBeDefined();
    }
    // The patched image is reported at the api service's lines, not at the top of the file.
    const image = results.find((r) => r.ruleId === 'drift-changed' && JSON.stringify(r).includes('image'));
    expect(lines.slice(0, image!.locations[0]!.physicalLocation.region.startLine).join('\n')).toContain(
      '  api:',
    );
  });

  it('--fix --prune: everything back, the re-check reports 0 and the HPA and annotation are untouched', async () => {
    const { code, report } = await drift('--fix', '--prune');
    expect(report.fix?.after).toMatchObject({ changed: [], missing: [], orphans: [] });
    expect(code).toBe(0);
    expect((await drift()).code).toBe(0);
    const api = JSON.parse((await kubectl('get', 'deployment/sample-api', '-o', 'json')).stdout) as {
      spec: { replicas: number };
    };
    expect(api.spec.replicas).toBe(3);
    const web = JSON.parse((await kubectl('get', 'deployment/sample-web', '-o', 'json')).stdout) as {
      metadata: { annotations: Record<string, string> };
      spec: { template: { spec: { containers: Array<{ resources: { limits: Record<string, string> } }> } } };
    };
    expect(web.metadata.annotations['team.example.com/owner']).toBe('payments');
    expect(web.spec.template.spec.containers[0]?.resources.limits.memory).toBe('256Mi');
  });

  it('--watch reports a change within seconds (no polling) and serves slipway_drift_objects', async () => {
    const ac = new AbortController();
    const child = spawnWatch(env, spec, ac.signal);
    try {
      const first = await child.nextReport();
      expect(first.changed).toEqual([]);
      const url = await child.metricsUrl;
      expect(await scrape(url)).toMatch(
        /slipway_drift_objects\{app="sample",environment="dev",kind="Deployment"\} 0/,
      );
      const changedAt = Date.now();
      await kubectl('set', 'env', 'deployment/sample-web', 'WATCHED=1');
      // A check the rollout of the previous test started may end after the change with no drift.
      let next = await child.nextReport();
      while (next.changed.length === 0) next = await child.nextReport();
      console.log(`[drift --watch] reported ${Date.now() - changedAt} ms after kubectl set env`);
      expect(next.changed.map((f) => `${f.name} ${f.path} ${f.managers.join()}`)).toEqual([
        'sample-web /spec/template/spec/containers/0/env kubectl-set',
      ]);
      expect(await scrape(url)).toMatch(
        /slipway_drift_objects\{app="sample",environment="dev",kind="Deployment"\} 1/,
      );
      await kubectl('set', 'env', 'deployment/sample-web', 'WATCHED-');
      // Reports made while the controller still rolled out WATCHED=1 may come first (each change
      // is reported); the env put back must end in a clean report.
      let last = await child.nextReport();
      while (last.changed.some((f) => f.path.includes('/env'))) last = await child.nextReport();
      expect(last.changed).toEqual([]);
    } finally {
      ac.abort();
    }
    expect(await child.exited).toBe(0);
  });
});

/** `slipway drift --watch --output json` in its own process (built CLI, else tsx over the sources); SIGINT on abort. */
function spawnWatch(env: SandboxEnv, spec: string, signal: AbortSignal) {
  const cli = existsSync(join(repoRoot, 'dist', 'cli', 'main.js'))
    ? [slipwayBin]
    : ['--import', 'tsx', 'test/e2e/run-slipway.ts'];
  const args = [
    'drift',
    '-f',
    spec,
    '--env',
    'dev',
    '--watch',
    '--output',
    'json',
    '--metrics-address',
    '127.0.0.1:0',
  ];
  const child = spawn(process.execPath, [...cli, ...args], {
    cwd: repoRoot,
    env: { ...process.env, KUBECONFIG: env.kubeconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  signal.addEventListener('abort', () => child.kill('SIGINT'), { once: true });
  const reports: DriftReport[] = [];
  const waiting: Array<(r: DriftReport) => void> = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const report = JSON.parse(line) as DriftReport;
      const w = waiting.shift();
      if (w) w(report);
      else reports.push(report);
    }
  });
  let stderr = '';
  const metricsUrl = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const m = /metrics on (http:\/\/\S+\/metrics)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.once('exit', () => reject(new Error(`drift --watch exited early: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    metricsUrl,
    exited,
    /** The next report printed, within the 60 s. */
    nextReport: () =>
      Promise.race([
        new Promise<DriftReport>((resolve) => {
          const r = reports.shift();
          if (r) resolve(r);
          else waiting.push(resolve);
        }),
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error(`no drift report within 60 s; stderr: ${stderr}`)),
            60_000,
          ).unref(),
        ),
      ]),
  };
}

async function scrape(url: string): Promise<string> {
  return (await fetch(url)).text();
}
