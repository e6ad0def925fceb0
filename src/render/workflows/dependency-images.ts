/**
 * Images the app runs but does not build (postgres, redis, kafka, chroma, a service's `image:`),
 * read from the rendered objects of every environment, and ci.yml's job that scans them with the
 * same Trivy gate as the built images. Render cannot resolve a tag to a digest offline, so the job
 * resolves each unpinned one, records `image@sha256:...` in the job summary (to paste as
 * `version: TAG@sha256:...`, which Slipway keeps) and annotates it with a warning.
 */
import type { NamedObject } from '@slipway/kube';
import { uses } from './actions.js';
import { checkout, runsOn, type Job } from './common.js';
import type { WorkflowPlan } from './plan.js';
import { parseImage } from '../image.js';
import { expr } from './yaml.js';

interface PodSpecLike {
  containers?: { image?: string }[];
  initContainers?: { image?: string }[];
}

function podSpecOf(object: NamedObject): PodSpecLike | undefined {
  const spec = (object as { spec?: Record<string, unknown> }).spec;
  if (!spec) return undefined;
  if (object.kind === 'Pod') return spec as PodSpecLike;
  if (object.kind === 'CronJob')
    return (spec.jobTemplate as { spec?: { template?: { spec?: PodSpecLike } } } | undefined)?.spec?.template
      ?.spec;
  return (spec.template as { spec?: PodSpecLike } | undefined)?.spec;
}

/** Every container image of the objects whose repository is not one cd.yml builds, sorted, once each. */
export function dependencyImages(objects: NamedObject[], built: string[]): string[] {
  const images = new Set<string>();
  for (const object of objects) {
    const pod = podSpecOf(object);
    for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])])
      if (c.image && !built.includes(parseImage(c.image).repository)) images.add(c.image);
  }
  return [...images].sort();
}

/** The bash of the record step: IMAGE in, a summary line and (unpinned) a warning out. */
export const RECORD_DIGEST_SCRIPT =
  [
    'case "$IMAGE" in',
    '  *@sha256:*) echo "- \\`$IMAGE\\`: pinned by digest" >> "$GITHUB_STEP_SUMMARY" ;;',
    '  *)',
    `    DIGEST=$(docker buildx imagetools inspect "$IMAGE" --format '{{ .Manifest.Digest }}')`,
    '    echo "::warning title=Dependency image not pinned::$IMAGE is $DIGEST today; pin it as $IMAGE@$DIGEST (a dependency takes version: TAG@$DIGEST)"',
    '    echo "- \\`$IMAGE\\` is \\`$IMAGE@$DIGEST\\` today (not pinned)" >> "$GITHUB_STEP_SUMMARY" ;;',
    'esac',
  ].join('\n') + '\n';

/** ci.yml's `dependency-images` job; undefined when every image is built by cd.yml. */
export function dependencyImagesJob(plan: WorkflowPlan): Job | undefined {
  if (!plan.dependencyImages.length) return undefined;
  return {
    name: `Dependency image ${expr('matrix.image')}: scan, digest`,
    'runs-on': runsOn(plan, 'default'),
    permissions: { contents: 'read' },
    strategy: { 'fail-fast': false, matrix: { image: plan.dependencyImages } },
    steps: [
      // The checkout only gives Trivy the repository's .trivyignore, when there is one.
      checkout(),
      { name: 'Record the digest', env: { IMAGE: expr('matrix.image') }, run: RECORD_DIGEST_SCRIPT },
      {
        name: `Scan with Trivy (fail on ${plan.gates.severity})`,
        uses: uses('trivy'),
        with: {
          'image-ref': expr('matrix.image'),
          severity: plan.gates.severity,
          'ignore-unfixed': plan.gates.ignoreUnfixed,
          'exit-code': '1',
          format: 'table',
        },
      },
    ],
  };
}
