/**
 * The image of an imported service: a Compose `image:` kept (a service Slipway builds drops a
 * floating tag for the release version), a `build:` recorded so the CI workflow builds it, and,
 * for a service with a build and no image, the registry Slipway names the built image in
 * (`<registry>/<app>-<service>`, as render does). Where that registry comes from is the CLI's
 * business (--registry, the git remote, a question); `registryFromRemote` reads a remote URL.
 */
import { isRecord } from './compose-fields.js';
import type { Service } from './schema.js';
import type { ServiceContext } from './compose-service.js';

/** `latest`, or no tag at all. */
function floating(image: string): boolean {
  const name = image.split('@')[0] ?? image;
  const tag = /:([^/:]+)$/.exec(name)?.[1];
  return !image.includes('@') && (tag === undefined || tag === 'latest');
}

/** Maps image and build; true when the service is built and has no image (it needs a registry). */
export function importImage(s: Record<string, unknown>, service: Service, ctx: ServiceContext): boolean {
  if (typeof s.build === 'string') service.build = { context: s.build };
  else if (isRecord(s.build)) {
    service.build = {
      context: typeof s.build.context === 'string' ? s.build.context : '.',
      ...(typeof s.build.dockerfile === 'string' ? { dockerfile: s.build.dockerfile } : {}),
    };
    for (const key of Object.keys(s.build))
      if (key !== 'context' && key !== 'dockerfile')
        ctx.note(['build', key], 'not mapped (build options other than context and dockerfile)', true);
  }
  if (typeof s.image === 'string' && s.image !== '') {
    if (service.build) {
      // Slipway builds it: the release version (or --image-tag) tags it, never latest.
      service.image = s.image.replace(/:latest$/, '');
      if (service.image !== s.image)
        ctx.note(
          ['image'],
          'tag latest dropped: Slipway tags the image it builds with the release version (version: or --image-tag)',
        );
    } else if (floating(s.image)) {
      // Someone else's image: only its publisher knows the version; latest is what Compose ran.
      service.image = s.image.includes(':') ? s.image : `${s.image}:latest`;
      ctx.note(
        ['image'],
        `${service.image} floats: pin a version tag or digest (slipway check warns about latest)`,
      );
    } else service.image = s.image;
  }
  return service.build !== undefined && service.image === undefined;
}

/**
 * The registry Slipway pushes a repository's images to, from its git remote: GitHub ->
 * `ghcr.io/<owner>`, GitLab -> `registry.gitlab.com/<group>/<project>`; other hosts have no
 * registry to infer.
 */
export function registryFromRemote(url: string): string | undefined {
  const m =
    /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?([^/:]+)(?::\d+)?[:/](.+?)(?:\.git)?\/?$/i.exec(url.trim()) ?? undefined;
  if (!m) return undefined;
  const host = (m[1] ?? '').toLowerCase();
  const parts = (m[2] ?? '').toLowerCase().split('/').filter(Boolean);
  if (host === 'github.com' && parts.length >= 1) return `ghcr.io/${parts[0]}`;
  if (host === 'gitlab.com' && parts.length >= 2) return `registry.gitlab.com/${parts.join('/')}`;
  return undefined;
}
