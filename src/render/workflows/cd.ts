/**
 * cd.yml: on pushes to main and version tags. Per built service: a multi-arch image (QEMU +
 * buildx) pushed to the registry, tagged with the commit SHA (and the version on a tag), scanned,
 * signed keyless with cosign BY DIGEST, and its BuildKit SLSA provenance attested with cosign.
 * Then `slipway deploy` to the automatic environment with every image by digest, and on version
 * tags to each approval environment, each behind its GitHub Environment's required reviewers.
 * Migrations are not a separate job: `slipway deploy` runs them before switching traffic.
 */
import { uses } from './actions.js';
import {
  checkout,
  deployConcurrency,
  digestVar,
  installSlipway,
  kubeconfigStep,
  registryLogin,
  setImageFlags,
  type Job,
  type Step,
} from './common.js';
import { KUBECONFIG_SECRET, MAIN_BRANCH, RUNNER, TRIVY_FAIL_SEVERITY, VERSION_TAG_GLOB } from './defaults.js';
import type { BuiltImage, WorkflowPlan } from './plan.js';
import { expr, id, repoPath, workflowYaml } from './yaml.js';

export function cdWorkflow(plan: WorkflowPlan): string {
  const jobs: Record<string, Job> = {};
  for (const image of plan.images) jobs[id('image', image.service)] = publishJob(plan, image);
  const imageJobs = plan.images.map((i) => id('image', i.service));
  let previous: string[] = imageJobs;
  if (plan.automatic) {
    jobs[id('deploy', plan.automatic)] = deployJob(plan, plan.automatic, previous, undefined);
    previous = [id('deploy', plan.automatic)];
  }
  for (const env of plan.gated) {
    jobs[id('deploy', env)] = deployJob(
      plan,
      env,
      [...new Set([...imageJobs, ...previous])],
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
    'Build multi-arch images, push, sign by digest (cosign keyless), attest provenance, then slipway deploy:',
    `${plan.automatic ?? '(no automatic environment)'} on every push to ${MAIN_BRANCH}${plan.gated.length ? `; ${plan.gated.join(', ')} on version tags, after approval by the GitHub Environment's required reviewers` : ''}.`,
    'Set those reviewers in Settings > Environments; without them, use promote.yml (docs/workflows.md).',
  ];
  return workflowYaml(header, workflow);
}

function publishJob(plan: WorkflowPlan, image: BuiltImage): Job {
  const steps: Step[] = [
    checkout(),
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
    { uses: uses('setupQemu') },
    { uses: uses('setupBuildx') },
    registryLogin(image),
    {
      name: 'Build and push',
      id: 'build',
      uses: uses('buildPush'),
      with: {
        context: repoPath(plan.specPath, image.context),
        file: repoPath(plan.specPath, image.dockerfile),
        platforms: image.platforms.join(','),
        push: true,
        tags: expr('steps.tags.outputs.tags'),
        // BuildKit writes SLSA provenance and an SBOM into the image index; cosign signs it below.
        provenance: 'mode=max',
        sbom: true,
      },
    },
    {
      name: `Scan the pushed image (fail on ${TRIVY_FAIL_SEVERITY})`,
      uses: uses('trivy'),
      with: {
        'image-ref': `${image.repository}@${expr('steps.build.outputs.digest')}`,
        severity: TRIVY_FAIL_SEVERITY,
        'ignore-unfixed': true,
        'exit-code': '1',
      },
    },
    { uses: uses('cosignInstaller') },
    {
      name: 'Sign by digest (keyless)',
      env: { IMAGE: image.repository, DIGEST: expr('steps.build.outputs.digest') },
      run: 'cosign sign --yes "$IMAGE@$DIGEST"',
    },
    {
      name: 'Attest provenance (BuildKit SLSA provenance, signed by cosign)',
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
    name: `Image ${image.service}: build, push, sign`,
    'runs-on': RUNNER,
    // packages: write to push to GHCR; id-token: write for cosign's keyless (OIDC) certificate.
    permissions: { contents: 'read', packages: 'write', 'id-token': 'write' },
    outputs: { digest: expr('steps.build.outputs.digest') },
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
  const job: Job = {
    name: `Deploy to ${environment}`,
    ...(needs.length ? { needs } : {}),
    ...(condition ? { if: condition } : {}),
    'runs-on': RUNNER,
    permissions: { contents: 'read' },
    // The GitHub Environment holds this environment's KUBECONFIG secret and, for production, its required reviewers.
    environment: environment,
    concurrency: deployConcurrency(plan.app, environment),
    steps: [
      checkout(),
      ...installSlipway(plan),
      kubeconfigStep(KUBECONFIG_SECRET),
      {
        name: `slipway deploy --env ${environment} (runs migrations, rolls back on failure)`,
        ...(plan.images.length ? { env: digests } : {}),
        run: deployCommand(plan, environment),
      },
    ],
  };
  return job;
}

/** `slipway deploy` as issue 6's contract has it: `-f FILE --env ENV [--set-image SERVICE=IMAGE]...`. */
export function deployCommand(plan: WorkflowPlan, environment: string): string {
  const flags = setImageFlags(plan);
  return `slipway deploy -f ${plan.specPath} --env ${environment}${flags ? ` \\\n  ${flags}` : ''}\n`;
}
