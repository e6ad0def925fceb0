/** Reading slipway.yaml from disk: the only I/O of the spec module. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import { parseSpec } from './parse.js';
import type { App } from './schema.js';

/** Reads `path` (relative to `opts.cwd` when given); problems name the path as written. */
export async function loadSpec(path: string, opts: { cwd?: string } = {}): Promise<App> {
  let text: string;
  try {
    text = await readFile(opts.cwd ? resolve(opts.cwd, path) : path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read it (${code ?? String(error)})`,
      {
        code: 'spec.missing',
        hint: code === 'ENOENT' ? 'run slipway init to write one, or pass -f <file>' : undefined,
      },
    );
  }
  return parseSpec(text, path);
}
