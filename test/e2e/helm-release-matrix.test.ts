/**
 * The chart of examples/sample-service, as a Helm user drives it, with the real helm v4 against one
 * sandbox (controllers and kubelet on: the sample-service pods run as local processes, the `helm
 * test` smoke pod is simulated by the kubelet, which completes it with exit code 0; no DNS in the
 * sandbox, so its curl does not really run). Each step's exit code is recorded and printed as a
 * table; after each step the API server is asked what exists where.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHelmChart } from '../../src/render/helm/index.js';
import { renderApp } from '../../src/render/index.js';
import { kinds } from '@slipway/sandbox';
import { parseSpec } from '../../src/spec/parse.js';
import { environmentNames, resolveEnvironment } from '../../src/spec/resolve.js';
import { writeTree } from '../render-writers/compare.js';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';

let env: SandboxEnv;
let chart: string;
const steps: { step: string; code: number }[] = [];

beforeAll(async () => {
  env = await startSandboxEnv({ runtime: true });
  const file = 'examples/sample-service/slipway.yaml';
  const spec = parseSpec(readFileSync(file, 'utf8'), file);
  const environments = environmentNames(spec).map((name) => {
    const app = resolveEnvironment(spec, name, file);
    return { environment: name, app, objects: renderApp(app).objects };
  });
  chart = join(env.dir, 'chart');
  await writeTree(chart, writeHelmChart({ spec, environments }).files);
});
afterAll(async () => {
  console.log(
    [
      'helm release matrix (exit codes):',
      ...steps.map((s) => `  ${String(s.code).padStart(3)}  ${s.step}`),
    ].join('\n'),
  );
  await env?.stop();
});

/** Runs helm, records its exit code under `step`, and returns its output. */
async function step(name: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let result: { code: number; stdout: string; stderr: string };
  try {
    result = { code: 0, ...(await env.helm(args)) };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    result = {
      code: typeof err.code === 'number' ? err.code : 1,
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
    };
  }
  steps.push({ step: name, code: result.code });
  return result;
}

/** `namespace/name` of every object of `kind` in the sandbox. */
function where(kind: 'deployment' | 'service' | 'networkPolicy' | 'pod'): string[] {
  const k = kinds(env.sandbox.store);
  const type =
    kind === 'networkPolicy' ? env.sandbox.store.typeFor('networking.k8s.io/v1', 'NetworkPolicy')! : k[kind];
  return env.sandbox.store
    .allOf(type)
    .map((o) => `${o.metadata.namespace}/${o.metadata.name}`)
    .sort();
}

function deployment(namespace: string, name: string) {
  return env.sandbox.store.get(kinds(env.sandbox.store).deployment, namespace, name) as
    { spec: { replicas: number; template: { metadata: { labels: Record<string, string> } } } } | undefined;
}

/** Resolves when `condition` holds, checked on every change in the sandbox's store; fails after `ms`. */
function until(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const check = () => {
      if (done || !condition()) return;
      done = true;
      clearTimeout(deadline);
      resolve();
    };
    const deadline = setTimeout(() => {
      done = true;
      reject(new Error(`not within ${ms} ms: ${what}`));
    }, ms);
    env.sandbox.store.onChange(check);
    check();
  });
}

/** Names of the ready pods behind a Service, from its Endpoints. */
function endpointPods(namespace: string, service: string): string[] {
  const endpoints = env.sandbox.store.get(kinds(env.sandbox.store).endpoints, namespace, service) as
    { subsets?: { addresses?: { targetRef?: { name: string } }[] }[] } | undefined;
  return (endpoints?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.targetRef?.name ?? ''));
}

const ONE = ['--set', 'workloads.sample-web.replicas=1'];

describe('the sample chart through install, side-by-side releases, upgrade, rollback, test and uninstall', () => {
  it('every step exits 0 and leaves the objects where the release says', async () => {
    // Without -n: the kubeconfig's namespace (default), names exactly render's.
    expect((await step('install sample (no -n)', ['install', 'sample', chart, ...ONE])).code).toBe(0);
    expect(where('deployment')).toEqual(['default/sample-web']);

    // With -n, and a second release of the same chart beside it in that namespace.
    const installA = await step('install sample -n team-a --create-namespace', [
      'install',
      'sample',
      chart,
      ...ONE,
      '-n',
      'team-a',
      '--create-namespace',
    ]);
    expect(installA.code, installA.stderr).toBe(0);
    const preview = await step('install preview -n team-a (second release, same namespace)', [
      'install',
      'preview',
      chart,
      ...ONE,
      '-n',
      'team-a',
    ]);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain('preview-sample-web');
    expect(where('deployment')).toEqual([
      'default/sample-web',
      'team-a/preview-sample-web',
      'team-a/sample-web',
    ]);
    expect(
      deployment('team-a', 'preview-sample-web')!.spec.template.metadata.labels['app.kubernetes.io/instance'],
    ).toBe('preview');
    // The pods run (sample-service processes); each release's Service selects only its own pod.
    await until(
      () =>
        endpointPods('team-a', 'sample-web').length === 1 &&
        endpointPods('team-a', 'preview-sample-web').length === 1,
      'one ready pod behind each release’s Service in team-a',
    );
    expect(endpointPods('team-a', 'sample-web')[0]).toMatch(/^sample-web-/);
    expect(endpointPods('team-a', 'preview-sample-web')[0]).toMatch(/^preview-sample-web-/);

    // upgrade --install: installs a release that does not exist (a third namespace), upgrades one that does.
    const fresh = await step('upgrade --install tenant -n team-b --create-namespace (new)', [
      'upgrade',
      '--install',
      'tenant',
      chart,
      ...ONE,
      '-n',
      'team-b',
      '--create-namespace',
    ]);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(where('deployment')).toContain('team-b/tenant-sample-web');
    const upgrade = await step('upgrade --install preview -n team-a -f values-production.yaml (existing)', [
      'upgrade',
      '--install',
      'preview',
      chart,
      '-f',
      join(chart, 'values-production.yaml'),
      '--set',
      'workloads.sample-web.replicas=2',
      '-n',
      'team-a',
    ]);
    expect(upgrade.code, upgrade.stderr).toBe(0);
    expect(deployment('team-a', 'preview-sample-web')!.spec.replicas).toBe(2);
    expect(deployment('team-a', 'sample-web')!.spec.replicas).toBe(1);

    const rollback = await step('rollback preview 1 -n team-a', ['rollback', 'preview', '1', '-n', 'team-a']);
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(deployment('team-a', 'preview-sample-web')!.spec.replicas).toBe(1);
    const history = await step('history preview -n team-a', [
      'history',
      'preview',
      '-n',
      'team-a',
      '-o',
      'json',
    ]);
    expect(
      (JSON.parse(history.stdout) as { revision: number; status: string }[]).map((h) => h.status),
    ).toEqual(['superseded', 'superseded', 'deployed']);

    // helm test: the smoke pod and its NetworkPolicy go to the release's namespace, named after it.
    const test = await step('test preview -n team-a', ['test', 'preview', '-n', 'team-a']);
    expect(test.code, test.stderr).toBe(0);
    expect(test.stdout).toContain('preview-sample-smoke-test');
    expect(test.stdout).toMatch(/Phase:\s+Succeeded/);
    expect(where('networkPolicy')).toContain('team-a/preview-sample-smoke-test-web-8080');
    const testDefault = await step('test sample (no -n)', ['test', 'sample']);
    expect(testDefault.code, testDefault.stderr).toBe(0);

    // Uninstalling one release leaves the other release in its namespace untouched.
    expect((await step('uninstall preview -n team-a', ['uninstall', 'preview', '-n', 'team-a'])).code).toBe(
      0,
    );
    expect(where('deployment')).toEqual([
      'default/sample-web',
      'team-a/sample-web',
      'team-b/tenant-sample-web',
    ]);
    expect(where('service')).toContain('team-a/sample-web');
    expect(where('service')).not.toContain('team-a/preview-sample-web');
    for (const [release, ns] of [
      ['sample', 'default'],
      ['sample', 'team-a'],
      ['tenant', 'team-b'],
    ] as const) {
      expect((await step(`uninstall ${release} -n ${ns}`, ['uninstall', release, '-n', ns])).code).toBe(0);
    }
    expect(where('deployment')).toEqual([]);
    expect(steps.filter((s) => s.code !== 0)).toEqual([]);
  });
});
