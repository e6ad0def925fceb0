import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Workspace } from './release.js';

/** The repository's files on disk, relative to its root. */
export function diskWorkspace(root: string): Workspace {
  return {
    read: async (path) => (existsSync(join(root, path)) ? readFile(join(root, path), 'utf8') : undefined),
    write: (path, text) => writeFile(join(root, path), text),
  };
}
