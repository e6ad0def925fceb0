/**
 * Issue 6, scenario 6 for the rolling strategy: `./bin/slipway deploy` killed with SIGKILL at each
 * dangerous point of a rolling deploy (SLIPWAY_TEST_KILL_AT, the process kills itself there); the
 * next deploy converges (same version live, rollout complete, the killed deploy's pending record
 * marked aborted, its Lease taken over at once because its pid is gone) and no request through the
 * Service fails meanwhile. Every other point: test/engine/kill-points.test.ts, in memory.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { KubeCluster } from '../../src/cluster/kube.js';
import { SecretReleaseStore } from '../../src/engine/releases/secrets.js';
import { rolloutComplete, type Deployment } from '../../src/engine/rollout.js';
import { startSandboxEnv, type SandboxEnv } from '../e2e/sandbox-env.js';
import { builtCli, repoRoot, slipwayBin } from '../helpers/built-cli.js';

const built = builtCli('the SIGKILL deploy test');
/** The record written and nothing applied; the new pods applied and not ready; ready and not recorded; recorded and the predecessor not superseded. */
const POINTS = ['record:ok', 'roll-out:applied', 'roll-out:ok', 'recorded:deployed', 'recorded:superseded'];
const ARGS = ['deploy', '-f', 'examples/sample-service/slipway.yaml', '--env', 'staging', '--skip-analysis'];

describe.skipIf(!built)('rolling deploy killed with SIGKILL at each dangerous point', () => {
  let env: SandboxEnv;
  let cluster: KubeCluster;
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
    cluster = KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig, namespace: 'sample' });
  });
  afterAll(() => env?.stop());

  const inProcess = async (tag: string) => {
    const io = memoryIo({ env: { KUBECONFIG: env.kubeconfig } });
    const code = await main(['node', 'slipway', ...ARGS, '--set-image', `web=sample-service:${tag}`], io.io);
    return { code, out: io.stdout() + io.stderr() };
  };

  it(`converges after each of ${POINTS.length} kills, with no failed request`, async () => {
    expect((await inProcess('1.0.0')).code).toBe(0);
    const port = env.sandbox
      .runtime!.servicePorts()
      .find((p) => p.namespace === 'sample' && p.name === 'sample-web')!.localPort;
    let ok = 0;
    const failures: string[] = [];
    let loading = true;
    const client = async () => {
      while (loading) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/`);
          await res.text();
          if (res.status === 200) ok++;
          else failures.push(`HTTP ${res.status}`);
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    try {
      for (const [i, point] of POINTS.entries()) {
        const tag = `1.${i + 1}.0`;
        const child = spawn(slipwayBin, [...ARGS, '--set-image', `web=sample-service:${tag}`], {
          cwd: repoRoot,
          env: { ...process.env, KUBECONFIG: env.kubeconfig, SLIPWAY_TEST_KILL_AT: point },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) =>
          child.once('close', (c, s) => r([c, s])),
        );
        // A deploy that ended on its own instead says why (exit code and stderr).
        expect(signal, `killed at ${point}: exit ${code}: ${stderr}`).toBe('SIGKILL');
        const again = await inProcess(tag);
        expect(again.code, `killed at ${point}: ${again.out}`).toBe(0);
        const d = await cluster.get<
          Deployment & { spec: { template: { spec: { containers: Array<{ image: string }> } } } }
        >({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'sample-web' });
        expect(d?.spec.template.spec.containers[0]?.image).toBe(`sample-service:${tag}`);
        expect(rolloutComplete(d)).toBe(true);
      }
    } finally {
      loading = false;
      await Promise.all(clients);
    }
    const history = await new SecretReleaseStore(cluster, 'sample').list('sample', 'staging');
    expect(history.filter((r) => r.phase === 'pending')).toEqual([]);
    expect(history[history.length - 1]?.phase).toBe('deployed');
    console.log(
      `[kill] ${POINTS.length} runs, killed at ${POINTS.join(', ')}; ${ok} requests ok, ${failures.length} failed`,
    );
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(100);
  }, 600_000);
});
