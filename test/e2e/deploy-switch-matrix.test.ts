/**
 * Issue 25 part 2: switching strategies between releases, every ordered pair of rolling,
 * blue-green and canary, each first with a target that crashes (rolled back at once by the
 * fail-fast rule) and then with a healthy one, under a load client in its own process. The chain
 * rolling → blue-green → canary → rolling → canary → blue-green → rolling visits all six pairs.
 * After every deploy: zero failed requests, only the versions the deploy could legitimately serve
 * answered, the Service answers the expected version, and no object of an earlier strategy is left
 * behind (no canary Deployment, no colour once the release is not blue-green, one serving colour).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { SHORT_CRASH_LOOP_BACKOFF, startSandboxEnv, type SandboxEnv } from './sandbox-env.js';
import { SAMPLE_SPEC, servicePort, slipwayCli, startLoad, versionOf } from './deploy-helpers.js';

type Strategy = 'rolling' | 'blue-green' | 'canary';
const CHAIN: Strategy[] = ['rolling', 'blue-green', 'canary', 'rolling', 'canary', 'blue-green', 'rolling'];

describe('strategy switches, all six ordered pairs, failing then healthy, under load (sandbox)', () => {
  let env: SandboxEnv;
  let spec: string;
  let port: number;
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true, config: SHORT_CRASH_LOOP_BACKOFF });
    const doc = parse(readFileSync(SAMPLE_SPEC, 'utf8')) as { deploy: Record<string, unknown> };
    // One canary step and no pause, so a canary ends by itself; a short scale-down delay. minReady:
    // the crashing version passes its first readiness probe in the 300 ms it lives, so without it a
    // blue-green switch could move the Service onto pods about to crash (seen once in 20 CI runs).
    doc.deploy = {
      strategy: 'canary',
      timeout: '2m',
      minReady: '1s',
      scaleDownDelay: '1s',
      canary: { steps: [{ weight: 50 }] },
    };
    spec = join(env.dir, 'slipway.yaml');
    writeFileSync(spec, stringify(doc));
  });
  afterAll(() => env?.stop());

  const deploy = (strategy: Strategy, version: string, ...args: string[]) =>
    slipwayCli(env, [
      'deploy',
      '-f',
      spec,
      '--env',
      'dev',
      '--skip-analysis',
      '--strategy',
      strategy,
      '--set-image',
      `web=sample-service:${version}`,
      ...args,
    ]);
  const deployments = async () =>
    (
      JSON.parse((await env.kubectl(['-n', 'sample', 'get', 'deployments', '-o', 'json'])).stdout) as {
        items: Array<{ metadata: { name: string }; spec: { replicas: number } }>;
      }
    ).items
      .filter((d) => d.spec.replicas > 0)
      .map((d) => d.metadata.name)
      .sort();

  it('first release: rolling v0', async () => {
    const r = await deploy('rolling', 'v0');
    expect(r.code).toBe(0);
    port = servicePort(env, 'sample', 'sample-web');
    expect(await versionOf(port)).toBe('v0');
  });

  CHAIN.slice(1).forEach((to, i) => {
    const from = CHAIN[i]!;
    const serving = `v${i}`;
    const next = `v${i + 1}`;
    it(`${from} → ${to}: a crashing ${next}x is rolled back with no failed request, ${serving} serves`, async () => {
      const load = await startLoad(port);
      const r = await deploy(to, `${next}x`, '--set', 'services.web.env.CRASH_AFTER_MS=300');
      const stats = await load.stop();
      console.log(
        `${from} → ${to} failing: ${JSON.stringify({ exit: r.code, sent: stats.sent, failed: stats.failed, versions: Object.keys(stats.versions) })}`,
      );
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/rolled-back sample revision/);
      expect(stats.failed).toBe(0);
      expect(stats.sent).toBeGreaterThan(0);
      // A crashing process may answer in the 300 ms it lives, but only where the strategy already
      // routed to it: a rolling or canary pod joins the Service once ready; a blue-green switch waits
      // for pods available (ready minReady long), which a crashing version never is.
      const allowed = to === 'blue-green' ? [serving] : [serving, `${next}x`];
      expect(Object.keys(stats.versions).every((v) => allowed.includes(v))).toBe(true);
      expect(await versionOf(port)).toBe(serving);
      expect((await deployments()).some((d) => d.endsWith('-canary'))).toBe(false);
    });

    it(`${from} → ${to}: a healthy ${next} goes out with no failed request and nothing of ${from} left behind`, async () => {
      const load = await startLoad(port);
      const r = await deploy(to, next);
      const stats = await load.stop();
      console.log(
        `${from} → ${to} healthy: ${JSON.stringify({ exit: r.code, sent: stats.sent, failed: stats.failed, versions: Object.keys(stats.versions) })}`,
      );
      expect(r.code).toBe(0);
      expect(stats.failed).toBe(0);
      expect(Object.keys(stats.versions).every((v) => v === serving || v === next)).toBe(true);
      expect(await versionOf(port)).toBe(next);
      const live = await deployments();
      expect(live.some((d) => d.endsWith('-canary'))).toBe(false);
      // Exactly one Deployment serves: a colour after a blue-green deploy (the old layout is deleted in clean-up), the plain one otherwise.
      if (to === 'blue-green') expect(live).toEqual([expect.stringMatching(/^sample-web-(blue|green)$/)]);
      else expect(live).toEqual(['sample-web']);
    });
  });
});
