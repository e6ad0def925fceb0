/**
 * The storefront example (api, web, order-events over postgres, redis and kafka) deployed by the CLI
 * into a sandbox that runs its databases for real (packages/sandbox/images): the Postgres and Redis
 * pods are Ready by their rendered probes, and the credentials Secret's URL reaches Postgres through
 * the Service proxy. The app images are simulated.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicePort, slipwayCli } from './deploy-helpers.js';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';

const run = promisify(execFile);
const SPEC = 'examples/api-web-db-redis-kafka/slipway.yaml';

/** A host program the sandbox runs: absent, the test skips visibly (fails under CI=true, which installs .ci/apt-packages). */
function hostProgram(check: string, pkg: string): boolean {
  if (spawnSync('sh', ['-c', check], { stdio: 'ignore' }).status === 0) return true;
  const why = `the Debian package ${pkg} is not installed (.ci/apt-packages lists it)`;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${why}`);
  console.warn(`[skip] ${why}: the storefront deploy with real databases is skipped`);
  return false;
}
const haveDatabases =
  hostProgram('ls /usr/lib/postgresql/*/bin/postgres', 'postgresql') &&
  hostProgram('command -v redis-server', 'redis-server');

describe.skipIf(!haveDatabases)('the storefront example with real PostgreSQL and Redis (sandbox)', () => {
  let env: SandboxEnv;
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
  });
  afterAll(() => env?.stop());

  it('deploys to dev with db and cache Ready for real; the Secret URL, rewritten to the proxy, reaches Postgres', async () => {
    const t0 = Date.now();
    const r = await slipwayCli(env, [
      'deploy',
      '-f',
      SPEC,
      '--env',
      'dev',
      '--skip-analysis',
      '--timeout',
      '120s',
    ]);
    const deployMs = Date.now() - t0;
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const pod = async (name: string) =>
      JSON.parse((await env.kubectl(['-n', 'storefront', 'get', 'pod', name, '-o', 'json'])).stdout) as {
        metadata: { creationTimestamp: string };
        status: { conditions: { type: string; status: string; lastTransitionTime: string }[] };
      };
    const db = await pod('storefront-db-0');
    expect(db.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect((await pod('storefront-cache-0')).status.conditions.find((c) => c.type === 'Ready')?.status).toBe(
      'True',
    );
    const events = (await env.kubectl(['-n', 'storefront', 'get', 'events', '-o', 'json'])).stdout;
    expect(events).toMatch(/postgres:16 runs as PostgreSQL \d+/);
    // The credentials Secret the deploy generated, with the Service's proxy port in place of DNS.
    const secret = JSON.parse(
      (await env.kubectl(['-n', 'storefront', 'get', 'secret', 'storefront-db-credentials', '-o', 'json']))
        .stdout,
    ) as { data: Record<string, string> };
    const url = Buffer.from(secret.data.url as string, 'base64').toString('utf8');
    expect(url).toMatch(/@storefront-db\.storefront\.svc:5432\/storefront$/);
    const local = url.replace(
      'storefront-db.storefront.svc:5432',
      `127.0.0.1:${servicePort(env, 'storefront', 'storefront-db')}`,
    );
    const { stdout } = await run('psql', [
      local,
      '-XAtc',
      "SELECT current_user || '@' || current_database()",
    ]);
    expect(stdout.trim()).toBe('storefront@storefront');
    const readyMs =
      Date.parse(db.status.conditions.find((c) => c.type === 'Ready')!.lastTransitionTime) -
      Date.parse(db.metadata.creationTimestamp);
    console.log(
      `[figures] storefront dev deploy ${deployMs} ms; db pod created → Ready ${readyMs} ms (whole seconds)`,
    );
  }, 150_000);
});
