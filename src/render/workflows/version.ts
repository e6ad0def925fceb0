import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Slipway package that wrote the workflows: its version, and the integrity npm recorded when it installed it. */
export interface SlipwayPackage {
  version: string;
  /** `sha512-...` of the tarball this copy was installed from; absent when run from a source checkout. */
  integrity?: string;
}

let cached: SlipwayPackage | undefined;

/** The package root: three levels up from src/render/workflows and dist/render/workflows alike. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The version of this Slipway and, when npm installed it (globally, in a project, or through npx),
 * the integrity of its tarball, from npm's hidden lockfile beside it
 * (`<dir>/node_modules/.package-lock.json`, entry `node_modules/slipway`). The workflows install
 * exactly that tarball and refuse any other: CI runs the bytes the developer ran. Read once.
 */
export function slipwayPackage(root = ROOT): SlipwayPackage {
  if (root === ROOT && cached) return cached;
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  const found: SlipwayPackage = { version: pkg.version, integrity: installedIntegrity(root, pkg) };
  if (root === ROOT) cached = found;
  return found;
}

function installedIntegrity(root: string, pkg: { name: string; version: string }): string | undefined {
  const modules = dirname(root);
  if (basename(modules) !== 'node_modules') return undefined;
  const lockfile = join(modules, '.package-lock.json');
  if (!existsSync(lockfile)) return undefined;
  const lock = JSON.parse(readFileSync(lockfile, 'utf8')) as {
    packages?: Record<string, { version?: string; integrity?: string }>;
  };
  const entry = lock.packages?.[`node_modules/${pkg.name}`];
  return entry?.version === pkg.version && entry.integrity?.startsWith('sha512-')
    ? entry.integrity
    : undefined;
}

/** The version alone (what the workflows pin). */
export function slipwayVersion(): string {
  return slipwayPackage().version;
}
