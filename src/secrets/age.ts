/**
 * The data key, age-encrypted once per recipient, as SOPS stores it under `sops.age`: each `enc` is
 * an ASCII-armored age file (one recipient each) whose plaintext is the raw 32-byte data key.
 * age itself is the `age-encryption` library (the reference TypeScript implementation), imported
 * when a key is first wrapped or unwrapped: with its post-quantum and curve modules it costs about
 * 170 ms of CPU to load, which a deploy of a spec without secrets should not pay.
 */
import { UserError } from '../errors.js';
import type { AgeStanza } from './sops.js';

const ageLibrary = () => import('age-encryption');

const RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;
const IDENTITY = /^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/;

/** An age X25519 public key (`age1…`), or a clear refusal naming the bad one. */
export function checkRecipient(recipient: string): string {
  const key = recipient.trim();
  if (!RECIPIENT.test(key)) {
    throw new UserError(`not an age public key: ${JSON.stringify(key.slice(0, 16))}…`, {
      code: 'secrets-recipient',
      hint: 'an age recipient starts with age1 and has 62 characters (age-keygen -y KEYFILE prints it)',
    });
  }
  return key;
}

/**
 * The age identities in a key text (SLIPWAY_AGE_KEY or the file SLIPWAY_AGE_KEY_FILE names):
 * `AGE-SECRET-KEY-1…` lines; `#` comments and blank lines are skipped, as in age-keygen's files.
 */
export function parseIdentities(text: string, source: string): string[] {
  const identities: string[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!IDENTITY.test(line)) {
      // Never echo the line: it may be a key with a typo.
      throw new UserError(`${source}: line ${i + 1} is not an age secret key`, {
        code: 'secrets-key',
        hint: 'expected AGE-SECRET-KEY-1… lines as age-keygen writes them',
      });
    }
    identities.push(line);
  }
  if (identities.length === 0) {
    throw new UserError(`${source}: no age secret key in it`, { code: 'secrets-key' });
  }
  return identities;
}

export async function recipientOf(identity: string): Promise<string> {
  const { identityToRecipient } = await ageLibrary();
  return identityToRecipient(identity);
}

/** The data key encrypted for each recipient, one armored age file per recipient (SOPS's layout). */
export async function wrapDataKey(dataKey: Uint8Array, recipients: readonly string[]): Promise<AgeStanza[]> {
  const { Encrypter, armor } = await ageLibrary();
  return Promise.all(
    recipients.map(async (recipient) => {
      const e = new Encrypter();
      e.addRecipient(checkRecipient(recipient));
      return { recipient, enc: armor.encode(await e.encrypt(dataKey)) };
    }),
  );
}

/**
 * The data key from the first stanza one of the identities opens, or undefined when none does (a
 * wrong key). Stanzas for the identities' own recipients are tried first.
 */
export async function unwrapDataKey(
  stanzas: readonly AgeStanza[],
  identities: readonly string[],
): Promise<Uint8Array | undefined> {
  const own = new Set(
    await Promise.all(
      identities.map((identity, i) =>
        recipientOf(identity).catch(() => {
          throw new UserError(
            `age secret key ${i + 1} of the given ones is not valid (its checksum does not match)`,
            {
              code: 'secrets-key',
              hint: 'copy the AGE-SECRET-KEY-1… line again from the key file',
            },
          );
        }),
      ),
    ),
  );
  const { Decrypter, armor } = await ageLibrary();
  const ordered = [...stanzas].sort((a, b) => Number(own.has(b.recipient)) - Number(own.has(a.recipient)));
  for (const stanza of ordered) {
    const d = new Decrypter();
    for (const identity of identities) d.addIdentity(identity);
    try {
      const key = await d.decrypt(armor.decode(stanza.enc));
      if (key.length === 32) return key;
    } catch {
      // Not for these identities (or damaged): try the next stanza.
    }
  }
  return undefined;
}
