import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { decryptSops } from 'sops-age';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const SAMPLE = new URL('../../examples/sample-service/slipway.yaml', import.meta.url).pathname;

let dir: string;
let alice: { identity: string; recipient: string };
let bob: { identity: string; recipient: string };

async function keyPair() {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

async function run(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) {
  const { io, stdout, stderr } = memoryIo({
    cwd: dir,
    stdin: opts.stdin,
    env: opts.env ?? { SLIPWAY_AGE_KEY: alice.identity },
  });
  const code = await main(['node', 'slipway', 'secrets', ...args], io);
  return { code, out: stdout(), err: stderr() };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-secrets-cli-'));
  copyFileSync(SAMPLE, join(dir, 'slipway.yaml'));
  alice = await keyPair();
  bob = await keyPair();
});

describe('slipway secrets', () => {
  it('init, set from stdin, get, list, rm; the file opens with sops-age', async () => {
    expect((await run(['init', '--env', 'staging', '-r', alice.recipient, '-r', bob.recipient])).code).toBe(
      0,
    );
    expect((await run(['init', '--env', 'staging', '-r', alice.recipient])).code).toBe(2);
    const set = await run(['set', 'API_TOKEN', '--env', 'staging'], { stdin: 'tok-81f2\n' });
    expect(set).toMatchObject({ code: 0 });
    expect(set.out + set.err).not.toContain('tok-81f2');
    await run(['set', 'DB_PASSWORD', '--env', 'staging'], { stdin: 'hunter2' });
    expect((await run(['get', 'API_TOKEN', '--env', 'staging'])).out).toBe('tok-81f2\n');
    // Bob, the other recipient, reads it too.
    expect(
      (await run(['get', 'DB_PASSWORD', '--env', 'staging'], { env: { SLIPWAY_AGE_KEY: bob.identity } })).out,
    ).toBe('hunter2\n');
    // No key needed to list the names.
    const list = await run(['list', '--env', 'staging', '-o', 'json'], { env: {} });
    expect(JSON.parse(list.out)).toMatchObject({
      names: ['API_TOKEN', 'DB_PASSWORD'],
      recipients: [alice.recipient, bob.recipient],
      file: 'secrets/staging.yaml',
    });
    const text = readFileSync(join(dir, 'secrets/staging.yaml'), 'utf8');
    expect(await decryptSops(text, { fileType: 'yaml', secretKey: bob.identity })).toEqual({
      API_TOKEN: 'tok-81f2',
      DB_PASSWORD: 'hunter2',
    });
    expect((await run(['rm', 'API_TOKEN', '--env', 'staging'])).code).toBe(0);
    expect((await run(['list', '--env', 'staging'])).out).toBe('DB_PASSWORD\n');
    // Only the file itself is left in secrets/: the atomic writes left no temporary files.
    expect(readdirSync(join(dir, 'secrets'))).toEqual(['staging.yaml']);
  });

  it('refuses bad input with exit 2 and never echoes a value', async () => {
    await run(['init', '--env', 'dev', '-r', alice.recipient]);
    await run(['set', 'TOKEN', '--env', 'dev'], { stdin: 'value-7c1e' });
    const cases: Array<[string[], RegExp, Record<string, string>?]> = [
      [['set', '1BAD', '--env', 'dev'], /not a secret name/],
      [['set', 'X', '--env', 'nowhere'], /no environment nowhere/],
      [['init', '--env', 'production'], /at least one --recipient/],
      [['init', '--env', 'production', '-r', 'age1nope'], /not an age public key/],
      [['get', 'TOKEN', '--env', 'dev'], /no age key: set SLIPWAY_AGE_KEY/, {}],
      [
        ['get', 'TOKEN', '--env', 'dev'],
        /environment dev: the age key cannot open secrets\/dev.yaml/,
        { SLIPWAY_AGE_KEY: bob.identity },
      ],
      [
        ['get', 'TOKEN', '--env', 'dev'],
        /SLIPWAY_AGE_KEY: line 1 is not an age secret key/,
        { SLIPWAY_AGE_KEY: 'AGE-SECRET-KEY-1XYZ' },
      ],
      [
        ['get', 'TOKEN', '--env', 'dev'],
        /age secret key 1 of the given ones is not valid/,
        { SLIPWAY_AGE_KEY: 'AGE-SECRET-KEY-1' + 'Q'.repeat(58) },
      ],
      [['get', 'MISSING', '--env', 'dev'], /no secret MISSING/],
      [['get', 'TOKEN', '--env', 'staging'], /no secret TOKEN/],
      [['set', 'EMPTY', '--env', 'dev'], /no value for EMPTY on stdin/],
      [['list', '--env', 'production'], /secrets\/production.yaml: no such file/],
    ];
    for (const [args, message, env] of cases) {
      const r = await run(args, { stdin: '', env: env ?? { SLIPWAY_AGE_KEY: alice.identity } });
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.err).toMatch(message);
      expect(r.out + r.err).not.toContain('value-7c1e');
    }
    // A value changed by hand breaks the MAC, as with sops.
    const path = join(dir, 'secrets/dev.yaml');
    const good = readFileSync(path, 'utf8');
    writeFileSync(path, good.replace(/^TOKEN: .*$/m, 'TOKEN: plain'));
    expect((await run(['get', 'TOKEN', '--env', 'dev'])).err).toMatch(/TOKEN does not decrypt/);
    writeFileSync(path, `EXTRA_unencrypted: x\n${good}`);
    expect((await run(['get', 'TOKEN', '--env', 'dev'])).err).toMatch(/MAC mismatch/);
    writeFileSync(path, good);
  });

  it('edit: a 0600 temp file, re-encrypted after $EDITOR, removed even when the editor fails', async () => {
    await run(['init', '--env', 'production', '-r', alice.recipient]);
    await run(['set', 'A', '--env', 'production'], { stdin: 'first' });
    const log = join(dir, 'editor.log');
    const editor = join(dir, 'editor.sh');
    // Records the file's path and mode, then changes A and adds B.
    writeFileSync(
      editor,
      `#!/bin/sh\nstat -c '%a %n' "$1" > ${log}\nprintf 'A: second\\nB: "third value"\\n' > "$1"\n`,
      { mode: 0o755 },
    );
    const env = { SLIPWAY_AGE_KEY: alice.identity, EDITOR: editor };
    expect((await run(['edit', '--env', 'production'], { env })).code).toBe(0);
    const [mode, tempFile] = readFileSync(log, 'utf8').trim().split(' ');
    expect(mode).toBe('600');
    expect(existsSync(tempFile!)).toBe(false);
    expect((await run(['get', 'A', '--env', 'production'])).out).toBe('second\n');
    expect((await run(['get', 'B', '--env', 'production'])).out).toBe('third value\n');

    writeFileSync(editor, `#!/bin/sh\necho "$1" > ${log}\necho 'A: lost' > "$1"\nexit 3\n`, { mode: 0o755 });
    const failed = await run(['edit', '--env', 'production'], { env });
    expect(failed.code).toBe(2);
    expect(failed.err).toMatch(/exited with 3; nothing was saved/);
    expect(existsSync(readFileSync(log, 'utf8').trim())).toBe(false);
    expect((await run(['get', 'A', '--env', 'production'])).out).toBe('second\n');
  });

  it('recipients add and rm', async () => {
    const carol = await keyPair();
    expect((await run(['recipients', 'add', carol.recipient, '--env', 'production'])).code).toBe(0);
    expect(
      (await run(['get', 'A', '--env', 'production'], { env: { SLIPWAY_AGE_KEY: carol.identity } })).out,
    ).toBe('second\n');
    expect((await run(['recipients', 'rm', carol.recipient, '--env', 'production'])).code).toBe(0);
    expect(
      (await run(['get', 'A', '--env', 'production'], { env: { SLIPWAY_AGE_KEY: carol.identity } })).code,
    ).toBe(2);
    expect((await run(['recipients', 'rm', alice.recipient, '--env', 'production'])).err).toMatch(
      /last recipient/,
    );
  });
});

describe('slipway render --include-secrets', () => {
  it('writes the Secrets and the checksum only when asked; refuses formats without a place for them', async () => {
    const spec = readFileSync(SAMPLE, 'utf8').replace(
      '    terminationGracePeriod: 20s\n',
      '    terminationGracePeriod: 20s\n    secrets: [API_TOKEN]\n',
    );
    dir = mkdtempSync(join(tmpdir(), 'slipway-secrets-render-'));
    writeFileSync(join(dir, 'slipway.yaml'), spec);
    await run(['init', '--env', 'dev', '-r', alice.recipient]);
    await run(['set', 'API_TOKEN', '--env', 'dev'], { stdin: 'render-value-42' });
    const render = async (
      args: string[],
      env: Record<string, string> = { SLIPWAY_AGE_KEY: alice.identity },
    ) => {
      const { io, stdout, stderr } = memoryIo({ cwd: dir, env });
      const code = await main(['node', 'slipway', 'render', '--env', 'dev', ...args], io);
      return { code, out: stdout(), err: stderr() };
    };
    const plain = await render([], {});
    expect(plain.code).toBe(0);
    expect(plain.out).not.toMatch(/kind: Secret|secrets-checksum/);
    const withSecrets = await render(['--include-secrets']);
    expect(withSecrets.code).toBe(0);
    expect(withSecrets.out).toContain('kind: Secret');
    expect(withSecrets.out).toContain(`API_TOKEN: ${Buffer.from('render-value-42').toString('base64')}`);
    // Quoted by the YAML writer only when the hex could read as a number.
    expect(withSecrets.out).toMatch(/slipway.dev\/secrets-checksum: "?[0-9a-f]{64}"?\n/);
    const helm = await render(['--include-secrets', '--format', 'helm', '--out', join(dir, 'chart')]);
    expect(helm.code).toBe(2);
    expect(helm.err).toMatch(/--format helm has no place for them/);
    const noFile = await render(['--include-secrets', '--env', 'staging']);
    expect(noFile.code).toBe(2);
    expect(noFile.err).toMatch(/environment staging has no secrets to write/);
  });
});
