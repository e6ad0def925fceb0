/**
 * Issue 18, the round trip's last step: a compose file in the api/web/db/redis/kafka team's style
 * (api, web and an event consumer built from source over postgres, redis and kafka) imported by `slipway init
 * --from-compose` deploys to the sandbox as written, dependencies first. The sandbox simulates
 * images it has no process for (src/sandbox/runtime/config.ts), which is every image here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';

const COMPOSE = resolve(
  import.meta.dirname,
  '..',
  'fixtures',
  'compose',
  'teams',
  'storefront',
  'docker-compose.yml',
);

describe('an imported compose file deploys to the sandbox', () => {
  let env: SandboxEnv;
  const dir = mkdtempSync(join(tmpdir(), 'slipway-compose-deploy-'));
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
  });
  afterAll(async () => {
    await env?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = async (args: string[]) => {
    const io = memoryIo({ cwd: dir, env: { KUBECONFIG: env.kubeconfig } });
    const code = await main(['node', 'slipway', ...args], io.io);
    return { code, out: io.stdout(), err: io.stderr() };
  };

  it('init --from-compose, then deploy: every workload ready, the release recorded', async () => {
    const init = await cli(['init', '--from-compose', COMPOSE, '--registry', 'ghcr.io/acme-commerce']);
    expect(init.code).toBe(0);
    const deploy = await cli([
      'deploy',
      '-f',
      join(dir, 'slipway.yaml'),
      '--env',
      'default',
      '--timeout',
      '40s',
    ]);
    expect(deploy.err).toBe('');
    expect(deploy.code, deploy.out).toBe(0);
    expect(
      deploy.out.split('\n').filter((l) => !l.startsWith('✓')),
      deploy.out,
    ).toContain('deployed storefront revision 1 to default (rolling)');
    const pods = JSON.parse(
      (await env.kubectl(['-n', 'storefront', 'get', 'pods', '-o', 'json'])).stdout,
    ) as {
      items: Array<{
        metadata: { labels: Record<string, string> };
        spec: { containers: Array<{ image: string }> };
      }>;
    };
    const images = pods.items.flatMap((p) => p.spec.containers.map((c) => c.image)).sort();
    for (const service of ['api', 'web', 'order-events'])
      expect(images).toContain(`ghcr.io/acme-commerce/storefront-${service}:0.1.0`);
    expect(images.some((i) => i.startsWith('postgres:'))).toBe(true);
  }, 120_000);
});
