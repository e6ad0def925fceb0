/**
 * Issue 18, the round trip's last step: a compose file in each reference team's style (the
 * storefront's api, web and event consumer built from source over postgres, redis and kafka; the
 * discord bot on sqlite; the RAG stack; the teams planner; the analytics platform) imported by
 * `slipway init --from-compose` deploys to the sandbox as written, dependencies first. Every image here
 * is simulated: the app images have no process, and the databases are simulated by a config rule (the
 * sandbox runs real ones by default; test/e2e/deploy-databases.test.ts and backup.test.ts cover them),
 * since the subject is the import, not the databases.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';

const TEAMS = resolve(import.meta.dirname, '..', 'fixtures', 'compose', 'teams');

describe('an imported compose file deploys to the sandbox', () => {
  let env: SandboxEnv;
  const dir = mkdtempSync(join(tmpdir(), 'slipway-compose-deploy-'));
  beforeAll(async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'slipway-compose-deploy-')), 'sandbox.yaml');
    writeFileSync(
      config,
      stringify({ images: ['postgres', 'redis', 'mysql', 'mariadb'].map((match) => ({ match })) }),
    );
    env = await startSandboxEnv({ runtime: true, configFile: config });
  });
  afterAll(async () => {
    await env?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = async (cwd: string, args: string[]) => {
    const io = memoryIo({ cwd, env: { KUBECONFIG: env.kubeconfig } });
    const code = await main(['node', 'slipway', ...args], io.io);
    return { code, out: io.stdout(), err: io.stderr() };
  };

  // The five reference teams, each in its own namespace of one sandbox, side by side.
  it.concurrent.each(['storefront', 'discord-bot', 'agentic-rag', 'teams-planner', 'analytics-platform'])(
    '%s: init --from-compose, then deploy: every workload ready, the release recorded',
    async (team) => {
      const cwd = join(dir, team);
      mkdirSync(cwd);
      const init = await cli(cwd, [
        'init',
        '--from-compose',
        join(TEAMS, team, 'docker-compose.yml'),
        '--registry',
        `ghcr.io/${team}-org`,
      ]);
      expect(init.code, init.err).toBe(0);
      const spec = join(cwd, 'slipway.yaml');
      const app = (parse(readFileSync(spec, 'utf8')) as { app: string }).app;
      const deploy = await cli(cwd, ['deploy', '-f', spec, '--env', 'default', '--timeout', '90s']);
      expect(deploy.err).toBe('');
      expect(deploy.code, deploy.out).toBe(0);
      expect(
        deploy.out.split('\n').filter((l) => !l.startsWith('✓')),
        deploy.out,
      ).toContain(`deployed ${app} revision 1 to default (rolling)`);
      const pods = JSON.parse((await env.kubectl(['-n', app, 'get', 'pods', '-o', 'json'])).stdout) as {
        items: Array<{ spec: { containers: Array<{ image: string }> } }>;
      };
      const images = pods.items.flatMap((p) => p.spec.containers.map((c) => c.image));
      // Every image Slipway builds from the compose file's build: contexts runs at the imported version.
      expect(images.filter((i) => i.startsWith(`ghcr.io/${team}-org/`)).length).toBeGreaterThan(0);
      for (const i of images.filter((i) => i.startsWith(`ghcr.io/${team}-org/`)))
        expect(i).toMatch(/:0\.1\.0$/);
    },
    150_000,
  );
});
