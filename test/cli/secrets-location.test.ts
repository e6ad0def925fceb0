/**
 * `secrets.file` in the spec names each environment's file (default secrets/{env}.yaml): the
 * secrets commands and the deploy both use it; a bad pattern is refused at its line; an external
 * `secrets.store` has no file, and the file commands say so.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDeploySecrets } from '../../src/cli/deploy-secrets.js';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { parseSpec } from '../../src/spec/parse.js';
import { resolveEnvironment } from '../../src/spec/resolve.js';

const SAMPLE = new URL('../../examples/sample-service/slipway.yaml', import.meta.url).pathname;
let dir: string;
let key: string;

async function run(args: string[], spec: string, stdin?: string) {
  writeFileSync(join(dir, 'slipway.yaml'), spec);
  const { io, stdout, stderr } = memoryIo({ cwd: dir, stdin, env: { SLIPWAY_AGE_KEY: key } });
  const code = await main(['node', 'slipway', ...args], io);
  return { code, out: stdout(), err: stderr() };
}

const withSecrets = (block: string) =>
  readFileSync(SAMPLE, 'utf8').replace(
    '    terminationGracePeriod: 20s\n',
    '    terminationGracePeriod: 20s\n    secrets: [API_TOKEN]\n',
  ) + block;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-secrets-location-'));
  key = await generateX25519Identity();
});

describe('secrets.file', () => {
  it('is where init, set and the deploy find the file', async () => {
    const spec = withSecrets('secrets:\n  file: config/{env}.secrets.yaml\n');
    const recipient = await identityToRecipient(key);
    expect((await run(['secrets', 'init', '--env', 'dev', '-r', recipient], spec)).out).toBe(
      'created config/dev.secrets.yaml for 1 recipient(s)\n',
    );
    expect((await run(['secrets', 'set', 'API_TOKEN', '--env', 'dev'], spec, 'tok-9')).code).toBe(0);
    expect(existsSync(join(dir, 'secrets'))).toBe(false);
    const app = resolveEnvironment(parseSpec(spec, join(dir, 'slipway.yaml')), 'dev');
    const { io } = memoryIo({ cwd: dir, env: { SLIPWAY_AGE_KEY: key } });
    const opened = await openDeploySecrets(app, join(dir, 'slipway.yaml'), io);
    expect(opened?.objects.map((o) => o.metadata.name)).toEqual(['sample-web-secrets']);
  });

  it('refuses a pattern without {env} or leaving the folder, at its line', async () => {
    for (const file of ['secrets.yaml', '../{env}.yaml']) {
      const r = await run(['validate', '-f', 'slipway.yaml'], withSecrets(`secrets:\n  file: ${file}\n`));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/slipway\.yaml:\d+:\d+.*secrets\.file/);
    }
  });

  it('an external store has no file: the file commands refuse, the deploy opens none', async () => {
    const spec = withSecrets(
      'secrets:\n  store: vault\n  vault: { server: "https://vault.example.com:8200" }\n',
    );
    const r = await run(['secrets', 'set', 'API_TOKEN', '--env', 'dev'], spec, 'x');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/environment dev: secrets.store is vault: the values live there, not in a file/);
    const app = resolveEnvironment(parseSpec(spec, join(dir, 'slipway.yaml')), 'dev');
    const { io } = memoryIo({ cwd: dir, env: {} });
    expect(await openDeploySecrets(app, join(dir, 'slipway.yaml'), io)).toBeUndefined();
    const missing = await run(['validate', '-f', 'slipway.yaml'], withSecrets('secrets:\n  store: aws\n'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/store aws needs secrets.aws/);
  });
});
