/**
 * The image a service runs. Tag: RenderOptions.images[service], else the tag written in the spec,
 * else the app version. `latest` is never assumed: without any of them render fails, because a
 * floating tag makes a rollout unrepeatable and a rollback meaningless.
 */
import type { Service } from '../spec/schema.js';
import { fail, type RenderContext } from './context.js';

export interface ImageRef {
  repository: string;
  tag?: string;
  digest?: string;
}

/** Split `registry:5000/team/app:1.2@sha256:..` into its parts (the colon after the last slash is the tag). */
export function parseImage(image: string): ImageRef {
  const [nameTag, digest] = image.split('@', 2) as [string, string | undefined];
  const slash = nameTag.lastIndexOf('/');
  const colon = nameTag.lastIndexOf(':');
  if (colon > slash) return { repository: nameTag.slice(0, colon), tag: nameTag.slice(colon + 1), digest };
  return { repository: nameTag, digest };
}

export function formatImage(ref: ImageRef): string {
  return `${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The repository: the spec's image, else `<registry>/<app>-<service>` for a service Slipway builds. */
function repository(
  ctx: RenderContext,
  path: string,
  serviceName: string,
  service: Service,
): ImageRef | undefined {
  if (service.image) return parseImage(service.image);
  if (ctx.app.registry)
    return { repository: `${ctx.app.registry.replace(/\/$/, '')}/${ctx.app.app}-${serviceName}` };
  fail(
    ctx,
    `${path}.image`,
    'no image, and no registry to name the one Slipway builds',
    'set image, or registry at the top level',
  );
  return undefined;
}

/** Docker's tag grammar (distribution/reference): 1-128 of [A-Za-z0-9_.-], not starting with . or -. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function serviceImage(
  ctx: RenderContext,
  path: string,
  serviceName: string,
  service: Service,
): ImageRef {
  const ref = repository(ctx, path, serviceName, service) ?? { repository: 'invalid' };
  const override = ctx.opts.images?.[serviceName];
  if (override !== undefined && !TAG.test(override) && !DIGEST.test(override)) {
    fail(
      ctx,
      `--image-tag ${serviceName}=${override}`,
      'not an image tag or a sha256 digest',
      'a tag is up to 128 of A-Z a-z 0-9 _ . - ; a digest is sha256: and 64 hex digits',
    );
  }
  if (override?.startsWith('sha256:')) return { repository: ref.repository, digest: override };
  if (override) return { repository: ref.repository, tag: override };
  if (ref.tag || ref.digest) return ref;
  if (ctx.app.version) return { repository: ref.repository, tag: ctx.app.version };
  fail(
    ctx,
    `${path}.image`,
    `no tag for ${ref.repository}: Slipway never deploys an implicit latest`,
    'write a tag in image, set version at the top level, or pass --image-tag',
  );
  return ref;
}

/** What the version label says: the tag, else the digest's first 12 hex digits. */
export function imageVersion(ref: ImageRef): string | undefined {
  return ref.tag ?? ref.digest?.replace(/^sha256:/, '').slice(0, 12);
}
