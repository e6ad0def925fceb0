/**
 * `slipway deploy` of examples/sample-service into a flaky sandbox (5% 500s and 5% 429s on every
 * verb, Retry-After 1 s, every watch stream cut each 10 s; a fixed seed): three deploys in a row
 * succeed and the history records each. Timing figures are in bench/chaos-faults.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeCluster } from '../../src/cluster/kube.js';
import { SecretReleaseStore } from '../../src/engine/releases/secrets.js';
import { SAMPLE_SPEC, slipwayCli } from '../e2e/deploy-helpers.js';
import { startSandboxEnv, type SandboxEnv } from '../e2e/sandbox-env.js';

const CHAOS_FAULTS = '{ seed: 25, status500: 0.05, status429: 0.05, retryAfter: 1s, dropWatchesEvery: 10s }';

describe('slipway deploy into a sandbox with API faults', () => {
  let env: SandboxEnv;
  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'slipway-chaos-')), 'sandbox.yaml');
    writeFileSync(file, `api:\n  faults: ${CHAOS_FAULTS}\n`);
    env = await startSandboxEnv({ runtime: true, configFile: file });
  });
  afterAll(() => env?.stop());

  it('deploys three versions in a row, each recorded as deployed, through the injected faults', async () => {
    for (const version of ['1.0.0', '2.0.0', '3.0.0']) {
      const r = await slipwayCli(env, [
        'deploy',
        '-f',
        SAMPLE_SPEC,
        '--env',
        'dev',
        '--skip-analysis',
        '--set-image',
        `web=sample-service:${version}`,
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`to dev (rolling)`);
    }
    const cluster = KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig, namespace: 'sample' });
    const history = await new SecretReleaseStore(cluster, 'sample').list('sample', 'dev');
    expect(history.map((r) => [r.revision, r.phase])).toEqual([
      [1, 'superseded'],
      [2, 'superseded'],
      [3, 'deployed'],
    ]);
    const counts = env.sandbox.faults?.counts;
    expect((counts?.status500 ?? 0) + (counts?.status429 ?? 0)).toBeGreaterThan(0);
  });
});
