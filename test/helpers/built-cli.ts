/**
 * Tests that run `./bin/slipway` as users do need dist/ (`npm run build`). Under CI=true a missing
 * build is an error; in a fresh clone those tests skip with a visible message.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const slipwayBin = join(repoRoot, 'bin', 'slipway');

/** Whether dist/ holds `file` (a path under dist/); if not, warns that `what` is skipped. */
export function builtCli(what: string, file = 'cli/main.js'): boolean {
  if (existsSync(join(repoRoot, 'dist', file))) return true;
  if (process.env.CI === 'true')
    throw new Error('CI=true but dist/ is missing: npm test builds before running the tests');
  console.warn(`[skip] dist/ is not built (npm run build): ${what} is skipped`);
  return false;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs ./bin/slipway (or `program`) from the repository root; resolves with the exit code, never throws on a failing one. */
export async function runBuilt(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; program?: string } = {},
): Promise<CliResult> {
  try {
    const r = await run(opts.program ?? slipwayBin, args, {
      cwd: repoRoot,
      env: { ...process.env, ...opts.env },
      maxBuffer: 64 << 20,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
