/**
 * Slipway's own package: its package.json (version, home page, repository) and, when npm installed
 * it, the integrity of its tarball. The one reader of these files; the CLI hands what it finds to
 * the pure parts (the workflows writer pins the version and integrity it is given).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageJson {
  name: string;
  version: string;
  homepage?: unknown;
  repository?: unknown;
}

/** The Slipway package that wrote the workflows: its version, and the integrity npm recorded when it installed it. */
export interface SlipwayPackage {
  version: string;
  /** `sha512-...` of the tarball this copy was installed from; absent when run from a source checkout. */
  integrity?: string;
}

let cached: SlipwayPackage | undefined;
let cachedJson: PackageJson | undefined;

/** The package root: one level up from src/ and dist/ alike. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** package.json of this Slipway (or of the package at `root`). Read once. */
export function packageJson(root = ROOT): PackageJson {
  if (root === ROOT && cachedJson) return cachedJson;
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
  if (root === ROOT) cachedJson = pkg;
  return pkg;
}

/**
 * The version of this Slipway and, when npm installed it (globally, in a project, or through npx),
 * the integrity of its tarball, from npm's hidden lockfile beside it
 * (`<dir>/node_modules/.package-lock.json`, entry `node_modules/slipway`). The workflows install
 * exactly that tarball and refuse any other: CI runs the bytes the developer ran. Read once.
 */
export function slipwayPackage(root = ROOT): SlipwayPackage {
  if (root === ROOT && cached) return cached;
  const pkg = packageJson(root);
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
