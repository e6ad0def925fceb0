/**
 * cd.yml: on pushes to main and version tags. Per built service: a multi-arch image (QEMU +
 * buildx) pushed to the registry, tagged with the commit SHA (and the version on a tag), scanned,
 * signed keyless with cosign BY DIGEST, and its BuildKit SLSA provenance attested with cosign.
 * Then `slipway deploy` to the automatic environment with every image by digest, and on version
 * tags to each approval environment, each behind its GitHub Environment's required reviewers.
 * Migrations are not a separate job: `slipway deploy` runs them before switching traffic.
 */
import { uses } from './actions.js';
import { CHART_JOB, chartJob } from './chart.js';
import { BUILDING, CHANGES_STEP, changesStep, reuseStep } from './changes.js';
import {
  checkout,
  deployConcurrency,
  digestVar,
  installSlipway,
  kubeconfigStep,
  registryLogin,
  runsOn,
  setImageFlags,
  type Job,
  type Step,
} from './common.js';
import {
  CD_WORKFLOW_PATH,
  CI_WORKFLOW_PATH,
  GITHUB_OIDC_ISSUER,
  KUBECONFIG_SECRET,
  AGE_KEY_SECRET,
  MAIN_BRANCH,
  VERSION_TAG_GLOB,
} from './defaults.js';
import type { BuiltImage, WorkflowPlan } from './plan.js';
import { expr, id, repoPath, workflowYaml } from './yaml.js';

/** The job that runs ci.yml (as a reusable workflow) for the very commit cd.yml builds and deploys. */
export const CI_JOB = 'ci';

export function cdWorkflow(plan: WorkflowPlan): string {
  const jobs: Record<string, Job> = {
    // CI runs here, on this commit, and every later job needs it: a commit (or a tag on a commit)
    // whose tests, scans or slipway check fail builds, signs, tags and deploys nothing. A job
    // whose `needs` did not all succeed is skipped unless its `if` calls a status function,
    // and none below does.
    [CI_JOB]: {
      name: 'CI',
      uses: `./${CI_WORKFLOW_PATH}`,
      // The called workflow's jobs get at most these; its check job uploads SARIF.
      permissions: { contents: 'read', 'security-events': 'write' },
    },
  };
  for (const image of plan.images) jobs[id('image', image.service)] = publishJob(plan, image);
  const imageJobs = plan.images.map((i) => id('image', i.service));
  const chart = chartJob(plan, [CI_JOB, ...imageJobs]);
  if (chart) jobs[CHART_JOB] = chart;
  let previous: string[] = [CI_JOB, ...imageJobs];
  if (plan.automatic) {
    jobs[id('deploy', plan.automatic)] = deployJob(plan, plan.automatic, previous, undefined);
    // Gated environments wait for the automatic one to pass its smoke test, not only to deploy.
    jobs[id('smoke', plan.automatic)] = smokeJob(plan, plan.automatic);
    previous = [id('deploy', plan.automatic), id('smoke', plan.automatic)];
  }
  for (const env of plan.gated) {
    jobs[id('deploy', env)] = deployJob(
      plan,
      env,
      [...new Set([CI_JOB, ...imageJobs, ...previous])],
      "startsWith(github.ref, 'refs/tags/v')",
    );
  }
  const workflow = {
    name: 'CD',
    on: { push: { branches: [MAIN_BRANCH], tags: [VERSION_TAG_GLOB] } },
    permissions: {},
    jobs,
  };
  const header = [
    `Written by slipway render --format workflows from ${plan.specPath}; change the spec, not this file.`,
    'Run CI (ci.yml) on the pushed commit; only when it passed: build multi-arch images, push, sign by digest',
    '(cosign keyless), attest provenance, verify the signatures, then slipway deploy:',
    `${plan.automatic ?? '(no automatic environment)'} on every push to ${MAIN_BRANCH}${plan.gated.length ? `; ${plan.gated.join(', ')} on version tags, after approval by the GitHub Environment's required reviewers` : ''}.`,
    'Set those reviewers in Settings > Environments; without them, use promote.yml (docs/workflows.md).',
    ...(plan.chartRepository
      ? [`On version tags, the Helm chart (images by digest) is pushed to ${plan.chartRepository}.`]
      : []),
  ];
  return workflowYaml(header, workflow);
}

function publishJob(plan: WorkflowPlan, image: BuiltImage): Job {
  const steps: Step[] = [
    // The history, for git diff against the previous head of the branch.
    checkout({ 'fetch-depth': 0 }),
    changesStep(plan, image),
    {
      name: 'Tags: commit SHA, and the version on a release tag',
      id: 'tags',
      env: {
        IMAGE: image.repository,
        REF_TYPE: expr('github.ref_type'),
        REF_NAME: expr('github.ref_name'),
        SHA: expr('github.sha'),
      },
      run:
        [
          '{',
          '  echo "tags<<EOF"',
          '  echo "$IMAGE:$SHA"',
          '  if [ "$REF_TYPE" = tag ]; then echo "$IMAGE:${REF_NAME#v}"; fi',
          '  echo "EOF"',
          '} >> "$GITHUB_OUTPUT"',
        ].join('\n') + '\n',
    },
    { uses: uses('setupQemu'), if: `steps.${CHANGES_STEP}.outputs.build == 'true'` },
    { uses: uses('setupBuildx') },
    registryLogin(image),
    reuseStep(image),
    {
      name: 'Build and push',
      id: 'build',
      if: BUILDING,
      uses: uses('buildPush'),
      with: {
        context: repoPath(plan.specPath, image.context),
        file: repoPath(plan.specPath, image.dockerfile),
        platforms: image.platforms.join(','),
        push: true,
        tags: expr('steps.tags.outputs.tags'),
        // BuildKit writes SLSA provenance and an SBOM into the image index; cosign signs it below.
        // Layers cached in the GitHub Actions cache, per service: an unchanged Dockerfile step is not rebuilt.
        'cache-from': `type=gha,scope=${image.service}`,
        'cache-to': `type=gha,mode=max,scope=${image.service}`,
        provenance: 'mode=max',
        sbom: true,
      },
    },
    {
      name: `Scan the pushed image (fail on ${plan.gates.severity})`,
      if: BUILDING,
      uses: uses('trivy'),
      with: {
        'image-ref': `${image.repository}@${expr('steps.build.outputs.digest')}`,
        severity: plan.gates.severity,
        'ignore-unfixed': plan.gates.ignoreUnfixed,
        'exit-code': '1',
      },
    },
    { uses: uses('cosignInstaller'), if: BUILDING },
    {
      name: 'Sign by digest (keyless)',
      if: BUILDING,
      env: { IMAGE: image.repository, DIGEST: expr('steps.build.outputs.digest') },
      run: 'cosign sign --yes "$IMAGE@$DIGEST"',
    },
    {
      name: 'Attest provenance (BuildKit SLSA provenance, signed by cosign)',
      if: BUILDING,
      env: {
        IMAGE: image.repository,
        DIGEST: expr('steps.build.outputs.digest'),
        PLATFORM: image.platforms[0] ?? 'linux/amd64',
      },
      run:
        [
          'docker buildx imagetools inspect "$IMAGE@$DIGEST" --format "{{ json (index .Provenance \\"$PLATFORM\\").SLSA }}" > provenance.json',
          'test -s provenance.json',
          'cosign attest --yes --type slsaprovenance --predicate provenance.json "$IMAGE@$DIGEST"',
        ].join('\n') + '\n',
    },
  ];
  return {
    name: `Image ${image.service}: build, push, sign (or reuse on a config-only push)`,
    needs: [CI_JOB],
    'runs-on': runsOn(plan, 'build'),
    // packages: write to push to GHCR; id-token: write for cosign's keyless (OIDC) certificate.
    permissions: { contents: 'read', packages: 'write', 'id-token': 'write' },
    outputs: { digest: expr('steps.build.outputs.digest || steps.reuse.outputs.digest') },
    steps,
  };
}

function deployJob(
  plan: WorkflowPlan,
  environment: string,
  needs: string[],
  condition: string | undefined,
): Job {
  const digests: Record<string, string> = {};
  for (const image of plan.images)
    digests[digestVar(image)] = expr(`needs.${id('image', image.service)}.outputs.digest`);
  const registries = [...new Map(plan.images.map((i) => [i.registry, i])).values()];
  const verify: Step[] = plan.images.length
    ? [
        { uses: uses('cosignInstaller') },
        ...registries.map(registryLogin),
        {
          name: "Verify every image was signed by this repository's cd.yml on this ref",
          env: { ...digests },
          run: verifyCommands(plan) + '\n',
        },
      ]
    : [];
  const job: Job = {
    name: `Deploy to ${environment}`,
    ...(needs.length ? { needs } : {}),
    ...(condition ? { if: condition } : {}),
    'runs-on': runsOn(plan, 'deploy'),
    // packages: read to fetch signatures from GHCR for cosign verify.
    permissions: { contents: 'read', ...(plan.images.length ? { packages: 'read' } : {}) },
    // The GitHub Environment holds this environment's KUBECONFIG secret and, for production, its required reviewers.
    environment: environment,
    concurrency: deployConcurrency(plan.app, environment),
    steps: [
      // The whole history: --changes git lists the commits since the serving release's.
      checkout({ 'fetch-depth': 0 }),
      ...verify,
      ...installSlipway(plan),
      kubeconfigStep(KUBECONFIG_SECRET),
      {
        name: `slipway deploy --env ${environment} (runs migrations, rolls back on failure)`,
        ...(plan.images.length || plan.ageKey
          ? // Each GitHub Environment holds its own SLIPWAY_AGE_KEY, a recipient of secrets/<env>.yaml only.
            {
              env: {
                ...digests,
                ...(plan.ageKey ? { SLIPWAY_AGE_KEY: expr(`secrets.${AGE_KEY_SECRET}`) } : {}),
              },
            }
          : {}),
        run: deployCommand(plan, environment, '"$GITHUB_SHA"'),
      },
    ],
  };
  return job;
}

/**
 * `slipway deploy -f FILE --env ENV [--set-image SERVICE=IMAGE]... --commit SHA --changes git`: the
 * commit (a shell word) and the commits shipped since the serving release go into the release
 * record for `slipway metrics` (lead time); the checkout has the history for that (fetch-depth: 0).
 */
export function deployCommand(plan: WorkflowPlan, environment: string, commit: string): string {
  const flags = [setImageFlags(plan), `--commit ${commit} --changes git`].filter(Boolean).join(' \\\n  ');
  return `slipway deploy -f ${plan.specPath} --env ${environment} \\\n  ${flags}\n`;
}

/**
 * `cosign verify` of each image by digest against the exact keyless identity cd.yml signs with:
 * the certificate's SAN is the workflow file at the ref that ran it
 * (`https://github.com/OWNER/REPO/.github/workflows/cd.yml@refs/heads/main`), its issuer GitHub's
 * OIDC provider. A digest signed by any other workflow, repository or ref is refused.
 */
export function verifyCommands(plan: WorkflowPlan): string {
  return plan.images
    .map((image) =>
      [
        `cosign verify --certificate-oidc-issuer ${GITHUB_OIDC_ISSUER} \\`,
        `  --certificate-identity "https://github.com/$GITHUB_REPOSITORY/${CD_WORKFLOW_PATH}@$GITHUB_REF" \\`,
        `  "${image.repository}@\${${digestVar(image)}}" > /dev/null`,
      ].join('\n'),
    )
    .join('\n');
}

/**
 * After the automatic environment's deploy: `slipway status` (exit 3 when a Deployment is not
 * ready at the deployed revision or anything else needs attention) and one request to each public
 * host, where any answer below 500 counts (the app answers through the ingress). A failure
 * skips every gated deploy, which needs this job.
 */
function smokeJob(plan: WorkflowPlan, environment: string): Job {
  const hosts = plan.environments.find((e) => e.name === environment)?.hosts ?? [];
  return {
    name: `Smoke test ${environment}`,
    needs: [id('deploy', environment)],
    'runs-on': runsOn(plan, 'deploy'),
    permissions: { contents: 'read' },
    environment,
    concurrency: deployConcurrency(plan.app, environment),
    steps: [
      checkout(),
      ...installSlipway(plan),
      kubeconfigStep(KUBECONFIG_SECRET),
      {
        name: 'Every workload ready at the deployed release',
        run: `slipway status -f ${plan.specPath} --env ${environment}`,
      },
      ...(hosts.length
        ? [
            {
              name: 'Public hosts answer',
              run:
                hosts
                  .map(
                    (h) =>
                      `code=$(curl -sS -o /dev/null -w '%{http_code}' --retry 5 --retry-all-errors --max-time 10 https://${h}/)\necho "${h}: HTTP $code"\n[ "$code" -lt 500 ]`,
                  )
                  .join('\n') + '\n',
            },
          ]
        : []),
    ],
  };
}
