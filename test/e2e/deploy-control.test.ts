/**
 * `slipway promote` and `slipway abort` reaching a deploy that runs elsewhere (here: concurrently
 * in-process, talking to the sandbox only through the API): a canary paused until promotion is
 * promoted by one, and aborted by the other (exit 1, canary gone, stable untouched).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';
import { SAMPLE_SPEC, servicePort, slipwayCli, startCli, versionOf } from './deploy-helpers.js';

describe('slipway promote / abort of a running canary (sandbox)', () => {
  let env: SandboxEnv;
  let spec: string;
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
    const doc = parse(readFileSync(SAMPLE_SPEC, 'utf8')) as { deploy: Record<string, unknown> };
    doc.deploy = {
      strategy: 'canary',
      timeout: '2m',
      canary: { steps: [{ weight: 50 }, { pause: {} }, { pause: {} }] },
    };
    spec = join(env.dir, 'slipway.yaml');
    writeFileSync(spec, stringify(doc));
  });
  afterAll(() => env?.stop());

  const target = ['-f', '', '--env', 'dev'];
  const args = () => target.map((a) => (a === '' ? spec : a));

  /** Starts a deploy with JSON output; `paused` resolves when the pause-until-promote step has started. */
  function deployInBackground(image: string) {
    const d = startCli(
      env,
      ['deploy', ...args(), '--skip-analysis', '--set-image', `web=${image}`, '--output', 'json'],
      (t) => t.includes('"status":"started"') && t.includes('until slipway promote'),
    );
    return {
      paused: d.reached,
      done: d.done,
      output: d.output,
      pausedAgain: () =>
        d.waitFor(2, (t) => t.includes('"status":"started"') && t.includes('until slipway promote')),
    };
  }

  it('each promote releases one pause of a canary; after the second it finishes', async () => {
    expect(
      (
        await slipwayCli(env, [
          'deploy',
          ...args(),
          '--skip-analysis',
          '--set-image',
          'web=sample-service:1.0.0',
        ])
      ).code,
    ).toBe(0);
    const d = deployInBackground('sample-service:2.0.0');
    await d.paused;
    const p = await slipwayCli(env, ['promote', ...args()]);
    expect(p.stdout).toContain('promote requested for sample revision 2');
    // One promote releases one pause: the second pause waits for its own.
    await d.pausedAgain();
    expect((await slipwayCli(env, ['promote', ...args()])).code).toBe(0);
    expect(await d.done).toBe(0);
    expect(await versionOf(servicePort(env, 'sample', 'sample-web'))).toBe('2.0.0');
  });

  it('abort stops a paused canary: exit 1, recorded aborted, canary gone, stable still v2', async () => {
    const d = deployInBackground('sample-service:3.0.0');
    await d.paused;
    expect((await slipwayCli(env, ['abort', ...args()])).code).toBe(0);
    expect(await d.done).toBe(1);
    const summary = JSON.parse(d.output().trim().split('\n').pop()!) as Record<string, unknown>;
    expect(summary).toMatchObject({ outcome: 'aborted', phase: 'aborted', revision: 3 });
    expect(String(summary.message)).toContain('aborted by');
    expect(
      (await env.kubectlResult(['-n', 'sample', 'get', 'deployment', 'sample-web-canary'])).code,
    ).not.toBe(0);
    expect(await versionOf(servicePort(env, 'sample', 'sample-web'))).toBe('2.0.0');
    const history = JSON.parse(
      (await slipwayCli(env, ['history', ...args(), '--output', 'json'])).stdout,
    ) as { releases: Array<{ revision: number; phase: string }> };
    expect(history.releases.map((r) => r.phase)).toEqual(['superseded', 'deployed', 'aborted']);
  });
});
