/**
 * Issue 6, scenario 4, canary by replica ratio through the CLI against the sandbox with real
 * sample-service processes and a steady load through the Service's proxy port: the first release
 * rolls out whole (no stable to compare with); v2 goes through weight 50% → pause → analysis and is
 * promoted; v3's analysis fails at its first analysis step: exit 1, the canary Deployment is gone,
 * the stable Deployment still runs v2 with its replicas, and no request failed throughout.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';
import { SAMPLE_SPEC, servicePort, slipwayCli, startLoad, versionOf } from './deploy-helpers.js';

describe('slipway deploy --strategy canary (replica ratio) under load (sandbox)', () => {
  let env: SandboxEnv;
  let spec: string;
  let port: number;
  const writeSpec = (deploy: Record<string, unknown>) => {
    const doc = parse(readFileSync(SAMPLE_SPEC, 'utf8')) as { deploy: Record<string, unknown> };
    doc.deploy = { strategy: 'canary', timeout: '2m', ...deploy };
    writeFileSync(spec, stringify(doc));
  };
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
    spec = join(env.dir, 'slipway.yaml');
    writeSpec({ canary: { steps: [{ weight: 50 }] } });
  });
  afterAll(() => env?.stop());

  const deploy = (...args: string[]) => slipwayCli(env, ['deploy', '-f', spec, '--env', 'dev', ...args]);
  const deployment = async (name: string) => {
    const r = await env.kubectlResult(['-n', 'sample', 'get', 'deployment', name, '-o', 'json']);
    return r.code === 0
      ? (JSON.parse(r.stdout) as {
          spec: { replicas: number; template: { spec: { containers: Array<{ image: string }> } } };
          status: { readyReplicas?: number };
        })
      : undefined;
  };

  it('the first release has no stable version: it rolls out whole', async () => {
    const r = await deploy('--set-image', 'web=sample-service:1.0.0');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('deployed sample revision 1 to dev (rolling)');
    port = servicePort(env, 'sample', 'sample-web');
  });

  it('v2: weight 50% (1 canary / 1 stable), pause, passing analysis, promoted; zero failed requests', async () => {
    writeSpec({
      canary: { steps: [{ weight: 50 }, { pause: '1s' }, { analysis: ['smoke'] }] },
      analysis: {
        smoke: {
          http: { url: `http://127.0.0.1:${port}/healthz`, status: 200 },
          count: 2,
          interval: '500ms',
        },
      },
    });
    const load = await startLoad(port);
    const r = await deploy('--set-image', 'web=sample-service:2.0.0', '--output', 'json');
    const stats = await load.stop();
    console.log(
      `canary v1→v2 under load: ${JSON.stringify({ sent: stats.sent, failed: stats.failed, perSecond: stats.perSecond, versions: stats.versions })}`,
    );
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(
      events.some(
        (e) =>
          e.type === 'step' &&
          e.step === 'roll-out' &&
          e.status === 'ok' &&
          String(e.detail).includes('weight 50% (web 1 canary / 1 stable)'),
      ),
    ).toBe(true);
    expect(events.pop()).toMatchObject({ outcome: 'deployed', strategy: 'canary', revision: 2 });
    expect(stats.failed).toBe(0);
    // Both versions served while the canary ran.
    expect(stats.versions['1.0.0']?.count).toBeGreaterThan(0);
    expect(stats.versions['2.0.0']?.count).toBeGreaterThan(0);
    expect(await deployment('sample-web-canary')).toBeUndefined();
    const stable = await deployment('sample-web');
    expect(stable?.spec.template.spec.containers[0]?.image).toBe('sample-service:2.0.0');
    expect(stable?.spec.replicas).toBe(2);
    expect(await versionOf(port)).toBe('2.0.0');
  });

  it('v3: the analysis at the first analysis step fails: exit 1, canary gone, stable untouched, zero failed requests', async () => {
    writeSpec({
      canary: { steps: [{ weight: 50 }, { analysis: ['smoke'] }, { weight: 100 }] },
      analysis: { smoke: { http: { url: `http://127.0.0.1:${port}/not-there`, status: 200 } } },
    });
    const load = await startLoad(port);
    const r = await deploy('--set-image', 'web=sample-service:3.0.0');
    await new Promise((res) => setTimeout(res, 300));
    const stats = await load.stop();
    console.log(
      `canary v3 failed analysis under load: ${JSON.stringify({ sent: stats.sent, failed: stats.failed, perSecond: stats.perSecond, versions: stats.versions })}`,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ analyse .*step 2 analysis smoke failed/);
    expect(r.stdout).toContain('rolled-back sample revision 3');
    expect(stats.failed).toBe(0);
    expect(stats.versions['3.0.0']?.count).toBeGreaterThan(0);
    expect(await deployment('sample-web-canary')).toBeUndefined();
    const stable = await deployment('sample-web');
    expect(stable?.spec.template.spec.containers[0]?.image).toBe('sample-service:2.0.0');
    expect(stable?.spec.replicas).toBe(2);
    expect(stable?.status.readyReplicas).toBe(2);
    expect(await versionOf(port)).toBe('2.0.0');
  });

  it('v4: a failing background analysis stops the canary at once (its 10 min pause, longer than the test may run, never runs out): exit 1, canary gone, stable untouched', async () => {
    writeSpec({
      timeout: '15m',
      canary: { steps: [{ weight: 50 }, { pause: '10m' }] },
      analysis: {
        bg: {
          http: { url: `http://127.0.0.1:${port}/not-there`, status: 200 },
          interval: '500ms',
          phase: 'background',
        },
      },
    });
    const r = await deploy('--set-image', 'web=sample-service:4.0.0');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/rolled-back sample revision 4 .*background analysis bg failed/);
    expect(await deployment('sample-web-canary')).toBeUndefined();
    expect((await deployment('sample-web'))?.spec.template.spec.containers[0]?.image).toBe(
      'sample-service:2.0.0',
    );
    expect(await versionOf(port)).toBe('2.0.0');
  });
});
