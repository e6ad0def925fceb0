/** Malformed deploy flags are bad input that names the flag once, before any cluster is contacted. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const home = mkdtempSync(join(tmpdir(), 'slipway-deploy-flags-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function deploy(...args: string[]) {
  const m = memoryIo({ env: { HOME: home, KUBECONFIG: join(home, 'none') } });
  const code = await main(
    ['node', 'slipway', 'deploy', '-f', 'examples/sample-service/slipway.yaml', '--env', 'dev', ...args],
    m.io,
  );
  return { code, err: m.stderr() };
}

describe('deploy flags', () => {
  it('--timeout, --strategy and --wait-for-lock errors name the flag once', async () => {
    const timeout = await deploy('--timeout', 'forever');
    expect(timeout.code).toBe(2);
    expect(timeout.err).toContain('error: --timeout: "forever" is not a duration such as 30s, 5m or 1h30m');
    const strategy = await deploy('--strategy', 'fast');
    expect(strategy.code).toBe(2);
    expect(strategy.err).toContain(
      'error: --strategy: must be one of rolling, blue-green, canary, got "fast"',
    );
    const wait = await deploy('--wait-for-lock', 'a while');
    expect(wait.code).toBe(2);
    expect(wait.err).toContain('error: --wait-for-lock: "a while" is not a duration');
  });
});
