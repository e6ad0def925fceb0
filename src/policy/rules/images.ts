import { str } from '../access.js';
import type { Rule, Violation } from '../types.js';
import { containersOf } from '../workloads.js';
import { workloadRule } from './define.js';

export interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

/** Splits `registry:5000/team/app:1.2@sha256:...`: a colon after the last slash starts the tag. */
export function parseImage(image: string): ImageRef {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { name: rest, digest };
}

const mutable = (ref: ImageRef) => !ref.digest && (ref.tag === undefined || ref.tag === 'latest');

const latestTag = workloadRule(
  {
    id: 'img-latest-tag',
    admission: {
      kinds: 'workloads',
      expression:
        "variables.allContainers.all(c, !has(c.image) || c.image == '' || !(!c.image.contains('@') && (c.image.lastIndexOf(':') <= c.image.lastIndexOf('/') || c.image.substring(c.image.lastIndexOf(':') + 1) == 'latest')))",
      message: 'every image must carry a version tag other than latest, or a digest',
    },
    title: 'Image without a version tag',
    severity: 'warning',
    category: 'images',
    checks: 'Every container image must carry a tag other than `latest`, or a digest.',
    rationale:
      'A missing or `latest` tag means the running version changes whenever a node pulls; rollbacks and audits cannot tell which code ran.',
    remediation:
      'Pin a version tag (`app:1.4.2`) or a digest (`app@sha256:...`). Not fixable automatically: only you know the version.',
  },
  (w) =>
    containersOf(w).flatMap((c): Violation[] => {
      const image = str(c.container.image);
      if (!image) return [];
      const ref = parseImage(image);
      return mutable(ref)
        ? [
            {
              manifest: w.manifest,
              path: [...c.path, 'image'],
              container: c.name,
              message: `container "${c.name}" uses ${ref.tag ? 'the latest tag' : 'no tag'} (${image})`,
            },
          ]
        : [];
    }),
);

const pullPolicy = workloadRule(
  {
    id: 'img-pull-policy',
    admission: {
      kinds: 'workloads',
      expression:
        "variables.allContainers.all(c, !has(c.image) || c.image == '' || !(!c.image.contains('@') && (c.image.lastIndexOf(':') <= c.image.lastIndexOf('/') || c.image.substring(c.image.lastIndexOf(':') + 1) == 'latest')) || !has(c.imagePullPolicy) || !(c.imagePullPolicy in ['IfNotPresent', 'Never']))",
      message: 'a mutable image must not use imagePullPolicy IfNotPresent or Never',
    },
    title: 'Mutable image with a cached pull policy',
    severity: 'warning',
    category: 'images',
    fixable: true,
    checks:
      'A container whose image has no tag or `latest` (and no digest) must not set imagePullPolicy IfNotPresent or Never.',
    rationale: 'Each node keeps whichever `latest` it pulled first, so replicas run different code.',
    remediation: 'Pin the image (preferred) or set imagePullPolicy: Always. `--fix` sets Always.',
  },
  (w) =>
    containersOf(w).flatMap((c): Violation[] => {
      const image = str(c.container.image);
      const policy = str(c.container.imagePullPolicy);
      if (!image || !mutable(parseImage(image)) || (policy !== 'IfNotPresent' && policy !== 'Never'))
        return [];
      const path = [...c.path, 'imagePullPolicy'];
      return [
        {
          manifest: w.manifest,
          path,
          container: c.name,
          message: `container "${c.name}" pulls the mutable image ${image} with imagePullPolicy ${policy}`,
          fix: [{ path, value: 'Always' }],
        },
      ];
    }),
);

const pullAlways = workloadRule(
  {
    id: 'img-pull-always',
    admission: {
      kinds: 'workloads',
      expression: "variables.allContainers.all(c, has(c.imagePullPolicy) && c.imagePullPolicy == 'Always')",
      message: 'every container must set imagePullPolicy: Always',
    },
    title: 'Image pull policy not Always',
    severity: 'info',
    category: 'images',
    enabledByDefault: false,
    fixable: true,
    checks:
      'Every container must set imagePullPolicy: Always (whatever its tag). Off by default: img-pull-policy covers the mutable-tag case; enable this one where nodes are shared between tenants.',
    rationale:
      'Only Always makes the kubelet check the pull credentials on every start: with IfNotPresent a pod without access to a private image can still run the copy another tenant pulled onto the node.',
    remediation:
      'Set imagePullPolicy: Always (`--fix` does), or enable the AlwaysPullImages admission plugin.',
  },
  (w) =>
    containersOf(w).flatMap((c): Violation[] => {
      if (str(c.container.imagePullPolicy) === 'Always') return [];
      const path = [...c.path, 'imagePullPolicy'];
      return [
        {
          manifest: w.manifest,
          path,
          container: c.name,
          message: `container "${c.name}" ${c.container.imagePullPolicy === undefined ? 'leaves imagePullPolicy to its default' : `sets imagePullPolicy ${String(c.container.imagePullPolicy)}`}, not Always`,
          fix: [{ path, value: 'Always' }],
        },
      ];
    }),
);

const digest = workloadRule(
  {
    id: 'img-digest',
    admission: {
      kinds: 'workloads',
      expression:
        "variables.allContainers.all(c, !has(c.image) || c.image == '' || (c.image.contains('@') && c.image.substring(c.image.indexOf('@') + 1) != ''))",
      message: 'every image must be pinned by digest',
    },
    title: 'Image not pinned by digest',
    severity: 'info',
    category: 'images',
    enabledByDefault: false,
    checks:
      'Every container image must be referenced by digest (`@sha256:...`). Off by default; enable it in .slipway-check.yaml.',
    rationale:
      'Tags can be moved; only a digest guarantees the bytes that were reviewed are the bytes that run.',
    remediation:
      'Reference images as `name@sha256:<digest>` (tools such as crane or skopeo print the digest of a tag).',
  },
  (w) =>
    containersOf(w).flatMap((c): Violation[] => {
      const image = str(c.container.image);
      return image && !parseImage(image).digest
        ? [
            {
              manifest: w.manifest,
              path: [...c.path, 'image'],
              container: c.name,
              message: `container "${c.name}" image ${image} is not pinned by digest`,
            },
          ]
        : [];
    }),
);

const missingImage = workloadRule(
  {
    id: 'img-missing',
    admission: {
      kinds: 'workloads',
      expression: "variables.allContainers.all(c, has(c.image) && c.image != '')",
      message: 'every container must set image',
    },
    title: 'Container without an image',
    severity: 'error',
    category: 'images',
    checks: 'Every container, init container and ephemeral container must set image.',
    rationale:
      'The API server rejects a pod whose container has no image; a controller would fail to create pods.',
    remediation: 'Set image.',
  },
  (w) =>
    containersOf(w)
      .filter((c) => !str(c.container.image))
      .map((c) => ({
        manifest: w.manifest,
        path: [...c.path, 'image'],
        container: c.name,
        message: `container "${c.name}" has no image`,
      })),
);

/** Docker Hub short names (`nginx`, `library/nginx`) live on docker.io. */
export function imageHost(image: string): string {
  const first = image.split('/')[0] as string;
  const hasRegistry =
    image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return hasRegistry ? image : `docker.io/${image.includes('/') ? image : `library/${image}`}`;
}

const registry = workloadRule(
  {
    id: 'img-registry',
    admission: {
      kinds: 'workloads',
      expression:
        "size(variables.params.allowedRegistries) == 0 || variables.allContainers.all(c, !has(c.image) || c.image == '' || variables.params.allowedRegistries.exists(p, (((c.image.contains('/') && (c.image.split('/')[0].contains('.') || c.image.split('/')[0].contains(':') || c.image.split('/')[0] == 'localhost'))) ? c.image : 'docker.io/' + (c.image.contains('/') ? c.image : 'library/' + c.image)).startsWith(p) || c.image.startsWith(p)))",
      message: 'every image must come from an allowed registry',
      params: ['allowedRegistries'],
    },
    title: 'Image from a registry outside the allowed list',
    severity: 'warning',
    category: 'images',
    checks:
      'When .slipway-check.yaml lists allowedRegistries, every image (Docker Hub short names count as docker.io/library/...) must start with one of them. Without the list the rule does nothing.',
    rationale:
      'Images from unvetted registries bypass the scanning, signing and availability guarantees of the registries the team controls.',
    remediation: 'Mirror the image into an allowed registry and reference it there.',
  },
  (w, ctx) => {
    const allowed = ctx.options.allowedRegistries;
    if (!allowed?.length) return [];
    return containersOf(w).flatMap((c): Violation[] => {
      const image = str(c.container.image);
      if (!image) return [];
      const full = imageHost(image);
      return allowed.some((prefix) => full.startsWith(prefix) || image.startsWith(prefix))
        ? []
        : [
            {
              manifest: w.manifest,
              path: [...c.path, 'image'],
              container: c.name,
              message: `container "${c.name}" image ${image} is not from an allowed registry (${allowed.join(', ')})`,
            },
          ];
    });
  },
);

export const IMAGE_RULES: Rule[] = [latestTag, pullPolicy, pullAlways, digest, missingImage, registry];
