import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { decryptSops } from 'sops-age';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import {
  describeSecrets,
  initSecrets,
  openSecrets,
  sealSecrets,
  withoutRecipient,
} from '../../src/secrets/secrets-file.js';
import { computeMac, encryptValue, parseSealed } from '../../src/secrets/sops.js';

const now = new Date('2026-12-06T11:50:07.123Z');
const opts = { now, random: (n: number) => new Uint8Array(randomBytes(n)) };
const where = { file: 'secrets/prod.yaml', environment: 'prod' };

async function keyPair() {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

async function fileWith(values: Record<string, string>, recipients: string[], identity: string) {
  const empty = await initSecrets(recipients, opts);
  const open = await openSecrets(empty, where, [identity]);
  for (const [k, v] of Object.entries(values)) open.values.set(k, v);
  return sealSecrets(open, opts);
}

const hasAge = spawnSync('age', ['--version']).status === 0;

describe('the SOPS file Slipway writes', () => {
  it('keeps names readable, encrypts each value, and carries SOPS metadata', async () => {
    const { identity, recipient } = await keyPair();
    const text = await fileWith({ API_TOKEN: 'tok-3f9a', DB_PASSWORD: 'p@ss word' }, [recipient], identity);
    const doc = parse(text) as Record<string, unknown> & { sops: Record<string, unknown> };
    expect(Object.keys(doc)).toEqual(['API_TOKEN', 'DB_PASSWORD', 'sops']);
    expect(doc.API_TOKEN).toMatch(/^ENC\[AES256_GCM,data:[^,]+,iv:[^,]+,tag:[^,]+,type:str\]$/);
    // SOPS's 32-byte IV and 16-byte tag.
    expect(Buffer.from(/iv:([^,]+)/.exec(doc.API_TOKEN as string)![1]!, 'base64')).toHaveLength(32);
    expect(Buffer.from(/tag:([^,]+)/.exec(doc.API_TOKEN as string)![1]!, 'base64')).toHaveLength(16);
    expect(doc.sops.lastmodified).toBe('2026-12-06T11:50:07Z');
    expect(doc.sops.unencrypted_suffix).toBe('_unencrypted');
    expect(doc.sops.mac).toMatch(/^ENC\[AES256_GCM,/);
    expect(text).not.toContain('tok-3f9a');
    expect(text).not.toContain('p@ss word');
    const back = await openSecrets(text, where, [identity]);
    expect(Object.fromEntries(back.values)).toEqual({ API_TOKEN: 'tok-3f9a', DB_PASSWORD: 'p@ss word' });
  });

  it('is decrypted by the independent sops-age decoder', async () => {
    const a = await keyPair();
    const b = await keyPair();
    const values = { API_TOKEN: 'tok-3f9a', DISCORD_TOKEN: 'x'.repeat(300), EMPTY: '', 'with.dot': 'ü ✓' };
    const text = await fileWith(values, [a.recipient, b.recipient], a.identity);
    for (const who of [a, b]) {
      expect(await decryptSops(text, { fileType: 'yaml', secretKey: who.identity })).toEqual(values);
    }
  });

  it.skipIf(!hasAge && process.env.CI !== 'true')(
    'opens with the age CLI: each stanza is the data key',
    async () => {
      const { identity, recipient } = await keyPair();
      const text = await fileWith({ A: 'one' }, [recipient], identity);
      const dir = mkdtempSync(join(tmpdir(), 'slipway-age-'));
      writeFileSync(join(dir, 'key.txt'), `${identity}\n`, { mode: 0o600 });
      const stanza = parseSealed(text, 'f').age[0]!.enc;
      const dataKey = execFileSync('age', ['-d', '-i', join(dir, 'key.txt')], { input: stanza });
      expect(dataKey).toHaveLength(32);
      expect(Buffer.compare(dataKey, Buffer.from((await openSecrets(text, where, [identity])).dataKey))).toBe(
        0,
      );
    },
  );

  it.skipIf(!hasAge && process.env.CI !== 'true')(
    'reads a file whose data key the age CLI encrypted',
    async () => {
      const { identity, recipient } = await keyPair();
      const dataKey = randomBytes(32);
      const enc = execFileSync('age', ['-a', '-r', recipient], { input: dataKey }).toString();
      const lastmodified = '2026-12-06T10:00:00Z';
      // The file a `sops` user would have: a value and the MAC under the data key age wrapped.
      const text = [
        `TOKEN: ${encryptValue('from-age-cli', dataKey, 'TOKEN:', opts.random)}`,
        `PORT_unencrypted: "8080"`,
        'sops:',
        '    age:',
        `        - recipient: ${recipient}`,
        '          enc: |',
        ...enc
          .trimEnd()
          .split('\n')
          .map((l) => `            ${l}`),
        `    lastmodified: "${lastmodified}"`,
        `    mac: ${encryptValue(computeMac(['from-age-cli', '8080']), dataKey, lastmodified, opts.random)}`,
        '    unencrypted_suffix: _unencrypted',
        '    version: 3.9.4',
        '',
      ].join('\n');
      const open = await openSecrets(text, where, [identity]);
      expect(Object.fromEntries(open.values)).toEqual({ TOKEN: 'from-age-cli', PORT_unencrypted: '8080' });
    },
  );
});

describe('refusals', () => {
  it('a wrong key names the environment and the recipients, not a value', async () => {
    const a = await keyPair();
    const other = await keyPair();
    const text = await fileWith({ A: 'secret-value-1' }, [a.recipient], a.identity);
    const error = await openSecrets(text, where, [other.identity]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('environment prod');
    expect((error as UserError).message).toContain(a.recipient);
    expect((error as UserError).exitCode).toBe(2);
  });

  it('a value moved to another name fails authentication; an edited value breaks the MAC', async () => {
    const a = await keyPair();
    const text = await fileWith({ A: 'aaa', B: 'bbb' }, [a.recipient], a.identity);
    const doc = parse(text) as Record<string, string>;
    const swapped = text.replace(doc.A!, '@@').replace(doc.B!, doc.A!).replace('@@', doc.B!);
    await expect(openSecrets(swapped, where, [a.identity])).rejects.toThrow(/A does not decrypt/);
    const dropped = text.replace(/^B: .*\n/m, '');
    await expect(openSecrets(dropped, where, [a.identity])).rejects.toThrow(/MAC mismatch/);
  });

  it('removing a recipient rotates the data key; the removed key no longer opens the file', async () => {
    const a = await keyPair();
    const b = await keyPair();
    const text = await fileWith({ A: 'aaa' }, [a.recipient, b.recipient], a.identity);
    const open = await openSecrets(text, where, [a.identity]);
    const next = await sealSecrets(withoutRecipient(open, b.recipient, opts.random), opts);
    expect(describeSecrets(next, 'f').recipients).toEqual([a.recipient]);
    await expect(openSecrets(next, where, [b.identity])).rejects.toThrow(/cannot open/);
    expect(
      Buffer.compare(
        Buffer.from((await openSecrets(next, where, [a.identity])).dataKey),
        Buffer.from(open.dataKey),
      ),
    ).not.toBe(0);
  });
});

describe('files sops wrote with other key kinds', () => {
  it('keeps their metadata when a value changes, and refuses to rotate the data key under them', async () => {
    const a = await keyPair();
    const b = await keyPair();
    const base = await fileWith({ A: 'aaa' }, [a.recipient, b.recipient], a.identity);
    const pgp = '    pgp:\n        - fp: 85D77543B3D624B63CEA9E6DBC17301B491B3F21\n          enc: stale\n';
    const withPgp = base.replace('sops:\n', `sops:\n${pgp}`);
    const open = await openSecrets(withPgp, where, [a.identity]);
    open.values.set('B', 'bbb');
    const next = await sealSecrets(open, opts);
    expect(next).toContain('85D77543B3D624B63CEA9E6DBC17301B491B3F21');
    expect(() => withoutRecipient(open, b.recipient, opts.random)).toThrow(
      /sops pgp keys, which Slipway cannot re-encrypt/,
    );
  });
});

describe('the hidden prompt', () => {
  it('reads to Enter, honours backspace, and echoes nothing of the value', async () => {
    const { readHidden } = await import('../../src/cli/commands/secrets-prompt.js');
    const { PassThrough } = await import('node:stream');
    const stdin = Object.assign(new PassThrough(), {
      raw: [] as boolean[],
      setRawMode(r: boolean) {
        this.raw.push(r);
      },
    });
    const written: string[] = [];
    const value = readHidden(stdin, (t) => written.push(t), 'value for X: ');
    stdin.write('s3cr');
    stdin.write('x\u007fet\r');
    expect(await value).toBe('s3cret');
    expect(written.join('')).toBe('value for X: \n');
    expect(stdin.raw).toEqual([true, false]);
  });
});
