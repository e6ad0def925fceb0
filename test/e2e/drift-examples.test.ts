/**
 * Issue 15's "zero drift right after a deploy", for every example: each is deployed to the sandbox
 * (its dev environment, images simulated) and `slipway drift` must find nothing, with the count of
 * objects it checked printed.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriftReport } from '../../src/drift/check.js';
import { exampleSpecs } from '../workflows/helpers.js';
import { slipwayCli } from './deploy-helpers.js';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';

describe('drift: every example is in sync right after its deploy (sandbox)', () => {
  let env: SandboxEnv;
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
  });
  afterAll(() => env?.stop());

  for (const example of exampleSpecs()) {
    // The first environment each example declares (analytics-platform has `local`, not `dev`).
    const envName = Object.keys(
      (parse(readFileSync(example.file, 'utf8')) as { environments: Record<string, unknown> }).environments,
    )[0]!;
    it(`${example.name} (${envName})`, async () => {
      const deployed = await slipwayCli(env, [
        'deploy',
        '-f',
        example.file,
        '--env',
        envName,
        '--skip-analysis',
      ]);
      expect(deployed.stderr).toBe('');
      expect(deployed.code).toBe(0);
      const r = await slipwayCli(env, ['drift', '-f', example.file, '--env', envName, '--output', 'json']);
      const report = JSON.parse(r.stdout) as DriftReport;
      console.log(
        `[drift] ${example.name}: ${report.checked} objects checked, ${report.changed.length + report.missing.length + report.orphans.length} drifted`,
      );
      expect({ changed: report.changed, missing: report.missing, orphans: report.orphans }).toEqual({
        changed: [],
        missing: [],
        orphans: [],
      });
      expect(r.code).toBe(0);
    });
  }
});
