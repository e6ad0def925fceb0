/**
 * Issue 19: on a first deploy the database is still starting when the release's migration would
 * run. The deploy waits until the dependency's StatefulSet is ready before it starts the migration
 * Job. Here Postgres is a simulated pod that takes 4 s to become ready, and the migration is a real
 * local process that writes down when it started: it must start after the database pod was Ready.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';
import { SAMPLE_SPEC, slipwayCli } from './deploy-helpers.js';

describe('a first deploy: the migration waits for its database (sandbox)', () => {
  let env: SandboxEnv;
  let dir: string;
  let spec: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-first-migration-'));
    const marker = join(dir, 'migrate-started');
    const config = join(dir, 'sandbox.yaml');
    writeFileSync(
      config,
      stringify({
        // postgres is simulated here (a rule without a command), ready after 4 s: the test is about
        // the order, not the database (the sandbox runs real PostgreSQL by default).
        simulated: { startupMs: 4000 },
        images: [
          { match: 'postgres' },
          {
            match: 'migrate-db',
            command: [
              process.execPath,
              '-e',
              `require('fs').writeFileSync(${JSON.stringify(marker)}, String(Date.now())); console.log('applied 0001_init.sql')`,
            ],
          },
        ],
      }),
    );
    env = await startSandboxEnv({ runtime: true, configFile: config });
    const doc = parse(readFileSync(SAMPLE_SPEC, 'utf8')) as {
      app: string;
      services: { web: Record<string, unknown> };
      dependencies?: Record<string, unknown>;
    };
    doc.app = 'firstmig';
    doc.dependencies = { db: { type: 'postgres', version: '16', storage: '1Gi' } };
    doc.services.web.env = { ...(doc.services.web.env as object), DATABASE_URL: '${db.url}' };
    doc.services.web.migrations = { command: ['migrate'], image: 'migrate-db:1', backoffLimit: 0 };
    spec = join(dir, 'slipway.yaml');
    writeFileSync(spec, stringify(doc));
  });
  afterAll(() => env?.stop());

  it('the migration Job starts only once the Postgres pod is Ready', async () => {
    const r = await slipwayCli(env, ['deploy', '-f', spec, '--env', 'dev', '--skip-analysis']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ apply-config[\s\S]*✓ migrate/);
    const started = Number(readFileSync(join(dir, 'migrate-started'), 'utf8'));
    const pod = JSON.parse(
      (await env.kubectl(['-n', 'firstmig', 'get', 'pod', 'firstmig-db-0', '-o', 'json'])).stdout,
    ) as {
      metadata: { creationTimestamp: string };
      status: { conditions: Array<{ type: string; lastTransitionTime: string }> };
    };
    const created = Date.parse(pod.metadata.creationTimestamp);
    const jobs = JSON.parse((await env.kubectl(['-n', 'firstmig', 'get', 'jobs', '-o', 'json'])).stdout) as {
      items: Array<{ metadata: { creationTimestamp: string } }>;
    };
    const jobCreated = Date.parse(jobs.items[0]!.metadata.creationTimestamp);
    const ready = Date.parse(pod.status.conditions.find((c) => c.type === 'Ready')!.lastTransitionTime);
    console.log(
      `first deploy: db pod created ${pod.metadata.creationTimestamp}, Ready ${new Date(ready).toISOString()}, migration Job created ${jobs.items[0]!.metadata.creationTimestamp}, migration started ${new Date(started).toISOString()}`,
    );
    // The database took its 4 s to be ready; only then was the migration Job created, and it ran
    // after that (timestamps are whole seconds).
    expect(ready - created).toBeGreaterThanOrEqual(3000);
    expect(jobCreated).toBeGreaterThanOrEqual(ready);
    expect(started).toBeGreaterThanOrEqual(ready);
  });
});
