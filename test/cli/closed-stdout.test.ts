/**
 * `slipway … | head`: when the reader closes stdout early, the built CLI ends quietly (no EPIPE stack)
 * with the exit code the command itself returns, as `git log | head` does.
 */
import { describe, expect, it } from 'vitest';
import { builtCli, runBuilt, slipwayBin, type CliResult } from '../helpers/built-cli.js';

const built = builtCli('the closed-stdout test of ./bin/slipway');

/**
 * Runs ./bin/slipway with its stdout in an OS pipe to `head -n 3`, which exits after three lines; the
 * outputs used here are larger than a pipe buffer, so the CLI is still writing when the pipe closes.
 */
function slipwayIntoHead(...args: string[]): Promise<CliResult> {
  return runBuilt(['-c', '"$0" "$@" | head -n 3; exit "${PIPESTATUS[0]}"', slipwayBin, ...args], {
    program: 'bash',
  });
}

describe.skipIf(!built)('./bin/slipway with stdout closed early', () => {
  it('schema | head -n 3: first three lines, exit 0, nothing on stderr', async () => {
    const r = await slipwayIntoHead('schema');
    expect(r.stdout.split('\n')).toHaveLength(4);
    expect(r.stdout).toContain('"$schema": "http://json-schema.org/draft-07/schema#"');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a failing check keeps its exit code 1 when its SARIF output is cut off', async () => {
    const examples = ['agentic-rag', 'analytics-platform', 'api-web-db-redis-kafka', 'teams-planner'];
    const r = await slipwayIntoHead(
      'check',
      '--fail-on',
      'info',
      '-o',
      'sarif',
      ...examples.map((e) => `examples/${e}/slipway.yaml`),
    );
    expect(r.stdout).toMatch(/^\{\n/);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
  });
});
