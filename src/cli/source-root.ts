import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The directory SARIF paths are relative to (%SRCROOT%): the enclosing git work tree's top level
 * (a `.git` directory, or the `.git` file of a worktree or submodule), else `cwd`. Found by walking up
 * rather than running git, so it works where git is not installed.
 */
export function sourceRoot(cwd: string, exists: (path: string) => boolean = existsSync): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (exists(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return cwd;
  }
}
