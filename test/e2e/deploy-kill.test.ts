/**
 * Issue 6, scenario 6: `slipway deploy` (blue-green) killed with SIGKILL at random moments, 20
 * times, each time followed by a plain `slipway deploy` of the same version, under a steady load
 * through the Service's proxy port. Every follow-up converges (exit 0, the version serves) and no
 * request fails. The killed process is a real separate process (the built CLI); its lock
 * is taken over after the 1 s TTL given with --lock-ttl, its pending record is marked aborted.
 * The kill moments come from a seeded generator, printed, so a failure can be replayed.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { repoRoot, slipwayBin } from '../helpers/built-cli.js';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';
import { SAMPLE_SPEC, servicePort, slipwayCli, startLoad, versionOf } from './deploy-helpers.js';

const RUNS = 20;
const SEED = Number(process.env.SLIPWAY_KILL_SEED ?? 20261123);

/** mulberry32: a tiny seeded PRNG, so the kill moments are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('slipway deploy killed with SIGKILL at random moments (sandbox, under load)', () => {
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

  /** Starts the deploy as its own process and SIGKILLs it `afterMs` after its first event (if still running); returns the step it was in. */
  async function killedDeploy(
    version: string,
    afterMs: number,
  ): Promise<{ lastStep: string; finished: boolean; code: number | null }> {
    // The built CLI, as users run it (npm test builds first); the sources through tsx in a checkout without dist/.
    const cli = existsSync(join(repoRoot, 'dist', 'cli', 'main.js'))
      ? [slipwayBin]
      : ['--import', 'tsx', 'test/e2e/run-slipway.ts'];
    const child = spawn(process.execPath, [...cli, ...args(version), '--output', 'json'], {
      env: { ...process.env, KUBECONFIG: env.kubeconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    // The clock starts at the deploy's first event, not at process start (module loading varies with machine load).
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      timer ??= setTimeout(() => child.kill('SIGKILL'), afterMs);
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const code = await exited;
    clearTimeout(timer);
    const steps = out
      .split('\n')
      .filter((l) => l.includes('"type":"step"'))
      .map((l) => JSON.parse(l) as { step: string; status: string });
    const last = steps.at(-1);
    return {
      lastStep: last ? `${last.step}:${last.status}` : 'before render',
      finished: code !== null,
      code,
    };
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

  it(`${RUNS} killed deploys, each followed by one that converges; zero failed requests`, async () => {
    const random = prng(SEED);
    expect((await slipwayCli(env, args('1.0.0'))).code).toBe(0);
    const port = servicePort(env, 'sample', 'sample-web');
    const load = await startLoad(port, 8, 900);
    const killedAt: string[] = [];
    try {
      for (let i = 0; i < RUNS; i++) {
        const version = `${i + 2}.0.0`;
        // A blue-green deploy here takes about 3-4 s from its first event (pods start, switch, 2 s scale-down delay).
        const afterMs = Math.round(random() * 4000);
        const k = await killedDeploy(version, afterMs);
        killedAt.push(`${afterMs}ms→${k.finished ? 'finished' : k.lastStep}`);
        // Either killed, or it finished the deploy first: never a usage error.
        expect(k.code === null || k.code === 0, `run ${i + 1} exited ${k.code}`).toBe(true);
        const r = await converge(version);
        expect(r.stderr, `run ${i + 1} (${killedAt.at(-1)})`).toBe('');
        expect(r.code, `run ${i + 1}`).toBe(0);
        expect(await versionOf(port)).toBe(version);
      }
    } finally {
      const stats = await load.stop();
      console.log(`SIGKILL runs (seed ${SEED}): ${killedAt.join(', ')}`);
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
