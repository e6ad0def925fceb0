import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * `../shared` holds upstream data (PSS fixtures, the Kubernetes OpenAPI document). Tests that need it
 * skip with a visible message in a user's clone, and fail under CI=true where it must be present.
 */
export const sharedDir = resolve(import.meta.dirname, '..', '..', '..', 'shared');

export function sharedPath(...parts: string[]): string | undefined {
  const p = join(sharedDir, ...parts);
  if (existsSync(p)) return p;
  if (process.env.CI === 'true' && !process.env.SLIPWAY_ALLOW_MISSING_SHARED)
    throw new Error(`CI=true but ${p} is missing: shared/ must sit beside the repo`);
  console.warn(`[skip] ${p} is absent (a user's clone): tests that need ../shared are skipped`);
  return undefined;
}
