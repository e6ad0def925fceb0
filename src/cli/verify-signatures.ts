/**
 * `slipway deploy --verify-signatures`: before anything is applied, every image cd.yml builds and
 * signs must be given by digest and carry a keyless cosign signature whose certificate names this
 * repository's cd.yml (the identity the rendered CD workflow signs with) on the default branch or a
 * version tag, issued by GitHub's OIDC provider. Verification runs the real `cosign verify`
 * ($SLIPWAY_COSIGN, else `cosign` on PATH), as the rendered deploy jobs do.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UserError, UserErrors, type Problem } from '../errors.js';
import { newContext } from '../render/context.js';
import { formatImage, parseImage, serviceImage } from '../render/image.js';
import {
  CD_WORKFLOW_PATH,
  GITHUB_OIDC_ISSUER,
  MAIN_BRANCH,
  VERSION_TAG_GLOB,
} from '../render/workflows/defaults.js';
import type { ResolvedApp } from '../spec/index.js';

const run = promisify(execFile);

export interface SignerIdentity {
  issuer: string;
  /** Anchored regular expression over the certificate's SAN, as `--certificate-identity-regexp` takes it. */
  identityRegexp: string;
}

/** `repository: github.com/OWNER/REPO` (or an https URL of it) as the identity cd.yml signs with. */
export function signerIdentity(repository: string | undefined): SignerIdentity {
  const m = /^(?:https:\/\/)?github\.com\/([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(repository ?? '');
  if (!m)
    throw new UserError(
      `--verify-signatures needs the GitHub repository whose cd.yml signs the images; repository: is ${repository === undefined ? 'not set' : JSON.stringify(repository)}`,
      {
        code: 'deploy-verify-signatures',
        path: 'repository',
        hint: 'set repository: github.com/OWNER/REPO in slipway.yaml',
      },
    );
  // RE2 (cosign is Go) and JavaScript read these escapes alike; `/` needs none.
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const tags = escape(VERSION_TAG_GLOB.replace(/\*$/, ''));
  return {
    issuer: GITHUB_OIDC_ISSUER,
    identityRegexp: `^https://github\\.com/${escape(m[1]!)}/${escape(m[2]!)}/${escape(CD_WORKFLOW_PATH)}@refs/(heads/${escape(MAIN_BRANCH)}|tags/${tags}.+)$`,
  };
}

/** The images of services cd.yml builds (and services running the same repository), as they would be deployed. */
export function signedImages(app: ResolvedApp): { service: string; image: string; digest?: string }[] {
  const ctx = newContext(app);
  const refs = Object.entries(app.services).map(([name, service]) => ({
    service: name,
    built: Boolean(service.build),
    ref: serviceImage(ctx, `services.${name}`, name, service),
  }));
  const built = new Set(refs.filter((r) => r.built).map((r) => r.ref.repository));
  return refs
    .filter((r) => built.has(r.ref.repository))
    .map((r) => ({ service: r.service, image: formatImage(r.ref), digest: r.ref.digest }));
}

export interface SignatureVerifier {
  /** Resolves with undefined when the signature verifies, else with cosign's reason. */
  verify(image: string, identity: SignerIdentity): Promise<string | undefined>;
}

export function cosignVerifier(env: Readonly<Record<string, string | undefined>>): SignatureVerifier {
  const cosign = env.SLIPWAY_COSIGN ?? 'cosign';
  return {
    async verify(image, identity) {
      try {
        await run(
          cosign,
          [
            'verify',
            ...['--certificate-oidc-issuer', identity.issuer],
            ...['--certificate-identity-regexp', identity.identityRegexp],
            image,
          ],
          { env: { ...process.env, ...env }, maxBuffer: 16 << 20 },
        );
        return undefined;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT')
          throw new UserError(`--verify-signatures runs cosign, and ${cosign} was not found`, {
            code: 'deploy-verify-signatures',
            path: '--verify-signatures',
            hint: 'install cosign (Sigstore) on PATH, or set SLIPWAY_COSIGN to its path',
          });
        const stderr = ((err as { stderr?: string }).stderr ?? (err as Error).message).trim();
        return stderr.split('\n').filter(Boolean).at(-1) ?? 'cosign verify failed';
      }
    },
  };
}

/** Every signed image verified, or one error per image that is not (nothing applied either way). */
export async function verifySignatures(app: ResolvedApp, verifier: SignatureVerifier): Promise<number> {
  const identity = signerIdentity(app.repository);
  const images = signedImages(app);
  const problems: Problem[] = [];
  // Every image by digest first: bad input is reported before cosign runs at all.
  for (const { service, image, digest } of images)
    if (!digest)
      problems.push({
        message: `${image} (service ${service}) is not given by digest: a tag can move after it is verified`,
        path: `--set-image ${service}`,
        hint: `deploy the digest cd.yml signed: --set-image ${service}=${parseImage(image).repository}@sha256:...`,
      });
  if (problems.length) throw new UserErrors(problems, 'deploy-verify-signatures');
  for (const { service, image } of images) {
    const reason = await verifier.verify(image, identity);
    if (reason)
      problems.push({
        message: `${image} (service ${service}) has no valid signature from ${identity.identityRegexp}: ${reason}`,
        path: `services.${service}.image`,
        hint: 'deploy an image the CD workflow built and signed (promote.yml resolves and verifies them)',
      });
  }
  if (problems.length) throw new UserErrors(problems, 'deploy-verify-signatures');
  return images.length;
}
