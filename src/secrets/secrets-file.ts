/**
 * One environment's secrets file as Slipway uses it: open (decrypt and check the MAC), change, seal
 * (encrypt again, same data key unless it is rotated). Pure: the clock and randomness are passed in.
 */
import { UserError } from '../errors.js';
import { unwrapDataKey, wrapDataKey } from './age.js';
import {
  computeMac,
  decryptValue,
  emitSealed,
  encryptValue,
  isUnencryptedName,
  macAdditionalData,
  parseSealed,
  sopsTimestamp,
  valueAdditionalData,
  type AgeStanza,
  type Random,
} from './sops.js';

/** A Kubernetes Secret key that is also an environment variable name (the spec's rule for `secrets:`). */
export const SECRET_NAME = /^(?!\.\.)(?!\.$)[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export interface OpenSecrets {
  /** Names to plaintext values, in file order. */
  values: Map<string, string>;
  recipients: string[];
  dataKey: Uint8Array;
  /** Metadata kept as it was (other SOPS key types). */
  otherMetadata: Record<string, unknown>;
  /** The stanzas as they were, reused for recipients that did not change. */
  age: AgeStanza[];
}

/** Master keys of other kinds a SOPS file may carry beside age. */
const OTHER_MASTER_KEYS = ['pgp', 'kms', 'gcp_kms', 'azure_kv', 'hc_vault', 'hckms'];

export interface SealOptions {
  now: Date;
  random: Random;
}

export function checkSecretName(name: string): string {
  if (!SECRET_NAME.test(name)) {
    throw new UserError(`${JSON.stringify(name)} is not a secret name`, {
      code: 'secrets-name',
      hint: 'letters, digits, _, - and ., not starting with a digit (it becomes an environment variable)',
    });
  }
  return name;
}

/** The names and recipients, read without a key (the names are in clear). */
export function describeSecrets(text: string, file: string): { names: string[]; recipients: string[] } {
  const sealed = parseSealed(text, file);
  return { names: sealed.entries.map(([n]) => n), recipients: sealed.age.map((a) => a.recipient) };
}

export async function openSecrets(
  text: string,
  where: { file: string; environment: string },
  identities: readonly string[],
): Promise<OpenSecrets> {
  const sealed = parseSealed(text, where.file);
  const dataKey = await unwrapDataKey(sealed.age, identities);
  if (!dataKey) {
    throw new UserError(
      `environment ${where.environment}: the age key cannot open ${where.file} (it is encrypted for ${sealed.age
        .map((a) => a.recipient)
        .join(', ')})`,
      {
        code: 'secrets-wrong-key',
        hint: 'set SLIPWAY_AGE_KEY (or SLIPWAY_AGE_KEY_FILE) to the secret key of one of these recipients',
      },
    );
  }
  const values = new Map<string, string>();
  for (const [name, stored] of sealed.entries) {
    const plain = isUnencryptedName(name) ? stored : decryptValue(stored, dataKey, valueAdditionalData(name));
    if (plain === undefined) {
      throw new UserError(`environment ${where.environment}: ${where.file}: ${name} does not decrypt`, {
        code: 'secrets-corrupt',
        hint: 'the value was altered, or moved from another name or file; set it again with slipway secrets set',
      });
    }
    values.set(name, plain);
  }
  const mac = decryptValue(sealed.mac, dataKey, macAdditionalData(sealed.lastmodified));
  if (mac === undefined || mac !== computeMac([...values.values()])) {
    // Same refusal as sops (exit 51 there): the file was changed outside sops or Slipway.
    throw new UserError(`environment ${where.environment}: ${where.file}: MAC mismatch`, {
      code: 'secrets-mac',
      hint: 'the file was edited without sops or Slipway (or merged by hand); restore it from version control',
    });
  }
  return {
    values,
    recipients: sealed.age.map((a) => a.recipient),
    dataKey,
    otherMetadata: sealed.otherMetadata,
    age: sealed.age,
  };
}

/** A new, empty file for the recipients, with a fresh data key. */
export async function initSecrets(recipients: readonly string[], opts: SealOptions): Promise<string> {
  return sealSecrets(
    { values: new Map(), recipients: [...recipients], dataKey: opts.random(32), otherMetadata: {}, age: [] },
    opts,
  );
}

/** Encrypt the values again: recipients already holding this data key keep their stanza. */
export async function sealSecrets(open: OpenSecrets, opts: SealOptions): Promise<string> {
  const lastmodified = sopsTimestamp(opts.now);
  const entries: Array<[string, string]> = [...open.values].map(([name, value]) => [
    name,
    isUnencryptedName(name)
      ? value
      : encryptValue(value, open.dataKey, valueAdditionalData(name), opts.random),
  ]);
  const kept = new Map(open.age.map((a) => [a.recipient, a]));
  const fresh = await wrapDataKey(
    open.dataKey,
    open.recipients.filter((r) => !kept.has(r)),
  );
  const byRecipient = new Map([...kept, ...fresh.map((a) => [a.recipient, a] as const)]);
  const age = open.recipients.map((r) => byRecipient.get(r)!);
  const mac = encryptValue(
    computeMac([...open.values.values()]),
    open.dataKey,
    macAdditionalData(lastmodified),
    opts.random,
  );
  return emitSealed({ entries, age, lastmodified, mac, otherMetadata: open.otherMetadata });
}

/** The sops master key kinds besides age that hold a copy of the data key (Slipway cannot re-wrap those). */
export function otherMasterKeys(open: Pick<OpenSecrets, 'otherMetadata'>): string[] {
  return OTHER_MASTER_KEYS.filter(
    (k) => Array.isArray(open.otherMetadata[k]) && (open.otherMetadata[k] as unknown[]).length,
  );
}

/** Drop a recipient: a new data key, so the removed key cannot read what is written from now on. */
export function withoutRecipient(open: OpenSecrets, recipient: string, random: Random): OpenSecrets {
  if (!open.recipients.includes(recipient)) {
    throw new UserError(`${recipient} is not a recipient`, { code: 'secrets-recipient' });
  }
  const others = otherMasterKeys(open);
  if (others.length) {
    // Their copies of the data key would go stale: only sops can re-wrap it for them.
    throw new UserError(`the file also has sops ${others.join(', ')} keys, which Slipway cannot re-encrypt`, {
      code: 'secrets-recipient',
      hint: 'remove the recipient with sops updatekeys (after editing .sops.yaml), then sops -r to rotate the data key',
    });
  }
  if (open.recipients.length === 1) {
    throw new UserError('cannot remove the last recipient: nobody could open the file', {
      code: 'secrets-recipient',
      hint: 'add the new recipient first',
    });
  }
  return {
    ...open,
    recipients: open.recipients.filter((r) => r !== recipient),
    dataKey: random(32),
    age: [],
  };
}
