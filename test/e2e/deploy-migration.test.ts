/**
 * Issue 6, scenario 5, in the sandbox: the migration Job runs before any workload changes. A
 * migration that passes lets the deploy go on; one that fails stops it with exit 1, its log in the
 * output, and nothing switched (the Service still answers the previous version, under load with no
 * failed request). Migration images are mapped to short local programs by a sandbox config file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';
import { SAMPLE_SPEC, servicePort, slipwayCli, startLoad, versionOf } from './deploy-helpers.js';

const SANDBOX_CONFIG = `images:
  - match: migrate-ok
    command: [node, -e, "console.log('applying 0041_add_index.sql'); console.log('done')"]
  - match: migrate-fail
    command: [node, -e, "console.log('applying 0042_add_orders.sql'); console.error('ERROR: relation customers does not exist'); process.exit(1)"]
`;

describe('migrations before the switch (sandbox)', () => {
  let env: SandboxEnv;
  let spec: string;
  beforeAll(async () => {
    const dir = (await import('node:fs')).mkdtempSync(
      join((await import('node:os')).tmpdir(), 'slipway-migrate-'),
    );
    const config = join(dir, 'sandbox.yaml');
    writeFileSync(config, SANDBOX_CONFIG);
    env = await startSandboxEnv({ runtime: true, configFile: config });
    const doc = parse(readFileSync(SAMPLE_SPEC, 'utf8')) as {
      deploy: Record<string, unknown>;
      services: { web: Record<string, unknown> };
    };
    doc.deploy = { strategy: 'blue-green', timeout: '2m', scaleDownDelay: '1s' };
    doc.services.web.migrations = { command: ['migrate'], image: 'migrate-ok:1', backoffLimit: 0 };
    spec = join(env.dir, 'slipway.yaml');
    writeFileSync(spec, stringify(doc));
  });
  afterAll(() => env?.stop());

  const deploy = (...args: string[]) =>
    slipwayCli(env, ['deploy', '-f', spec, '--env', 'dev', '--skip-analysis', ...args]);

  it('a passing migration runs first, then the release goes out', async () => {
    const r = await deploy('--set-image', 'web=sample-service:1.0.0');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ migrate\s+\d/);
  });

  it('a failing migration: exit 1, the Job log shown, nothing switched, no request failed', async () => {
    const port = servicePort(env, 'sample', 'sample-web');
    const load = await startLoad(port);
    const r = await deploy(
      '--set-image',
      'web=sample-service:2.0.0',
      '--set',
      'services.web.migrations.image=migrate-fail:2',
    );
    const stats = await load.stop();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ migrate/);
    expect(r.stdout).toContain('ERROR: relation customers does not exist');
    expect(r.stdout).toContain('rolled-back sample revision 2');
    expect(r.stdout).not.toMatch(/roll-out/);
    expect(stats.failed).toBe(0);
    expect(Object.keys(stats.versions)).toEqual(['1.0.0']);
    expect(await versionOf(port)).toBe('1.0.0');
  });
});
