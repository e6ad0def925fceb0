import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import {
  builtImages,
  githubRepository,
  signaturePolicies,
  signingIdentity,
} from '../../src/policy/admission/signatures.js';
import { writeWorkflows } from '../../src/render/workflows/index.js';
import { filesOf } from '../../src/render/workflows/languages.js';
import { examplesDir, inputOfFile } from '../workflows/helpers.js';
import { compileCrdSchema, loadCrdSchema, schemaErrors } from './crd-schema.js';

const SPEC = join(examplesDir, 'api-web-db-redis-kafka', 'slipway.yaml');

interface Step {
  run?: string;
  env?: Record<string, string>;
}

/** The rendered cd.yml: its push triggers, the identity its verify steps check, the images it builds. */
function renderedCd() {
  const input = inputOfFile(SPEC);
  const text = writeWorkflows(input, { slipwayVersion: '0.1.0', files: filesOf([]) }).files.get(
    '.github/workflows/cd.yml',
  )!;
  const cd = parse(text) as {
    on: { push: { branches: string[]; tags: string[] } };
    jobs: Record<string, { steps?: Step[] }>;
  };
  const runs = Object.values(cd.jobs).flatMap((j) => (j.steps ?? []).flatMap((s) => (s.run ? [s.run] : [])));
  const verify = runs.find((r) => r.includes('cosign verify'))!;
  const images = Object.values(cd.jobs).flatMap((j) =>
    (j.steps ?? []).flatMap((s) => (s.run?.includes('cosign sign') && s.env?.IMAGE ? [s.env.IMAGE] : [])),
  );
  return {
    spec: input.spec,
    branches: cd.on.push.branches,
    tags: cd.on.push.tags,
    issuer: /--certificate-oidc-issuer (\S+)/.exec(verify)![1]!,
    identityTemplate: /--certificate-identity "([^"]+)"/.exec(verify)![1]!,
    signedImages: [...new Set(images)].sort(),
  };
}

describe("only images the app's own pipeline signed", () => {
  const cd = renderedCd();
  const repository = githubRepository(cd.spec.repository!)!;
  const identity = signingIdentity(repository);
  const subjectAt = (ref: string, repo = repository) =>
    cd.identityTemplate.replace('$GITHUB_REPOSITORY', repo).replace('$GITHUB_REF', ref);

  it('is keyed to exactly the issuer and subject the rendered cd.yml signs with', () => {
    expect(repository).toBe('acme-commerce/storefront');
    expect(identity.issuer).toBe(cd.issuer);
    expect(cd.branches).toEqual(['main']);
    expect(identity.branchSubject).toBe(subjectAt(`refs/heads/${cd.branches[0]}`));
    const tags = new RegExp(identity.tagSubjectRegExp);
    expect(cd.tags).toEqual(['v*']);
    expect(tags.test(subjectAt('refs/tags/v1.4.0'))).toBe(true);
    // Anything cd.yml does not sign from: another branch, another repository, another workflow.
    for (const foreign of [
      subjectAt('refs/heads/feature'),
      subjectAt('refs/tags/release-1'),
      subjectAt('refs/tags/v1.4.0', 'someone/else'),
      subjectAt('refs/heads/main').replace('cd.yml', 'promote.yml'),
    ]) {
      expect(foreign === identity.branchSubject || tags.test(foreign), foreign).toBe(false);
    }
  });

  it('covers exactly the images cd.yml builds and signs', () => {
    expect(builtImages(cd.spec)).toEqual(cd.signedImages);
    const [kyverno] = signaturePolicies(cd.spec.app, builtImages(cd.spec), identity, 'kyverno');
    const verify = (kyverno!.spec as { rules: Array<{ verifyImages: Array<{ imageReferences: string[] }> }> })
      .rules[0]!.verifyImages[0]!;
    expect(verify.imageReferences).toEqual(cd.signedImages.map((i) => `${i}*`));
    const [sigstore] = signaturePolicies(cd.spec.app, builtImages(cd.spec), identity, 'sigstore');
    expect((sigstore!.spec as { images: unknown[] }).images).toEqual(
      cd.signedImages.map((i) => ({ glob: `${i}**` })),
    );
  });

  it('the Kyverno policy is valid against the Kyverno ClusterPolicy CRD', () => {
    const validate = compileCrdSchema(loadCrdSchema('kyverno-clusterpolicy-v1.schema.json'));
    const [kyverno] = signaturePolicies(cd.spec.app, builtImages(cd.spec), identity, 'kyverno');
    expect(schemaErrors(validate, kyverno)).toEqual([]);
  });

  it('the sigstore ClusterImagePolicy is valid against the policy-controller CRD (v1beta1)', () => {
    const validate = compileCrdSchema(loadCrdSchema('sigstore-clusterimagepolicy-v1beta1.schema.json'));
    const [sigstore] = signaturePolicies(cd.spec.app, builtImages(cd.spec), identity, 'sigstore');
    expect(sigstore).toMatchObject({ apiVersion: 'policy.sigstore.dev/v1beta1', kind: 'ClusterImagePolicy' });
    // The CRD's schema is the object's without apiVersion, kind and metadata (the API server's own).
    const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = sigstore!;
    expect(schemaErrors(validate, rest)).toEqual([]);
    // The validator refuses what the CRD refuses: an unknown field.
    const bad = structuredClone(rest) as { spec: { authorities: Array<Record<string, unknown>> } };
    bad.spec.authorities[0]!.unknownField = true;
    expect(schemaErrors(validate, bad).join('\n')).toContain('unknownField');
  });

  it('slipway policy images writes it; a spec without a repository exits 2 with the fix', async () => {
    const ok = memoryIo();
    expect(
      await main(['node', 'slipway', 'policy', 'images', '-f', SPEC, '--format', 'sigstore'], ok.io),
    ).toBe(0);
    expect(ok.stdout()).toContain('kind: ClusterImagePolicy');
    expect(ok.stdout()).toContain(`subject: ${identity.branchSubject}`);
    const dir = mkdtempSync(join(tmpdir(), 'slipway-images-'));
    writeFileSync(join(dir, 'slipway.yaml'), readFileSync(SPEC, 'utf8').replace(/^repository: .*$/m, ''));
    const bad = memoryIo({ cwd: dir });
    expect(await main(['node', 'slipway', 'policy', 'images'], bad.io)).toBe(2);
    expect(bad.stderr()).toContain('slipway.yaml names no repository');
    expect(bad.stderr()).toContain('--repository OWNER/REPO');
  });
});
