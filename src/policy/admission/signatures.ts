import type { App } from '../../spec/index.js';
import {
  CD_WORKFLOW_PATH,
  GITHUB_OIDC_ISSUER,
  MAIN_BRANCH,
  VERSION_TAG_GLOB,
} from '../../render/workflows/defaults.js';
import { imageRepository } from '../../render/workflows/plan.js';

/**
 * Only images the app's own pipeline signed: the admission rule matching what `render --format
 * workflows` writes. cd.yml signs every image it builds keyless with cosign, by digest; the
 * certificate's issuer is GitHub's OIDC provider and its subject the workflow file at the ref that
 * ran it: `https://github.com/OWNER/REPO/.github/workflows/cd.yml@refs/heads/main` on a push to the
 * default branch, `...@refs/tags/v1.2.3` on a version tag (cd.yml runs on both). An image signed by
 * another workflow, repository or ref, or not signed, is refused.
 */
export type SignatureFormat = 'kyverno' | 'sigstore';
export const SIGNATURE_FORMATS: readonly SignatureFormat[] = ['kyverno', 'sigstore'];

export interface SigningIdentity {
  issuer: string;
  /** The subject on pushes to the default branch. */
  branchSubject: string;
  /** The subjects on version tags, as a regular expression (RE2, anchored). */
  tagSubjectRegExp: string;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function signingIdentity(repository: string): SigningIdentity {
  const workflow = `https://github.com/${repository}/${CD_WORKFLOW_PATH}`;
  // cd.yml's tag trigger is a glob (`v*`); as a pattern: the prefix, then anything.
  const tagPrefix = VERSION_TAG_GLOB.replace(/\*$/, '');
  return {
    issuer: GITHUB_OIDC_ISSUER,
    branchSubject: `${workflow}@refs/heads/${MAIN_BRANCH}`,
    tagSubjectRegExp: `^${escapeRe(workflow)}@refs/tags/${escapeRe(tagPrefix)}.*$`,
  };
}

/** `github.com/acme/shop` (the spec's repository), `https://github.com/acme/shop.git` or `acme/shop` → `acme/shop`. */
export function githubRepository(value: string): string | undefined {
  const m = /^(?:https?:\/\/)?(?:github\.com\/)?([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(
    value.trim(),
  );
  return m?.[1];
}

/** The repositories of the images cd.yml builds (services with `build:`). */
export function builtImages(spec: App): string[] {
  return [
    ...new Set(
      Object.entries(spec.services).flatMap(([name, s]) => {
        const repo = s.build ? imageRepository(spec, name) : undefined;
        return repo ? [repo] : [];
      }),
    ),
  ].sort();
}

type Obj = Record<string, unknown>;
const LABELS = { 'app.kubernetes.io/managed-by': 'slipway' };

export function signaturePolicies(
  app: string,
  images: readonly string[],
  identity: SigningIdentity,
  format: SignatureFormat,
): Obj[] {
  const name = `slipway-${app}-signed-images`;
  if (format === 'kyverno')
    return [
      {
        apiVersion: 'kyverno.io/v1',
        kind: 'ClusterPolicy',
        metadata: { name, labels: LABELS },
        spec: {
          webhookTimeoutSeconds: 30,
          background: false,
          rules: [
            {
              name: 'signed-by-cd-workflow',
              match: { any: [{ resources: { kinds: ['Pod'] } }] },
              verifyImages: [
                {
                  imageReferences: images.map((i) => `${i}*`),
                  failureAction: 'Enforce',
                  mutateDigest: true,
                  verifyDigest: true,
                  required: true,
                  attestors: [
                    {
                      count: 1,
                      entries: [
                        { keyless: { issuer: identity.issuer, subject: identity.branchSubject } },
                        { keyless: { issuer: identity.issuer, subjectRegExp: identity.tagSubjectRegExp } },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      },
    ];
  return [
    {
      apiVersion: 'policy.sigstore.dev/v1beta1',
      kind: 'ClusterImagePolicy',
      metadata: { name, labels: LABELS },
      spec: {
        images: images.map((i) => ({ glob: `${i}**` })),
        authorities: [
          {
            name: 'cd-workflow',
            keyless: {
              url: 'https://fulcio.sigstore.dev',
              identities: [
                { issuer: identity.issuer, subject: identity.branchSubject },
                { issuer: identity.issuer, subjectRegExp: identity.tagSubjectRegExp },
              ],
            },
            ctlog: { url: 'https://rekor.sigstore.dev' },
          },
        ],
      },
    },
  ];
}
