/**
 * Issue 6, scenario 6, and issue 25, part 8: `slipway deploy` (blue-green) killed with SIGKILL at
 * each dangerous point of a blue-green deploy, named with the SLIPWAY_TEST_KILL_AT test hook (the
 * process kills itself there: no timer, no luck), each time followed by a plain `slipway deploy`
 * of the same version, under a steady load through the Service's proxy port. Every follow-up
 * converges (exit 0, the version serves) and no request fails. The killed process is a real
 * separate process (the built CLI); its lock is taken over at once (its pid is gone), its pending
 * record is marked aborted. Every other point of every strategy is covered in memory by
 * test/engine/kill-points.test.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { repoRoot, slipwayBin } from '../helpers/built-cli.js';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';
import { SAMPLE_SPEC, servicePort, slipwayCli, startLoad, versionOf } from './deploy-helpers.js';

/**
 * Where a blue-green deploy is fragile in ways a rolling one is not: the new colour applied and not
 * ready, ready and not switched, the switch started, the switch written and not recorded, and the
 * clean-up's delay (lock released, old colour still warm). The points every strategy shares (the
 * record written and nothing applied; recorded deployed and the predecessor not superseded) are
 * killed for real in test/engine/deploy-kill.test.ts (rolling) and for every strategy in memory.
 */
const POINTS = ['roll-out:applied', 'roll-out:ok', 'switch:started', 'switch:ok', 'clean-up:started'];

describe('slipway deploy killed with SIGKILL at each dangerous point (sandbox, under load)', () => {
  let env: SandboxEnv;
  let spec: string;
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
    const doc = parse(readFileSync(SAMPLE_SPEC, 'utf8')) as { deploy: Record<string, unknown> };
    doc.deploy = { strategy: 'blue-green', timeout: '2m', scaleDownDelay: '2s' };
    spec = join(env.dir, 'slipway.yaml');
    writeFileSync(spec, stringify(doc));
  });
  afterAll(() => env?.stop());

  const args = (version: string) => [
    'deploy',
    '-f',
    spec,
    '--env',
    'dev',
    '--skip-analysis',
    '--lock-ttl',
    '1s',
    '--set-image',
    `web=sample-service:${version}`,
  ];

  /** Starts the deploy as its own process, which kills itself at `point`; returns the last step it reported. */
  async function killedDeploy(
    version: string,
    point: string,
  ): Promise<{ lastStep: string; signal: NodeJS.Signals | null; code: number | null }> {
    // The built CLI, as users run it (npm test builds first); the sources through tsx in a checkout without dist/.
    const cli = existsSync(join(repoRoot, 'dist', 'cli', 'main.js'))
      ? [slipwayBin]
      : ['--import', 'tsx', 'test/e2e/run-slipway.ts'];
    const child = spawn(process.execPath, [...cli, ...args(version), '--output', 'json'], {
      env: { ...process.env, KUBECONFIG: env.kubeconfig, SLIPWAY_TEST_KILL_AT: point },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('exit', (c, s) => resolve([c, s])),
    );
    const steps = out
      .split('\n')
      .filter((l) => l.includes('"type":"step"'))
      .map((l) => JSON.parse(l) as { step: string; status: string });
    const last = steps.at(-1);
    return { lastStep: last ? `${last.step}:${last.status}` : 'before render', signal, code };
  }

  /** A plain deploy of the same version; a lock still inside its TTL is waited out with a deadline. */
  async function converge(version: string) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = await slipwayCli(env, args(version));
      if (r.code === 1 && r.stderr.includes('is being deployed by') && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 250));
        continue;
      }
      return r;
    }
  }

  it(`killed at ${POINTS.length} points, each deploy followed by one that converges; zero failed requests`, async () => {
    expect((await slipwayCli(env, args('1.0.0'))).code).toBe(0);
    const port = servicePort(env, 'sample', 'sample-web');
    const load = await startLoad(port, 8, 900);
    const killedAt: string[] = [];
    try {
      for (const [i, point] of POINTS.entries()) {
        const version = `${i + 2}.0.0`;
        const k = await killedDeploy(version, point);
        killedAt.push(`${point} (last event ${k.lastStep})`);
        // It died where asked: by SIGKILL, its last step event the one the point belongs to.
        expect(k.signal, `killed at ${point}: exit ${k.code}`).toBe('SIGKILL');
        expect(k.lastStep, point).toBe(point === 'roll-out:applied' ? 'roll-out:started' : point);
        const r = await converge(version);
        expect(r.stderr, `run ${i + 1} (${killedAt.at(-1)})`).toBe('');
        expect(r.code, `run ${i + 1}`).toBe(0);
        expect(await versionOf(port)).toBe(version);
      }
    } finally {
      const stats = await load.stop();
      console.log(`SIGKILL runs: ${killedAt.join(', ')}`);
      console.log(
        `load through all runs: ${JSON.stringify({ sent: stats.sent, failed: stats.failed, perSecond: stats.perSecond, errors: stats.errors, firstFailures: stats.firstFailures })}`,
      );
      expect(stats.failed).toBe(0);
    }
    const history = JSON.parse(
      (await slipwayCli(env, ['history', '-f', spec, '--env', 'dev', '--output', 'json'])).stdout,
    ) as { releases: Array<{ phase: string }> };
    expect(history.releases.filter((r) => r.phase === 'deployed')).toHaveLength(1);
    expect(history.releases.some((r) => r.phase === 'pending')).toBe(false);
  }, 900_000);
});
