/**
 * promote.yml: the manual path to any environment (workflow_dispatch). Someone with write access
 * picks an environment and a release tag or commit that cd.yml built; the job resolves each
 * image's digest, refuses an image cd.yml did not sign (cosign verify against this repository's
 * cd.yml identity) and runs `slipway deploy` by digest. It is the fallback for GitHub plans
 * without required reviewers on Environments, and the way to roll forward or back by hand; the
 * GitHub Environment's own protection rules still apply when they exist.
 */
import { uses } from './actions.js';
import {
  checkout,
  deployConcurrency,
  digestVar,
  installSlipway,
  kubeconfigStep,
  registryLogin,
  runsOn,
  type Job,
  type Step,
} from './common.js';
import { deployCommand } from './cd.js';
import { GITHUB_OIDC_ISSUER, KUBECONFIG_SECRET } from './defaults.js';
import type { WorkflowPlan } from './plan.js';
import { expr, workflowYaml } from './yaml.js';

export function promoteWorkflow(plan: WorkflowPlan): string {
  const registries = [...new Map(plan.images.map((i) => [i.registry, i])).values()];
  const resolve: Step = {
    name: 'Resolve and verify image digests',
    env: { REF: expr('inputs.ref'), REPOSITORY: expr('github.repository') },
    run:
      [
        '# cd.yml tags images with the commit SHA and, on a release tag vX.Y.Z, with X.Y.Z.',
        'TAG="${REF#v}"',
        ...plan.images.flatMap((image) => [
          `DIGEST=$(docker buildx imagetools inspect "${image.repository}:$TAG" --format '{{ .Manifest.Digest }}')`,
          `cosign verify --certificate-oidc-issuer ${GITHUB_OIDC_ISSUER} \\`,
          `  --certificate-identity-regexp "^https://github.com/$REPOSITORY/\\.github/workflows/cd\\.yml@" \\`,
          `  "${image.repository}@$DIGEST" > /dev/null`,
          `echo "${digestVar(image)}=$DIGEST" >> "$GITHUB_ENV"`,
        ]),
      ].join('\n') + '\n',
  };
  const environment = expr('inputs.environment');
  const job: Job = {
    name: `Promote ${expr('inputs.ref')} to ${environment}`,
    'runs-on': runsOn(plan, 'deploy'),
    permissions: { contents: 'read', packages: 'read' },
    environment,
    concurrency: deployConcurrency(plan.app, environment),
    steps: [
      checkout({ ref: expr('inputs.ref'), 'fetch-depth': 0 }),
      ...(plan.images.length
        ? [{ uses: uses('cosignInstaller') }, ...registries.map(registryLogin), resolve]
        : []),
      ...installSlipway(plan),
      kubeconfigStep(KUBECONFIG_SECRET),
      {
        name: 'slipway deploy (runs migrations, rolls back on failure)',
        env: { ENVIRONMENT: environment },
        run: deployCommand(plan, '"$ENVIRONMENT"', '"$(git rev-parse HEAD)"'),
      },
    ],
  };
  const workflow = {
    name: 'Promote',
    on: {
      workflow_dispatch: {
        inputs: {
          environment: {
            description: 'Environment to deploy to',
            type: 'choice',
            required: true,
            options: plan.environments.map((e) => e.name),
          },
          ref: {
            description: 'Release tag (v1.4.2) or commit SHA that cd.yml built and signed',
            type: 'string',
            required: true,
          },
        },
      },
    },
    permissions: {},
    jobs: { promote: job },
  };
  const header = [
    `Written by slipway render --format workflows from ${plan.specPath}; change the spec, not this file.`,
    'Manual promotion: Actions > Promote > Run workflow, pick the environment and the release tag or commit.',
  ];
  return workflowYaml(header, workflow);
}
