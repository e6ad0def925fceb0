/**
 * Tests that start the host's databases (Debian postgresql, redis-server, mariadb-server, listed in
 * .ci/apt-packages) skip with a visible message when a program is absent, and fail under CI=true.
 */
import { findHostBinary } from '../src/runtime/host-tools.js';

export function hostBinary(binary: string, pkg: string): boolean {
  if (findHostBinary(binary)) return true;
  const why = `${binary} is not installed (Debian package ${pkg}, listed in .ci/apt-packages)`;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${why}`);
  console.warn(`[skip] ${why}: the sandbox tests that run it are skipped`);
  return false;
}
