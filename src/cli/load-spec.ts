/** Reading slipway.yaml from disk or, for `-f -`, from stdin; the spec module itself only parses text (parseSpec). */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError, UserErrors } from '../errors.js';
import { parseSpec } from '../spec/parse.js';
import { MAX_YAML_BYTES, tooLarge } from '../spec/yaml-input.js';
import type { App } from '../spec/schema.js';
import { readStdinText, STDIN_NAME } from './stdin.js';

/** The spec a command reads without -f. */
export const DEFAULT_SPEC_FILE = 'slipway.yaml';
/** `-f -`: the spec comes from stdin. */
export const STDIN_PATH = '-';

export interface SpecInput {
  /** Relative paths resolve here (default: the process's). */
  cwd?: string;
  /** Where `-f -` reads; without it, `-` is refused with a hint. */
  stdin?: NodeJS.ReadableStream;
  /** The message for a missing file (default: `<path>: no such file`, code spec.missing). */
  missing?: (path: string) => UserError;
}

/**
 * The text of the spec at `path` (relative to `opts.cwd`) and the name problems give it: the path
 * as written, or `<stdin>` for `-`. A file above the size cap is refused before it is read.
 */
export async function readSpecText(
  path: string,
  opts: SpecInput = {},
): Promise<{ text: string; name: string }> {
  if (path === STDIN_PATH) {
    if (!opts.stdin) {
      throw new UserError('this command reads slipway.yaml from a file, not from stdin (-f -)', {
        code: 'spec.stdin',
        path: '--file',
        hint: 'pass -f path/to/slipway.yaml; validate and render read - as stdin',
      });
    }
    return { text: await readStdinText(opts.stdin, 'spec.too-large'), name: STDIN_NAME };
  }
  const full = opts.cwd ? resolve(opts.cwd, path) : path;
  try {
    // Synchronous: node:fs/promises would load 12 more of Node's modules at every command's start,
    // to read one small file.
    const { size } = statSync(full);
    if (size > MAX_YAML_BYTES) throw new UserErrors([tooLarge(path, size)], 'spec.too-large');
    return { text: readFileSync(full, 'utf8'), name: path };
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && opts.missing) throw opts.missing(path);
    throw new UserError(
      code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read it (${code ?? String(error)})`,
      {
        code: 'spec.missing',
        hint: code === 'ENOENT' ? 'run slipway init to write one, or pass -f <file>' : undefined,
      },
    );
  }
}

/** Reads and parses the spec at `path` (see readSpecText); problems name the path as written. */
export async function loadSpec(path: string, opts: SpecInput = {}): Promise<App> {
  const { text, name } = await readSpecText(path, opts);
  return parseSpec(text, name);
}
