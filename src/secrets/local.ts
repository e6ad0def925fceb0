/**
 * The secrets files and the age key on this machine: where the file for an environment lives,
 * reading it, writing it atomically, and the key from SLIPWAY_AGE_KEY / SLIPWAY_AGE_KEY_FILE.
 * The one file of src/secrets that touches the file system; the CLI uses it, the engine does not.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { parseIdentities } from './age.js';
import type { SealOptions } from './secrets-file.js';

export const KEY_ENV = 'SLIPWAY_AGE_KEY';
export const KEY_FILE_ENV = 'SLIPWAY_AGE_KEY_FILE';

export interface SecretsLocation {
  /** Absolute path. */
  path: string;
  /** As messages show it: relative to the working directory. */
  display: string;
  environment: string;
}

export const DEFAULT_SECRETS_FILE = 'secrets/{env}.yaml';

/** The environment's file: the spec's `secrets.file` (default `secrets/{env}.yaml`) in the spec's folder. */
export function secretsLocation(
  cwd: string,
  specFile: string,
  environment: string,
  pattern: string = DEFAULT_SECRETS_FILE,
): SecretsLocation {
  const path = resolve(cwd, dirname(specFile), pattern.replaceAll('{env}', environment));
  return { path, display: relative(cwd, path) || path, environment };
}

export async function readSecretsText(where: SecretsLocation): Promise<string> {
  try {
    return await readFile(where.path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(`environment ${where.environment}: ${where.display}: no such file`, {
        code: 'secrets-missing-file',
        hint: `create it: slipway secrets init --env ${where.environment} --recipient AGE_PUBLIC_KEY`,
      });
    }
    throw error;
  }
}

/** Write next to the target and rename over it, so a reader sees the old file or the new one. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { mode: 0o644, flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The age identities from SLIPWAY_AGE_KEY (the key text) or SLIPWAY_AGE_KEY_FILE (a key file). */
export async function ageIdentities(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<string[]> {
  const inline = env[KEY_ENV];
  if (inline !== undefined && inline.trim() !== '') return parseIdentities(inline, KEY_ENV);
  const file = env[KEY_FILE_ENV];
  if (file !== undefined && file.trim() !== '') {
    let text: string;
    try {
      text = await readFile(resolve(cwd, file), 'utf8');
    } catch (error) {
      throw new UserError(
        `${KEY_FILE_ENV}=${file}: cannot read it (${(error as NodeJS.ErrnoException).code})`,
        {
          code: 'secrets-key',
        },
      );
    }
    return parseIdentities(text, file);
  }
  throw new UserError(`no age key: set ${KEY_ENV} or ${KEY_FILE_ENV}`, {
    code: 'secrets-no-key',
    hint: `${KEY_FILE_ENV}=~/.config/sops/age/keys.txt, or ${KEY_ENV} from your CI's environment secret`,
  });
}

export function sealOptions(): SealOptions {
  return { now: new Date(), random: (n) => new Uint8Array(randomBytes(n)) };
}
