import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Upstream data beside the repository (`../shared`: the Kubernetes OpenAPI document). A test that
 * needs it skips with a visible message in a user's clone and fails under CI=true.
 */
export function sharedPath(...parts: string[]): string | undefined {
  const p = join(resolve(import.meta.dirname, '..', '..', '..', '..', 'shared'), ...parts);
  if (existsSync(p)) return p;
  if (process.env.CI === 'true' && !process.env.SLIPWAY_ALLOW_MISSING_SHARED)
    throw new Error(`CI=true but ${p} is missing: shared/ must sit beside the repository`);
  console.warn(`[skip] ${p} is absent: the sandbox tests that need ../shared are skipped`);
  return undefined;
}
