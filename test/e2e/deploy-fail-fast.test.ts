/**
 * Issue 25: every deploy ends, within its budget, with the previous release serving. Through the
 * CLI in-process against the sandbox with real sample-service processes and a load client in its
 * own process:
 * - the repro: rolling v1, blue-green v2, then rolling v3 whose readiness never passes: the
 *   Services stay on v2's colour while v3 starts, the deploy ends at its timeout, exit 1, and v2
 *   answered every request;
 * - a version that crashes (CrashLoopBackOff) and one whose image cannot be pulled end the wait
 *   once a new pod failed more than deploy.failuresAllowedPerReplica times, not at a deadline:
 *   both deploys carry a 10-minute --timeout and a 10-minute progress deadline, so only the
 *   fail-fast rule can end them before the test's own timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHORT_CRASH_LOOP_BACKOFF, startSandboxEnv, type SandboxEnv } from './sandbox-env.js';
import { SAMPLE_SPEC, servicePort, slipwayCli, startLoad, versionOf } from './deploy-helpers.js';

interface Selector {
  spec: { selector: Record<string, string> };
}

describe('every deploy ends (sandbox)', () => {
  let env: SandboxEnv;
  let port: number;
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true, config: SHORT_CRASH_LOOP_BACKOFF });
  });
  afterAll(() => env?.stop());

  const target = ['-f', SAMPLE_SPEC, '--env', 'dev', '--skip-analysis'];
  const deploy = (...args: string[]) => slipwayCli(env, ['deploy', ...target, ...args]);
  const selector = async () =>
    (
      JSON.parse(
        (await env.kubectl(['-n', 'sample', 'get', 'service', 'sample-web', '-o', 'json'])).stdout,
      ) as Selector
    ).spec.selector;

  it('rolling v1, then blue-green v2', async () => {
    expect((await deploy('--set-image', 'web=sample-service:v1')).code).toBe(0);
    const v2 = await deploy('--set-image', 'web=sample-service:v2', '--strategy', 'blue-green');
    expect(v2.code).toBe(0);
    port = servicePort(env, 'sample', 'sample-web');
    expect(await versionOf(port)).toBe('v2');
    expect(await selector()).toMatchObject({ 'slipway.dev/colour': 'blue' });
  });

  it('rolling v3 that never gets ready: the Service stays on v2, the deploy ends at its timeout, rolled back, zero failed requests', async () => {
    const load = await startLoad(port);
    const selectors: Array<Record<string, string>> = [];
    let watching = true;
    const sampling = (async () => {
      while (watching) {
        selectors.push(await selector());
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const r = await deploy(
      '--set-image',
      'web=sample-service:v3',
      '--set',
      'services.web.env.FAIL_READINESS=1',
      '--timeout',
      '8s',
    );
    watching = false;
    await sampling;
    const stats = await load.stop();
    console.log(
      `rolling v3 never ready after blue-green v2, under load: ${JSON.stringify({ sent: stats.sent, failed: stats.failed, perSecond: stats.perSecond, versions: stats.versions })}`,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /rolled-back sample revision 3 to dev \(rolling\): the rollout did not complete before the deploy timeout ran out \(8s\)/,
    );
    expect(r.stdout).toMatch(/not ready/);
    expect(stats.failed).toBe(0);
    expect(Object.keys(stats.versions)).toEqual(['v2']);
    // At every sample the Service selected the blue colour only, never the v3 pods beside it.
    expect(selectors.length).toBeGreaterThan(0);
    expect(selectors.every((s) => s['slipway.dev/colour'] === 'blue')).toBe(true);
    expect(await versionOf(port)).toBe('v2');
    expect((await env.kubectlResult(['-n', 'sample', 'get', 'deployment', 'sample-web'])).code).not.toBe(0);
  });

  it('rolling v4 out of blue-green: ready first, then the Service switches in one update and the colour is deleted', async () => {
    const r = await deploy('--set-image', 'web=sample-service:v4');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ switch\s+\S+\s+sample-web: blue → sample-web/);
    expect(await selector()).not.toHaveProperty('slipway.dev/colour');
    expect(await versionOf(port)).toBe('v4');
    expect((await env.kubectlResult(['-n', 'sample', 'get', 'deployment', 'sample-web-blue'])).code).not.toBe(
      0,
    );
  });

  it('a version that crashes: rolled back once a new pod restarted more than twice, long before any deadline', async () => {
    const r = await deploy(
      '--set-image',
      'web=sample-service:v5',
      '--set',
      'services.web.env.CRASH_AFTER_MS=300',
      // Ready pods count as available only after 2 s, which a process living 300 ms never is: on a
      // slow machine the rollout cannot finish in the moment between ready and the crash.
      '--set',
      'deploy.minReady=2s',
      '--set',
      'deploy.progressDeadline=10m',
      '--timeout',
      '10m',
      '--output',
      'json',
    );
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = events.at(-1)!;
    expect(r.code).toBe(1);
    expect(summary).toMatchObject({ outcome: 'rolled-back' });
    expect(String(summary.message)).toMatch(
      /a new pod failed more than 2 times: pod sample-web-\S+ container web: (CrashLoopBackOff|Error|restarted) 3 times/,
    );
    expect(await versionOf(port)).toBe('v4');
  });

  it('an image that cannot be pulled: rolled back after the third failed pull', async () => {
    const r = await deploy(
      '--set-image',
      'web=sample-service:broken',
      '--set',
      'deploy.progressDeadline=10m',
      '--timeout',
      '10m',
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /a new pod failed more than 2 times: pod sample-web-\S+ container web: (ErrImagePull|ImagePullBackOff) 3 times \(/,
    );
    expect(await versionOf(port)).toBe('v4');
  });
});
