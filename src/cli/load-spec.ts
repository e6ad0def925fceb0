/** Reading slipway.yaml from disk; the spec module itself only parses text (parseSpec). */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError, UserErrors } from '../errors.js';
import { parseSpec } from '../spec/parse.js';
import { MAX_YAML_BYTES, tooLarge } from '../spec/yaml-input.js';
import type { App } from '../spec/schema.js';

/** Reads `path` (relative to `opts.cwd` when given); problems name the path as written. */
export async function loadSpec(path: string, opts: { cwd?: string } = {}): Promise<App> {
  let text: string;
  const full = opts.cwd ? resolve(opts.cwd, path) : path;
  try {
    // A file above the cap is refused before it is read into memory. Synchronous: node:fs/promises
    // would load 12 more of Node's modules at every command's start, to read one small file.
    const { size } = statSync(full);
    if (size > MAX_YAML_BYTES) throw new UserErrors([tooLarge(path, size)], 'spec.too-large');
    text = readFileSync(full, 'utf8');
  } catch (error) {
    if (error instanceof UserError) throw error;
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
