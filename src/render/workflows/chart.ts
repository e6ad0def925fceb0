/**
 * cd.yml's `chart` job, on version tags only: the Helm chart rendered from the tagged commit's spec
 * with every built image BY DIGEST (the digests the image jobs just pushed and signed), packaged as
 * version X.Y.Z of tag vX.Y.Z (version and appVersion) and pushed to an OCI registry
 * (`ci.chart`, default `oci://<registry>/charts`), logged in like the image pushes: GHCR with the
 * workflow's GITHUB_TOKEN, any other registry with REGISTRY_USERNAME / REGISTRY_PASSWORD.
 */
import { uses } from './actions.js';
import { checkout, digestVar, installSlipway, runsOn, type Job } from './common.js';
import { HELM_VERSION, REGISTRY_PASSWORD_SECRET, REGISTRY_USERNAME_SECRET } from './defaults.js';
import type { WorkflowPlan } from './plan.js';
import { expr, id } from './yaml.js';

export const CHART_JOB = 'chart';
/** Where the render step writes the chart and the package step reads it. */
export const CHART_DIR = '$RUNNER_TEMP/chart';

/** The registry host of `oci://HOST/PATH`, as `helm registry login` wants it. */
export function chartRegistry(repository: string): string {
  return repository.replace(/^oci:\/\//, '').split('/')[0]!;
}

/**
 * `helm registry login` with the password on stdin (never in argv, where `ps` shows it), package
 * (`--dependency-update` fetches subcharts the spec's dependencies name), push. `helm push` prints
 * the pushed reference and digest.
 */
export const PUBLISH_CHART_SCRIPT =
  [
    'VERSION="${VERSION_TAG#v}"',
    'printf \'%s\' "$REGISTRY_PASSWORD" | helm registry login "$REGISTRY" --username "$REGISTRY_USERNAME" --password-stdin',
    `helm package "${CHART_DIR}" --dependency-update --version "$VERSION" --app-version "$VERSION" --destination "$RUNNER_TEMP"`,
    'helm push "$RUNNER_TEMP/$CHART-$VERSION.tgz" "$CHART_REPOSITORY"',
  ].join('\n') + '\n';

export function chartJob(plan: WorkflowPlan, needs: string[]): Job | undefined {
  if (!plan.chartRepository) return undefined;
  const registry = chartRegistry(plan.chartRepository);
  const ghcr = registry === 'ghcr.io';
  const digests: Record<string, string> = {};
  for (const image of plan.images)
    digests[digestVar(image)] = expr(`needs.${id('image', image.service)}.outputs.digest`);
  const imageTags = plan.images.flatMap((image) =>
    image.runBy.map((service) => `--image-tag "${service}=\${${digestVar(image)}}"`),
  );
  return {
    name: 'Publish the Helm chart',
    needs,
    if: "startsWith(github.ref, 'refs/tags/v')",
    'runs-on': runsOn(plan, 'default'),
    // packages: write to push the chart to GHCR.
    permissions: { contents: 'read', packages: 'write' },
    steps: [
      checkout(),
      ...installSlipway(plan),
      { uses: uses('setupHelm'), with: { version: HELM_VERSION } },
      {
        name: 'Render the chart with every built image by digest',
        ...(plan.images.length ? { env: digests } : {}),
        run:
          [`slipway render -f ${plan.specPath} --format helm --out "${CHART_DIR}"`, ...imageTags].join(
            ' \\\n  ',
          ) + '\n',
      },
      {
        name: `Package as the tag's version and push to ${plan.chartRepository}`,
        env: {
          CHART: plan.app,
          CHART_REPOSITORY: plan.chartRepository,
          REGISTRY: registry,
          REGISTRY_USERNAME: ghcr ? expr('github.actor') : expr(`secrets.${REGISTRY_USERNAME_SECRET}`),
          REGISTRY_PASSWORD: ghcr
            ? expr('secrets.GITHUB_TOKEN')
            : expr(`secrets.${REGISTRY_PASSWORD_SECRET}`),
          VERSION_TAG: expr('github.ref_name'),
        },
        run: PUBLISH_CHART_SCRIPT,
      },
    ],
  };
}
