/** Reading slipway.yaml from disk: the only I/O of the spec module. */
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { parseSpec } from './parse.js';
import type { App } from './schema.js';

export async function loadSpec(path: string): Promise<App> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read it (${code ?? String(error)})`, {
      code: 'spec.missing',
      hint: code === 'ENOENT' ? 'run slipway init to write one, or pass -f <file>' : undefined,
    });
  }
  return parseSpec(text, path);
}
