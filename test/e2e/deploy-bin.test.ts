/**
 * The deploy commands as users run them, through `./bin/slipway` (after `npm run build`), against an
 * in-process sandbox: blue-green deploy twice, `history`, `status`, `rollback`, `diff`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, runBuilt } from '../helpers/built-cli.js';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';

const built = builtCli('the ./bin/slipway deploy-commands test', 'cli/commands/history.js');

describe.skipIf(!built)('./bin/slipway deploy, history, status, rollback, diff (built)', () => {
  let env: SandboxEnv;
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
  });
  afterAll(() => env?.stop());

  const slipway = (...args: string[]) => runBuilt(args, { env: { KUBECONFIG: env.kubeconfig } });
  const target = ['-f', 'examples/sample-service/slipway.yaml', '--env', 'dev'];

  it('deploys blue-green twice, lists both, rolls back to the first, shows status and diff', async () => {
    const bg = ['--strategy', 'blue-green', '--skip-analysis', '--set', 'deploy.scaleDownDelay=1s'];
    expect((await slipway('deploy', ...target, ...bg, '--set-image', 'web=sample-service:1.0.0')).code).toBe(
      0,
    );
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
