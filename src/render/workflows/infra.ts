/**
 * infra.yml, written when an environment declares `infrastructure:`: the Terraform of
 * `slipway render --format terraform`, rendered in the job from the spec at that commit (so the
 * plan is of exactly what the spec says), planned on pull requests that change the spec with the
 * plan posted as a comment, and applied on pushes to main one environment after another, each
 * behind its GitHub Environment (production's required reviewers approve the apply as they approve
 * the deploy). Nothing is applied from a pull request.
 *
 * What the jobs read from the GitHub Environment (docs/infrastructure.md): the `TF_BACKEND`
 * secret (a `terraform { backend ... }` block), needed only when the spec sets no
 * `infrastructure.state` (CI refuses to run on local state, which would be lost; given anyway, it
 * overrides the rendered block), the `TF_KUBECONFIG` secret (a kubeconfig allowed to create namespaces and RBAC), and the
 * cloud's sign-in: aws assumes `secrets.TF_AWS_ROLE_ARN` with GitHub's OIDC token, azure signs in
 * with OIDC as `secrets.ARM_CLIENT_ID` in `secrets.ARM_TENANT_ID`, gcp reads `secrets.GOOGLE_CREDENTIALS`.
 * Pull requests plan in the `infra-plan` environment: give it read-only credentials and no reviewers.
 */
import type { Infrastructure } from '../../spec/schema.js';
import { uses } from './actions.js';
import { checkout, installSlipway, runsOn, type Job, type Step } from './common.js';
import { MAIN_BRANCH } from './defaults.js';
import type { WorkflowPlan } from './plan.js';
import { expr, id, workflowYaml } from './yaml.js';

/** The Terraform CI installs; the rendered modules need 1.6 or later. */
export const TERRAFORM_VERSION = '1.9.8';
/** The GitHub Environment pull-request plans run in (read-only credentials, no reviewers). */
export const PLAN_ENVIRONMENT = 'infra-plan';
const ROOT = '$RUNNER_TEMP/terraform';

export interface InfraEnvironment {
  name: string;
  provider?: Infrastructure['provider'];
}

/** The cloud sign-in of a provider, as environment variables the provider reads, and a step when one is needed. */
function cloudSignIn(provider: Infrastructure['provider'] | undefined): {
  env: Record<string, string>;
  steps: Step[];
} {
  switch (provider) {
    case 'aws':
      return {
        env: {
          AWS_ROLE_ARN: expr('secrets.TF_AWS_ROLE_ARN'),
          AWS_WEB_IDENTITY_TOKEN_FILE: '/tmp/aws-web-identity-token',
        },
        steps: [
          {
            name: "GitHub's OIDC token for AWS (the provider assumes AWS_ROLE_ARN with it)",
            run:
              'curl -sSf -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \\\n' +
              '  "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=sts.amazonaws.com" | jq -r .value > "$AWS_WEB_IDENTITY_TOKEN_FILE"\n',
          },
        ],
      };
    case 'azure':
      return {
        env: {
          ARM_USE_OIDC: 'true',
          ARM_CLIENT_ID: expr('secrets.ARM_CLIENT_ID'),
          ARM_TENANT_ID: expr('secrets.ARM_TENANT_ID'),
          TF_VAR_subscription_id: expr('secrets.ARM_SUBSCRIPTION_ID'),
        },
        steps: [],
      };
    case 'gcp':
      return { env: { GOOGLE_CREDENTIALS: expr('secrets.GOOGLE_CREDENTIALS') }, steps: [] };
    default:
      return { env: {}, steps: [] };
  }
}

function setupSteps(plan: WorkflowPlan, environment: string): Step[] {
  return [
    checkout(),
    ...installSlipway(plan),
    {
      name: 'slipway render --format terraform',
      run: `slipway render -f ${plan.specPath} --format terraform --out "${ROOT}"\n`,
    },
    {
      uses: uses('setupTerraform'),
      with: { terraform_version: TERRAFORM_VERSION, terraform_wrapper: false },
    },
    {
      name: 'State backend and cluster access from the GitHub Environment',
      env: {
        TF_BACKEND: expr('secrets.TF_BACKEND'),
        TF_KUBECONFIG: expr('secrets.TF_KUBECONFIG'),
        ENVIRONMENT: environment,
      },
      run: [
        `dir="${ROOT}/environments/$ENVIRONMENT"`,
        // infrastructure.state renders the backend block into versions.tf; the secret then only overrides it.
        'if [ -n "$TF_BACKEND" ]; then',
        `  printf '%s\\n' "$TF_BACKEND" > "$dir/backend_override.tf"`,
        'elif ! grep -qs \'^  backend "\' "$dir/versions.tf"; then',
        '  echo "::error::set infrastructure.state in the spec, or the TF_BACKEND secret of this GitHub Environment to a terraform { backend ... } block: CI does not keep local state"',
        '  exit 1',
        'fi',
        'umask 077',
        `printf '%s' "$TF_KUBECONFIG" > "$RUNNER_TEMP/kubeconfig"`,
        'echo "TF_VAR_kubeconfig_path=$RUNNER_TEMP/kubeconfig" >> "$GITHUB_ENV"',
        '',
      ].join('\n'),
    },
  ];
}

function planJob(plan: WorkflowPlan, environments: InfraEnvironment[]): Job {
  const providers = [...new Set(environments.map((e) => e.provider))];
  const signIn = cloudSignIn(providers.length === 1 ? providers[0] : undefined);
  return {
    name: `terraform plan (${expr('matrix.environment')})`,
    if: "github.event_name == 'pull_request'",
    'runs-on': runsOn(plan, 'deploy'),
    environment: PLAN_ENVIRONMENT,
    // A newer push to the pull request waits for the running plan (its state lock is not taken).
    concurrency: {
      group: `terraform-plan-${plan.app}-${expr('github.ref')}-${expr('matrix.environment')}`,
      'cancel-in-progress': false,
    },
    permissions: { contents: 'read', 'pull-requests': 'write', 'id-token': 'write' },
    strategy: { 'fail-fast': false, matrix: { environment: environments.map((e) => e.name) } },
    ...(Object.keys(signIn.env).length ? { env: signIn.env } : {}),
    steps: [
      ...setupSteps(plan, expr('matrix.environment')),
      ...signIn.steps,
      {
        name: 'terraform plan',
        env: { ENVIRONMENT: expr('matrix.environment') },
        run: [
          // A run step without shell: is bash -e without pipefail: tee would hide a failed plan.
          'set -o pipefail',
          `dir="${ROOT}/environments/$ENVIRONMENT"`,
          'terraform -chdir="$dir" init -input=false',
          'terraform -chdir="$dir" plan -input=false -no-color -lock=false | tee "$RUNNER_TEMP/plan.txt"',
          '',
        ].join('\n'),
      },
      {
        name: 'Post the plan on the pull request',
        uses: uses('githubScript'),
        env: { ENVIRONMENT: expr('matrix.environment') },
        with: {
          script: [
            "const fs = require('fs');",
            "const plan = fs.readFileSync(`${process.env.RUNNER_TEMP}/plan.txt`, 'utf8');",
            '// A comment holds 65536 characters: the end of a long plan (its summary) is what matters.',
            "const text = plan.length > 60000 ? '...\\n' + plan.slice(-60000) : plan;",
            'await github.rest.issues.createComment({',
            '  owner: context.repo.owner,',
            '  repo: context.repo.repo,',
            '  issue_number: context.issue.number,',
            '  body: `#### terraform plan: ${process.env.ENVIRONMENT}\\n\\n\\`\\`\\`\\n${text}\\n\\`\\`\\``,',
            '});',
            '',
          ].join('\n'),
        },
      },
    ],
  };
}

function applyJob(plan: WorkflowPlan, env: InfraEnvironment, previous: string | undefined): Job {
  const signIn = cloudSignIn(env.provider);
  return {
    name: `terraform apply (${env.name})`,
    if: "github.event_name != 'pull_request'",
    ...(previous ? { needs: [previous] } : {}),
    'runs-on': runsOn(plan, 'deploy'),
    // The GitHub Environment of the deploy: production's required reviewers approve this apply too.
    environment: env.name,
    concurrency: { group: `terraform-${plan.app}-${env.name}`, 'cancel-in-progress': false },
    permissions: { contents: 'read', 'id-token': 'write' },
    ...(Object.keys(signIn.env).length ? { env: signIn.env } : {}),
    steps: [
      ...setupSteps(plan, env.name),
      ...signIn.steps,
      {
        name: 'terraform apply',
        env: { ENVIRONMENT: env.name },
        run: [
          `dir="${ROOT}/environments/$ENVIRONMENT"`,
          'terraform -chdir="$dir" init -input=false',
          'terraform -chdir="$dir" apply -input=false -auto-approve',
          '',
        ].join('\n'),
      },
    ],
  };
}

/** `undefined` when no environment declares infrastructure: there is no cloud to plan for. */
export function infraWorkflow(plan: WorkflowPlan, environments: InfraEnvironment[]): string | undefined {
  if (!environments.some((e) => e.provider)) return undefined;
  const ordered = [...environments].sort((a, b) => {
    const gated = (name: string) => plan.gated.includes(name);
    return Number(gated(a.name)) - Number(gated(b.name));
  });
  const jobs: Record<string, Job> = { plan: planJob(plan, ordered) };
  let previous: string | undefined;
  for (const env of ordered) {
    jobs[id('apply', env.name)] = applyJob(plan, env, previous);
    previous = id('apply', env.name);
  }
  return workflowYaml(
    [
      `Written by slipway render --format workflows from ${plan.specPath}; change the spec, not this file.`,
      'Terraform of slipway render --format terraform: plan on pull requests (posted as a comment),',
      'apply on main one environment after another, each behind its GitHub Environment. docs/infrastructure.md',
    ],
    {
      name: 'Infrastructure',
      on: {
        pull_request: { paths: [plan.specPath] },
        push: { branches: [MAIN_BRANCH], paths: [plan.specPath] },
        workflow_dispatch: null,
      },
      permissions: {},
      jobs,
    },
  );
}
