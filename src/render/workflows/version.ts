import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * The version of this Slipway, which the workflows install, so CI runs the CLI that wrote them.
 * Read from package.json (three levels up in src/ and in dist/ alike); read once.
 */
export function slipwayVersion(): string {
  cached ??= (
    JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  return cached;
}
