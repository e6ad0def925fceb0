/**
 * `slipway secrets rotate` on the file: new values for some names, and with `rekey` a new data key
 * wrapped for the file's current recipients (so a key removed with `recipients rm` opens nothing
 * written from now on). Pure: randomness is passed in; the caller seals and writes.
 */
import { UserError } from '../errors.js';
import type { Random } from './sops.js';
import { otherMasterKeys, type OpenSecrets } from './secrets-file.js';

/** Bytes of randomness in a generated value (256 bits), written base64url: no quoting needed anywhere. */
export const ROTATED_VALUE_BYTES = 32;

export function randomValue(random: Random): string {
  return Buffer.from(random(ROTATED_VALUE_BYTES)).toString('base64url');
}

export interface RotateFileRequest {
  /** Names to give a new value; each must already be in the file. */
  names: readonly string[];
  /** The value for the only name (read from stdin); otherwise each gets a random one. */
  given?: string;
  /** A new data key for the current recipients. */
  rekey?: boolean;
}

/** The opened file with the new values (and data key); `environment` and `file` name it in messages. */
export function rotateFile(
  open: OpenSecrets,
  req: RotateFileRequest,
  where: { environment: string; file: string },
  random: Random,
): OpenSecrets {
  const missing = req.names.filter((n) => !open.values.has(n));
  if (missing.length) {
    throw new UserError(
      `environment ${where.environment}: no secret ${missing.join(', ')} in ${where.file}`,
      {
        code: 'secrets-not-found',
        hint: `rotate changes existing values; add a new one with slipway secrets set NAME --env ${where.environment}`,
      },
    );
  }
  if (req.given !== undefined && req.names.length !== 1) {
    throw new UserError('a value on stdin is for exactly one NAME', {
      code: 'secrets-rotate-stdin',
      hint: 'rotate one name at a time with a given value, or several with random values (stdin empty or a terminal)',
    });
  }
  const values = new Map(open.values);
  for (const name of req.names) values.set(name, req.given ?? randomValue(random));
  if (!req.rekey) return { ...open, values };
  const others = otherMasterKeys(open);
  if (others.length) {
    throw new UserError(
      `${where.file} also has sops ${others.join(', ')} keys, which Slipway cannot re-encrypt`,
      {
        code: 'secrets-recipient',
        hint: 'rotate its data key with sops -r instead',
      },
    );
  }
  // A new data key and no stanzas kept: every recipient's copy is wrapped again, old copies are gone.
  return { ...open, values, dataKey: random(32), age: [] };
}
