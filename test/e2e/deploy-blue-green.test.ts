/**
 * Issue 6, scenarios 1 and 2 (and the switch-back half of 3), blue-green through the CLI against the
 * sandbox with real sample-service processes, under a steady load through the Service's proxy port
 * from a separate process (src/cli/demo/load-client.ts: a new loopback connection per request):
 * v1 → v2 with zero failed requests and traffic moving to v2; v3 whose readiness never passes
 * exits 1 while v2 keeps serving with zero failed requests; v4 that fails its post-promotion
 * analysis is switched back to v2, and the time from the failed analysis to the last v4 answer is
 * measured.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';
import { SAMPLE_SPEC, servicePort, slipwayCli, startCli, startLoad, versionOf } from './deploy-helpers.js';

describe('slipway deploy --strategy blue-green under load (sandbox)', () => {
  let env: SandboxEnv;
  let spec: string;
  let port: number;
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
    const doc = parse(readFileSync(SAMPLE_SPEC, 'utf8')) as { deploy: Record<string, unknown> };
    doc.deploy = { strategy: 'blue-green', timeout: '2m', scaleDownDelay: '3s' };
    spec = join(env.dir, 'slipway.yaml');
    writeFileSync(spec, stringify(doc));
  });
  afterAll(() => env?.stop());

  const deploy = (...args: string[]) => slipwayCli(env, ['deploy', '-f', spec, '--env', 'dev', ...args]);
  const json = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('v1 goes out blue; the active Service selects the blue colour', async () => {
    const r = await deploy('--set-image', 'web=sample-service:1.0.0');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    port = servicePort(env, 'sample', 'sample-web');
    expect(await versionOf(port)).toBe('1.0.0');
    const svc = JSON.parse(
      (await env.kubectl(['-n', 'sample', 'get', 'service', 'sample-web', '-o', 'json'])).stdout,
    ) as { spec: { selector: Record<string, string> } };
    expect(svc.spec.selector['slipway.dev/colour']).toBe('blue');
  });

  it('v1 → v2 under load: zero failed requests, traffic on v2, blue scaled to zero after the delay', async () => {
    const load = await startLoad(port);
    const r = await deploy('--set-image', 'web=sample-service:2.0.0', '--output', 'json');
    const doneAt = Date.now();
    await new Promise((res) => setTimeout(res, 1000));
    const stats = await load.stop();
    console.log(
      `blue-green v1→v2 under load: ${JSON.stringify({ sent: stats.sent, failed: stats.failed, perSecond: stats.perSecond, versions: stats.versions })}`,
    );
    expect(r.code).toBe(0);
    const summary = json(r.stdout).pop()!;
    expect(summary).toMatchObject({ outcome: 'deployed', strategy: 'blue-green', revision: 2 });
    // Rates are figures for bench/, not pass marks: here the load only has to have run through the switch.
    expect(stats.failed).toBe(0);
    expect(stats.versions['1.0.0']?.count).toBeGreaterThan(0);
    expect(stats.versions['2.0.0']?.count).toBeGreaterThan(0);
    // After the deploy returned, only v2 answered.
    expect(load.startedAt + (stats.versions['1.0.0']?.lastMs ?? 0)).toBeLessThan(doneAt);
    const blue = JSON.parse(
      (await env.kubectl(['-n', 'sample', 'get', 'deployment', 'sample-web-blue', '-o', 'json'])).stdout,
    ) as { spec: { replicas: number } };
    expect(blue.spec.replicas).toBe(0);
  });

  it('v3 whose readiness never passes: exit 1, never switched, v2 keeps serving with zero failed requests', async () => {
    const load = await startLoad(port);
    const r = await deploy(
      '--set-image',
      'web=sample-service:3.0.0',
      '--set',
      'services.web.env.FAIL_READINESS=1',
      '--set',
      'deploy.progressDeadline=4s',
    );
    const stats = await load.stop();
    console.log(
      `blue-green v3 never ready under load: ${JSON.stringify({ sent: stats.sent, failed: stats.failed, perSecond: stats.perSecond, versions: stats.versions })}`,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/rolled-back sample revision 3 .*progress deadline/);
    expect(r.stdout).not.toMatch(/✓ switch\s+\S+\s+sample-web → /);
    expect(stats.failed).toBe(0);
    expect(Object.keys(stats.versions)).toEqual(['2.0.0']);
    expect(stats.sent).toBeGreaterThan(0);
    expect((await env.kubectlResult(['-n', 'sample', 'get', 'deployment', 'sample-web-blue'])).code).not.toBe(
      0,
    );
  });

  it('v4 fails its post-promotion analysis: switched back to v2 at once (time measured)', async () => {
    const doc = parse(readFileSync(spec, 'utf8')) as { deploy: Record<string, unknown> };
    doc.deploy.analysis = {
      smoke: { http: { url: `http://127.0.0.1:${port}/`, status: 200 }, phase: 'post-promotion' },
    };
    writeFileSync(spec, stringify(doc));
    const load = await startLoad(port);
    const r = await deploy(
      '--set-image',
      'web=sample-service:4.0.0',
      '--set',
      'services.web.env.ERROR_RATE=1',
      '--output',
      'json',
    );
    const doneAt = Date.now();
    await new Promise((res) => setTimeout(res, 500));
    const stats = await load.stop();
    expect(r.code).toBe(1);
    const events = json(r.stdout);
    const failedAt = Date.parse(
      String(events.find((e) => e.type === 'step' && e.step === 'analyse' && e.status === 'failed')?.at),
    );
    const switchedBack = events.find(
      (e) =>
        e.type === 'step' &&
        e.step === 'switch' &&
        e.status === 'ok' &&
        String(e.detail).includes('roll back'),
    );
    expect(switchedBack).toBeDefined();
    const lastV4 = load.startedAt + (stats.versions['4.0.0']?.lastMs ?? 0);
    console.log(
      `blue-green v4 failed post-promotion analysis: ${JSON.stringify({ sent: stats.sent, failed: stats.failed, perSecond: stats.perSecond, versions: stats.versions, msFromFailedAnalysisToLastV4Answer: lastV4 - failedAt, switchBackStepMs: switchedBack?.durationMs })}`,
    );
    expect(events.pop()).toMatchObject({ outcome: 'rolled-back', revision: 4 });
    expect(stats.versions['4.0.0']?.count).toBeGreaterThan(0);
    // How soon after the verdict v4 stopped answering is printed above (a figure, not a pass mark); the switch back happened before the deploy returned.
    expect(lastV4).toBeLessThan(doneAt);
    expect(await versionOf(port)).toBe('2.0.0');
  });

  it('a rollback inside the scale-down delay switches straight back to the warm colour; the deploy then leaves it alone', async () => {
    const load = await startLoad(port);
    const d = startCli(
      env,
      [
        'deploy',
        '-f',
        spec,
        '--env',
        'dev',
        '--skip-analysis',
        '--set-image',
        'web=sample-service:5.0.0',
        '--set',
        'deploy.scaleDownDelay=8s',
        '--output',
        'json',
      ],
      (l) => l.includes('"step":"clean-up","status":"started"'),
    );
    await d.reached;
    expect(await versionOf(port)).toBe('5.0.0');
    const t0 = Date.now();
    const back = await slipwayCli(env, ['rollback', '-f', spec, '--env', 'dev']);
    const rollbackMs = Date.now() - t0;
    expect(back.stderr).toBe('');
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('deployed sample revision 6');
    expect(await versionOf(port)).toBe('2.0.0');
    expect(await d.done).toBe(0);
    const stats = await load.stop();
    console.log(
      `rollback inside the scale-down delay: ${JSON.stringify({ rollbackMs, sent: stats.sent, failed: stats.failed, perSecond: stats.perSecond, versions: stats.versions })}`,
    );
    expect(d.output()).toContain('clean-up: skipped: revision 6 started meanwhile');
    expect(stats.failed).toBe(0);
    const history = JSON.parse(
      (await slipwayCli(env, ['history', '-f', spec, '--env', 'dev', '--output', 'json'])).stdout,
    ) as { releases: Array<{ revision: number; phase: string; rollbackOf?: number }> };
    expect(history.releases.slice(-2)).toEqual([
      expect.objectContaining({ revision: 5, phase: 'superseded' }),
      expect.objectContaining({ revision: 6, phase: 'deployed', rollbackOf: 2 }),
    ]);
  });

  it('v7 under a background analysis that turns bad while the new colour is still starting: switched nothing, exit 1 long before any deadline, v2 serves', async () => {
    // The analysis target answers 200 three times, then 500: the verdict comes mid-rollout, while
    // the new colour (readiness failing) is still not ready and the progress deadline is 10 min away.
    let asked = 0;
    const target = createServer((_req, res) => {
      asked += 1;
      res.statusCode = asked <= 3 ? 200 : 500;
      res.end();
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const doc = parse(readFileSync(spec, 'utf8')) as { deploy: Record<string, unknown> };
    doc.deploy.analysis = {
      bg: {
        http: { url: `http://127.0.0.1:${(target.address() as AddressInfo).port}/`, status: 200 },
        interval: '300ms',
        phase: 'background',
      },
    };
    writeFileSync(spec, stringify(doc));
    try {
      const r = await deploy(
        '--set-image',
        'web=sample-service:7.0.0',
        '--set',
        'services.web.env.FAIL_READINESS=1',
        '--set',
        'deploy.progressDeadline=10m',
        '--output',
        'json',
      );
      expect(r.code).toBe(1);
      const events = json(r.stdout);
      const measured = events.filter((e) => e.type === 'measurement');
      expect(measured.length).toBeGreaterThanOrEqual(4);
      // The only switch is the way back (revert), never one to v7.
      const switches = events.filter((e) => e.type === 'step' && e.step === 'switch' && e.status === 'ok');
      expect(switches.every((e) => String(e.detail).includes('roll back'))).toBe(true);
      expect(events.pop()).toMatchObject({ outcome: 'rolled-back', revision: 7 });
      expect(r.stdout).toContain('background analysis bg failed');
      expect(await versionOf(port)).toBe('2.0.0');
    } finally {
      await new Promise((r) => target.close(r));
    }
  });
});
