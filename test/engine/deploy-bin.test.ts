/** `./bin/slipway deploy` as users run it (after `npm run build`), against an in-process sandbox. */
import { describe, expect, it } from 'vitest';
import { startSandboxEnv } from '../e2e/sandbox-env.js';
import { builtCli, runBuilt } from '../helpers/built-cli.js';

const built = builtCli('the ./bin/slipway deploy test');
const slipway = (args: string[], kubeconfig: string) => runBuilt(args, { env: { KUBECONFIG: kubeconfig } });

describe.skipIf(!built)('./bin/slipway deploy (built)', () => {
  it('deploys the sample service, then plans the next release with --dry-run --output json', async () => {
    const env = await startSandboxEnv({ runtime: true });
    try {
      const args = [
        'deploy',
        '-f',
        'examples/sample-service/slipway.yaml',
        '--env',
        'staging',
        '--skip-analysis',
      ];
      const first = await slipway([...args, '--set-image', 'web=sample-service:1.0.0'], env.kubeconfig);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('deployed sample revision 1 to staging (rolling)');
      const plan = await slipway(
        [...args, '--set-image', 'web=sample-service:1.1.0', '--dry-run', '--output', 'json'],
        env.kubeconfig,
      );
      expect(plan.code).toBe(0);
      const lines = plan.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; plan?: { revision: number; previousRevision: number } });
      expect(lines[lines.length - 1]).toMatchObject({
        type: 'summary',
        plan: { revision: 2, previousRevision: 1 },
      });
      const shown = await env.kubectl([
        '-n',
        'sample',
        'get',
        'secrets',
        '-l',
        'owner=slipway',
        '-o',
        'name',
      ]);
      expect(shown.stdout.trim()).toBe('secret/slipway.release.v1.sample-staging.v1');
    } finally {
      await env.stop();
    }
  });
});
