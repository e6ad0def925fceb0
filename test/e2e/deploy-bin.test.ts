/**
 * The deploy commands as users run them, through `./bin/slipway` (after `npm run build`), against an
 * in-process sandbox: blue-green deploy twice, `history`, `status`, `rollback`, `diff`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');
const built = existsSync(join(repo, 'dist', 'cli', 'commands', 'history.js'));
if (!built && process.env.CI === 'true') throw new Error('CI=true but dist/ is missing: npm test builds before running the tests');
if (!built) console.warn('[skip] dist/ is not built with the deploy commands (npm run build): the ./bin/slipway deploy-commands test is skipped');

describe.skipIf(!built)('./bin/slipway deploy, history, status, rollback, diff (built)', () => {
  let env: SandboxEnv;
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
  });
  afterAll(() => env?.stop());

  async function slipway(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const r = await run(join(repo, 'bin', 'slipway'), args, { cwd: repo, env: { ...process.env, KUBECONFIG: env.kubeconfig } });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }
  const target = ['-f', 'examples/sample-service/slipway.yaml', '--env', 'dev'];

  it('deploys blue-green twice, lists both, rolls back to the first, shows status and diff', async () => {
    const bg = ['--strategy', 'blue-green', '--skip-analysis', '--set', 'deploy.scaleDownDelay=1s'];
    expect((await slipway('deploy', ...target, ...bg, '--set-image', 'web=sample-service:1.0.0')).code).toBe(0);
    const second = await slipway('deploy', ...target, ...bg, '--set-image', 'web=sample-service:2.0.0');
    expect(second.stderr).toBe('');
    expect(second.stdout).toMatch(/✓ switch\s+\d+\.\ds\s+sample-web → green/);
    expect(second.code).toBe(0);
    const history = await slipway('history', ...target);
    expect(history.stdout).toMatch(/\n1\s+\S+\s+superseded\s+blue-green\s+web=sample-service:1\.0\.0/);
    expect(history.stdout).toMatch(/\n2\s+\S+\s+deployed\s+blue-green\s+web=sample-service:2\.0\.0/);
    const back = await slipway('rollback', ...target, '--to', '1');
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('deployed sample revision 3 to dev (blue-green)');
    const status = await slipway('status', ...target);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('serving: revision 3 (blue-green) web=sample-service:1.0.0');
    expect(status.stdout).toContain('active colour: web=blue');
    const diff = await slipway('diff', ...target, '--output', 'json');
    expect(JSON.parse(diff.stdout)).toMatchObject({ revision: 4, strategy: 'rolling' });
  });
});
