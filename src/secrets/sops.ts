/**
 * The SOPS file format (getsops/sops), for flat files of named string values: the names stay
 * readable, each value is AES-256-GCM encrypted with one random data key per file, the data key is
 * age-encrypted once per recipient (`age.ts`), and a MAC over all values is stored encrypted.
 *
 * Facts followed from SOPS (`sops.go`, `aes/cipher.go`, `stores/yaml`):
 * - a value is `ENC[AES256_GCM,data:<b64>,iv:<b64>,tag:<b64>,type:str]` with a 32-byte IV and the
 *   value's tree path joined by ":" plus a trailing ":" as additional data (`NAME:` here), so a value
 *   moved to another name fails authentication;
 * - an empty string stays an empty string (SOPS does not encrypt it) and adds nothing to the MAC;
 * - keys ending in `_unencrypted` keep their values in clear, and those values are in the MAC too;
 * - the MAC is SHA-512 over every value's bytes in file order, upper-case hex, encrypted like a value
 *   with `sops.lastmodified` (RFC 3339, seconds) as the additional data.
 *
 * Pure: randomness and the clock come in as arguments; node:crypto only computes.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { Document, isMap, isScalar, parseDocument } from '#yaml';
import { UserError } from '../errors.js';

export const SOPS_VERSION = '3.9.4';
export const UNENCRYPTED_SUFFIX = '_unencrypted';
const IV_BYTES = 32;
const TAG_BYTES = 16;
const ENC = /^ENC\[AES256_GCM,data:([^,]*),iv:([^,]+),tag:([^,]+),type:(str|int|float|bool|bytes)\]$/;

/** One age recipient and the data key encrypted for it (an armored age file). */
export interface AgeStanza {
  recipient: string;
  enc: string;
}

/** A SOPS file as stored: names in order, each with its stored (usually encrypted) value. */
export interface SealedFile {
  entries: Array<[name: string, stored: string]>;
  age: AgeStanza[];
  lastmodified: string;
  mac: string;
  /** Metadata fields Slipway does not use (pgp, kms, ...), kept as they are. */
  otherMetadata: Record<string, unknown>;
}

export type Random = (bytes: number) => Uint8Array;

function formatProblem(file: string, message: string, hint?: string): UserError {
  return new UserError(`${file}: ${message}`, { code: 'secrets-format', hint });
}

/** Encrypt one value as SOPS does (`aes/cipher.go`): AES-256-GCM, 32-byte IV, path as additional data. */
export function encryptValue(
  value: string,
  dataKey: Uint8Array,
  additionalData: string,
  random: Random,
): string {
  if (value === '') return '';
  const iv = random(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(additionalData, 'utf8'));
  const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  return `ENC[AES256_GCM,data:${b64(data)},iv:${b64(iv)},tag:${b64(cipher.getAuthTag())},type:str]`;
}

export function isEncrypted(stored: string): boolean {
  return ENC.test(stored);
}

/**
 * Decrypt one stored value; the bytes are returned as text, which for int, float and bool values is
 * exactly what SOPS wrote (`strconv` forms, `True`/`False`) and so also what its MAC hashed.
 * Returns undefined when authentication fails (wrong key, or the value was moved or altered).
 */
export function decryptValue(
  stored: string,
  dataKey: Uint8Array,
  additionalData: string,
): string | undefined {
  if (stored === '') return '';
  const m = ENC.exec(stored);
  if (!m) return undefined;
  const [, data, iv, tag] = m;
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(iv!, 'base64'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(additionalData, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag!, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data!, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** SHA-512 over the plaintext values in order, upper-case hex (`fmt.Sprintf("%X", hash.Sum(nil))`). */
export function computeMac(values: readonly string[]): string {
  const hash = createHash('sha512');
  for (const v of values) hash.update(v, 'utf8');
  return hash.digest('hex').toUpperCase();
}

/** RFC 3339 at seconds precision in UTC, as Go's time.RFC3339 prints a UTC time. */
export function sopsTimestamp(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The additional data SOPS uses for the MAC: lastmodified re-printed as RFC 3339 (no fractions). */
export function macAdditionalData(lastmodified: string): string {
  return lastmodified.replace(/\.\d+(?=Z|[+-]\d\d:\d\d$)/, '');
}

export function valueAdditionalData(name: string): string {
  return `${name}:`;
}

export function isUnencryptedName(name: string): boolean {
  return name.endsWith(UNENCRYPTED_SUFFIX);
}

/** Read a SOPS YAML file. Only flat files of string-like values are Slipway secrets files. */
export function parseSealed(text: string, file: string): SealedFile {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw formatProblem(file, `not valid YAML: ${doc.errors[0]!.message}`);
  const root: unknown = doc.contents;
  if (!isMap(root)) throw formatProblem(file, 'expected a mapping of secret names to encrypted values');
  const entries: Array<[string, string]> = [];
  let sops: unknown;
  for (const pair of root.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (name === undefined) throw formatProblem(file, 'a key that is not a plain name');
    if (name === 'sops') {
      sops = pair.value;
      continue;
    }
    const value = pair.value;
    if (!isScalar(value) || (value.value !== null && typeof value.value === 'object')) {
      throw formatProblem(
        file,
        `${name}: a nested value; Slipway secrets files hold one string per name`,
        'flatten it (NAME: value) and encrypt again',
      );
    }
    entries.push([name, value.value === null ? '' : String(value.value)]);
  }
  if (!isMap(sops)) {
    throw formatProblem(
      file,
      'no sops metadata (not an encrypted file)',
      'create it with slipway secrets init',
    );
  }
  const meta = sops.toJSON() as Record<string, unknown>;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- version is rewritten on every seal
  const { age, lastmodified, mac, unencrypted_suffix, version, ...otherMetadata } = meta;
  if (unencrypted_suffix !== undefined && unencrypted_suffix !== UNENCRYPTED_SUFFIX) {
    throw formatProblem(file, `sops.unencrypted_suffix ${String(unencrypted_suffix)} is not supported`);
  }
  for (const unsupported of [
    'encrypted_regex',
    'unencrypted_regex',
    'encrypted_suffix',
    'mac_only_encrypted',
  ]) {
    if (otherMetadata[unsupported] !== undefined && otherMetadata[unsupported] !== false) {
      throw formatProblem(file, `sops.${unsupported} is not supported by Slipway`);
    }
  }
  if (!Array.isArray(age) || age.length === 0) {
    throw formatProblem(
      file,
      'sops.age lists no recipients',
      'slipway secrets recipients add AGE_PUBLIC_KEY',
    );
  }
  const stanzas = age.map((a: unknown, i) => {
    const s = a as Partial<AgeStanza> | null;
    if (typeof s?.recipient !== 'string' || typeof s.enc !== 'string') {
      throw formatProblem(file, `sops.age[${i}] needs recipient and enc`);
    }
    return { recipient: s.recipient, enc: s.enc };
  });
  if (typeof lastmodified !== 'string' || typeof mac !== 'string') {
    throw formatProblem(file, 'sops.lastmodified and sops.mac are required');
  }
  return { entries, age: stanzas, lastmodified, mac, otherMetadata };
}

/** Print a SOPS YAML file the way `sops` lays it out (values, then the `sops` block, indent 4). */
export function emitSealed(file: SealedFile): string {
  const body: Record<string, unknown> = {};
  for (const [name, stored] of file.entries) body[name] = stored;
  body.sops = {
    ...file.otherMetadata,
    age: file.age.map((a) => ({ recipient: a.recipient, enc: a.enc })),
    lastmodified: file.lastmodified,
    mac: file.mac,
    unencrypted_suffix: UNENCRYPTED_SUFFIX,
    version: SOPS_VERSION,
  };
  const doc = new Document(body);
  // Quoted as sops writes it, so no YAML reader takes it for a timestamp.
  const stamp = doc.getIn(['sops', 'lastmodified'], true);
  if (isScalar(stamp)) stamp.type = 'QUOTE_DOUBLE';
  return doc.toString({ indent: 4, lineWidth: 0, blockQuote: 'literal' });
}
