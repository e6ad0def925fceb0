/**
 * `slipway … | head`: when the reader closes stdout early, the built CLI ends quietly (no EPIPE stack)
 * with the exit code the command itself returns, as `git log | head` does.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');
const built = existsSync(join(repo, 'dist', 'cli', 'main.js'));
if (!built && process.env.CI === 'true') throw new Error('CI=true but dist/ is missing: npm test builds before running the tests');
if (!built) console.warn('[skip] dist/ is not built (npm run build): the closed-stdout test of ./bin/slipway is skipped');

/**
 * Runs ./bin/slipway with its stdout in an OS pipe to `head -n 3`, which exits after three lines; the
 * outputs used here are larger than a pipe buffer, so the CLI is still writing when the pipe closes.
 */
async function slipwayIntoHead(...args: string[]): Promise<{ code: number; head: string; stderr: string }> {
  const script = '"$0" "$@" | head -n 3; exit "${PIPESTATUS[0]}"';
  try {
    const r = await run('bash', ['-c', script, join(repo, 'bin', 'slipway'), ...args], { cwd: repo, maxBuffer: 1 << 20 });
    return { code: 0, head: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, head: e.stdout, stderr: e.stderr };
  }
}

describe.skipIf(!built)('./bin/slipway with stdout closed early', () => {
  it('schema | head -n 3: first three lines, exit 0, nothing on stderr', async () => {
    const r = await slipwayIntoHead('schema');
    expect(r.head.split('\n')).toHaveLength(4);
    expect(r.head).toContain('"$schema": "http://json-schema.org/draft-07/schema#"');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a failing check keeps its exit code 1 when its SARIF output is cut off', async () => {
    const examples = ['agentic-rag', 'analytics-platform', 'api-web-db-redis-kafka', 'teams-planner'];
    const r = await slipwayIntoHead('check', '--fail-on', 'info', '-o', 'sarif', ...examples.map((e) => `examples/${e}/slipway.yaml`));
    expect(r.head).toMatch(/^\{\n/);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
  });
});
