/**
 * `slipway secrets rotate --no-deploy`: the file part of a rotation (no cluster). Random and given
 * values, refusals that leave the file byte for byte as it was, and `--rekey` judged by the Debian
 * `age` CLI: after `recipients rm`, the removed key opens no stanza of the re-encrypted file.
 * (The deploying rotation is in test/e2e/secrets-leak.test.ts and secrets-rotate-db.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { decryptSops } from 'sops-age';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { parseSealed } from '../../src/secrets/sops.js';

const SAMPLE = new URL('../../examples/sample-service/slipway.yaml', import.meta.url).pathname;
const hasAge = spawnSync('age', ['--version']).status === 0;

let dir: string;
let alice: { identity: string; recipient: string };
let bob: { identity: string; recipient: string };
const file = () => join(dir, 'secrets/dev.yaml');

async function keyPair() {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

async function run(args: string[], opts: { stdin?: string; key?: string } = {}) {
  const { io, stdout, stderr } = memoryIo({
    cwd: dir,
    stdin: opts.stdin,
    env: { SLIPWAY_AGE_KEY: opts.key ?? alice.identity },
  });
  const code = await main(['node', 'slipway', 'secrets', ...args], io);
  return { code, out: stdout(), err: stderr() };
}

async function values(): Promise<Record<string, string>> {
  return (await decryptSops(readFileSync(file(), 'utf8'), {
    fileType: 'yaml',
    secretKey: alice.identity,
  })) as Record<string, string>;
}

/** The data key each stanza yields to the age CLI with this identity (undefined: it cannot open it). */
function ageOpens(text: string, identity: string): Array<string | undefined> {
  const keyFile = join(dir, `key-${identity.slice(-8)}.txt`);
  writeFileSync(keyFile, `${identity}\n`, { mode: 0o600 });
  return parseSealed(text, 'f').age.map((stanza) => {
    const r = spawnSync('age', ['-d', '-i', keyFile], { input: stanza.enc });
    return r.status === 0 ? r.stdout.toString('hex') : undefined;
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-secrets-rotate-'));
  writeFileSync(
    join(dir, 'slipway.yaml'),
    `${readFileSync(SAMPLE, 'utf8')}dependencies:\n  db: { type: postgres }\n`,
  );
  alice = await keyPair();
  bob = await keyPair();
  expect((await run(['init', '--env', 'dev', '-r', alice.recipient, '-r', bob.recipient])).code).toBe(0);
  for (const [name, value] of [
    ['API_TOKEN', 'tok-1'],
    ['SESSION_KEY', 'ses-1'],
    ['OTHER', 'keep-me'],
  ])
    expect((await run(['set', name!, '--env', 'dev'], { stdin: value })).code).toBe(0);
});

describe('slipway secrets rotate --no-deploy', () => {
  it('draws random values for the names, keeps the others, prints no value', async () => {
    const r = await run(['rotate', 'API_TOKEN', 'SESSION_KEY', '--env', 'dev', '--no-deploy']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^rotated API_TOKEN, SESSION_KEY in secrets\/dev.yaml; not deployed/);
    const v = await values();
    expect(v.API_TOKEN).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(v.SESSION_KEY).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(v.API_TOKEN).not.toBe(v.SESSION_KEY);
    expect(v.OTHER).toBe('keep-me');
    expect(r.out + r.err).not.toContain(v.API_TOKEN);
    expect(readdirSync(join(dir, 'secrets'))).toEqual(['dev.yaml']);
  });

  it('--output json says what was rotated and that nothing was deployed', async () => {
    const r = await run(['rotate', 'SESSION_KEY', '--env', 'dev', '--no-deploy', '-o', 'json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      environment: 'dev',
      file: 'secrets/dev.yaml',
      rotated: ['SESSION_KEY'],
      rekey: false,
      deployed: false,
    });
  });

  it('takes the one NAME’s value from stdin', async () => {
    const r = await run(['rotate', 'API_TOKEN', '--env', 'dev', '--no-deploy'], { stdin: 'tok-given\n' });
    expect(r.code, r.err).toBe(0);
    expect((await values()).API_TOKEN).toBe('tok-given');
    expect(r.out + r.err).not.toContain('tok-given');
  });

  it('refuses with exit 2 and leaves the file as it was', async () => {
    const before = readFileSync(file(), 'utf8');
    const cases: Array<[string[], RegExp, string?]> = [
      [['rotate', '--env', 'dev', '--no-deploy'], /name what to rotate[\s\S]*a dependency: db/],
      [
        ['rotate', 'NOPE', '--env', 'dev', '--no-deploy'],
        /environment dev: no secret NOPE in secrets\/dev.yaml/,
      ],
      [['rotate', 'db', '--env', 'dev', '--no-deploy'], /db: a dependency's password lives in the cluster/],
      [['rotate', 'API_TOKEN', '--env', 'nowhere', '--no-deploy'], /nowhere/],
    ];
    for (const [args, message, stdin] of cases) {
      const r = await run(args, { stdin });
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    expect(readFileSync(file(), 'utf8')).toBe(before);
  });

  it.skipIf(!hasAge && process.env.CI !== 'true')(
    '--rekey: a new data key for the current recipients; the removed key opens nothing (age CLI)',
    async () => {
      const before = readFileSync(file(), 'utf8');
      const [aliceKey, bobKey] = [ageOpens(before, alice.identity)[0], ageOpens(before, bob.identity)[1]];
      expect(aliceKey).toMatch(/^[0-9a-f]{64}$/);
      expect(bobKey).toBe(aliceKey);
      expect((await run(['recipients', 'rm', bob.recipient, '--env', 'dev'])).code).toBe(0);
      const r = await run(['rotate', '--rekey', 'SESSION_KEY', '--env', 'dev', '--no-deploy']);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/^rotated SESSION_KEY and re-encrypted in secrets\/dev.yaml/);
      const after = readFileSync(file(), 'utf8');
      expect(parseSealed(after, 'f').age.map((a) => a.recipient)).toEqual([alice.recipient]);
      expect(ageOpens(after, bob.identity)).toEqual([undefined]);
      const [next] = ageOpens(after, alice.identity);
      expect(next).toMatch(/^[0-9a-f]{64}$/);
      expect(next).not.toBe(aliceKey);
      expect((await values()).OTHER).toBe('keep-me');
      // Bob's key fails through Slipway too, naming the environment.
      const bobs = await run(['get', 'OTHER', '--env', 'dev'], { key: bob.identity });
      expect(bobs.code).toBe(2);
      expect(bobs.err).toMatch(/environment dev: the age key cannot open/);
      // --rekey alone re-encrypts without changing a value.
      const values1 = await values();
      expect((await run(['rotate', '--rekey', '--env', 'dev', '--no-deploy'])).code).toBe(0);
      expect(await values()).toEqual(values1);
      expect(ageOpens(readFileSync(file(), 'utf8'), alice.identity)[0]).not.toBe(next);
    },
  );
});
