/**
 * Issue 20: `slipway deploy --verify-signatures` for users deploying by hand. What runs here: the
 * refusals before anything is applied (an image given by tag, no cosign, no repository), all exit
 * 2 naming the image or the field, and the signer identity matched against the identity the
 * rendered cd.yml verifies with. Not run here: a real `cosign verify` (Debian bookworm ships no
 * cosign, and keyless verification needs Sigstore's Fulcio/Rekor trust root).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { signerIdentity } from '../../src/cli/verify-signatures.js';
import { writeWorkflows } from '../../src/render/workflows/index.js';
import { filesOf } from '../../src/render/workflows/languages.js';
import { inputOf } from '../workflows/helpers.js';

const SPEC = `
app: shop
repository: github.com/acme/shop
registry: ghcr.io/acme
version: 1.0.0
services:
  api:
    build: { context: api }
    port: 8080
  worker:
    image: ghcr.io/acme/shop-api
    command: [./worker]
dependencies:
  cache: { type: redis }
environments:
  production: {}
`;
const DIGEST = `sha256:${'c'.repeat(64)}`;

const dir = mkdtempSync(join(tmpdir(), 'slipway-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function deploy(spec: string, env: Record<string, string>, ...args: string[]) {
  const file = join(dir, `slipway-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, spec);
  // No cluster: every refusal below happens before one would be contacted.
  const m = memoryIo({ env: { HOME: dir, KUBECONFIG: join(dir, 'none'), ...env } });
  const code = await main(
    ['node', 'slipway', 'deploy', '-f', file, '--env', 'production', '--verify-signatures', ...args],
    m.io,
  );
  return { code, err: m.stderr() };
}

describe('slipway deploy --verify-signatures', () => {
  it('refuses images given by tag, naming each: a tag can move after it is verified', async () => {
    const r = await deploy(
      SPEC,
      { SLIPWAY_COSIGN: '/nonexistent/cosign' },
      '--set-image',
      `api=ghcr.io/acme/shop-api@${DIGEST}`,
    );
    expect(r.code).toBe(2);
    // api is by digest; worker runs the same (signed) repository by tag; redis is not signed by cd.yml and not checked.
    expect(r.err).toContain('ghcr.io/acme/shop-api:1.0.0 (service worker) is not given by digest');
    expect(r.err).not.toContain('redis');
  });

  it('without cosign: exit 2, saying what to install, nothing applied', async () => {
    const r = await deploy(
      SPEC,
      { SLIPWAY_COSIGN: '/nonexistent/cosign' },
      ...[
        '--set-image',
        `api=ghcr.io/acme/shop-api@${DIGEST}`,
        '--set-image',
        `worker=ghcr.io/acme/shop-api@${DIGEST}`,
      ],
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain('--verify-signatures runs cosign, and /nonexistent/cosign was not found');
    expect(r.err).toContain('SLIPWAY_COSIGN');
  });

  it('without repository: in the spec there is no identity to verify against', async () => {
    const r = await deploy(SPEC.replace('repository: github.com/acme/shop\n', ''), {});
    expect(r.code).toBe(2);
    expect(r.err).toContain('needs the GitHub repository whose cd.yml signs the images');
  });

  it('the identity is the one the rendered cd.yml signs with, on main or a version tag, and no other', () => {
    const cd = writeWorkflows(inputOf(SPEC), { slipwayVersion: '0.1.0', files: filesOf([]) }).files.get(
      '.github/workflows/cd.yml',
    )!;
    const written = /--certificate-identity "([^"]+)"/.exec(cd)![1]!;
    const as = (repository: string, ref: string) =>
      written.replace('$GITHUB_REPOSITORY', repository).replace('$GITHUB_REF', ref);
    const identity = signerIdentity('github.com/acme/shop');
    expect(identity.issuer).toBe('https://token.actions.githubusercontent.com');
    expect(cd).toContain(`--certificate-oidc-issuer ${identity.issuer}`);
    const re = new RegExp(identity.identityRegexp);
    expect(re.test(as('acme/shop', 'refs/heads/main'))).toBe(true);
    expect(re.test(as('acme/shop', 'refs/tags/v1.4.2'))).toBe(true);
    expect(re.test(as('evil/shop', 'refs/heads/main'))).toBe(false);
    expect(re.test(as('acme/shopx', 'refs/heads/main'))).toBe(false);
    expect(re.test(as('acme/shop', 'refs/heads/feature'))).toBe(false);
    expect(re.test(as('acme/shop', 'refs/pull/1/merge'))).toBe(false);
    expect(re.test(as('acme/shop', 'refs/heads/main').replace('cd.yml', 'other.yml'))).toBe(false);
    expect(signerIdentity('https://github.com/acme/shop.git').identityRegexp).toBe(identity.identityRegexp);
  });
});
