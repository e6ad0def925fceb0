/**
 * drift.yml and dr-drill.yml: scheduled checks. The Slipway commands they are meant to run do
 * not exist yet, and a workflow must not call a command that is not there; until they land each
 * workflow runs the nearest real command and says, in a comment and in docs/workflows.md, what
 * it will call later:
 *   drift.yml    now: slipway check --env ENV (the spec still renders and passes policy for the
 *                     target Kubernetes version); later: slipway drift --env ENV (live objects
 *                     versus rendered ones, exit 1 on drift).
 *   dr-drill.yml now: slipway check --env ENV for each environment with backups (the backup
 *                     configuration is valid); later: slipway backup drill --env ENV (restore the
 *                     latest backup into a scratch namespace, verify it, report the measured RTO).
 */
import { checkout, installSlipway, type Job } from './common.js';
import { DR_DRILL_CRON, DRIFT_CRON, RUNNER } from './defaults.js';
import type { WorkflowPlan } from './plan.js';
import { expr, workflowYaml } from './yaml.js';

export function driftWorkflow(plan: WorkflowPlan): string {
  const job = scheduledJob(
    plan,
    plan.environments.map((e) => e.name),
    [
      '# Until `slipway drift` exists this checks the desired state only: the spec renders and passes',
      '# policy for every environment. Later: slipway drift -f SPEC --env "$ENVIRONMENT" (needs the',
      "# environment's KUBECONFIG secret and `environment: ${{ matrix.environment }}` on this job).",
    ],
  );
  return workflowYaml(
    [
      `Written by slipway render --format workflows from ${plan.specPath}; change the spec, not this file.`,
      'Scheduled drift check (daily). See the comment in the job for what it checks today.',
    ],
    {
      name: 'Drift',
      on: { schedule: [{ cron: DRIFT_CRON }], workflow_dispatch: null },
      permissions: {},
      jobs: { drift: job },
    },
  );
}

/** `undefined` when no environment has backups: a restore drill has nothing to restore. */
export function drDrillWorkflow(plan: WorkflowPlan): string | undefined {
  const envs = plan.environments.filter((e) => e.backups.length > 0).map((e) => e.name);
  if (envs.length === 0) return undefined;
  const job = scheduledJob(plan, envs, [
    '# Until `slipway backup drill` exists this validates the backup configuration only. Later:',
    '# slipway backup drill -f SPEC --env "$ENVIRONMENT" (restore the latest backup into a scratch',
    '# namespace, verify it, report the measured RTO; needs the KUBECONFIG environment secret).',
  ]);
  return workflowYaml(
    [
      `Written by slipway render --format workflows from ${plan.specPath}; change the spec, not this file.`,
      'Scheduled restore drill (weekly). See the comment in the job for what it runs today.',
    ],
    {
      name: 'DR drill',
      on: { schedule: [{ cron: DR_DRILL_CRON }], workflow_dispatch: null },
      permissions: {},
      jobs: { drill: job },
    },
  );
}

function scheduledJob(plan: WorkflowPlan, environments: string[], comment: string[]): Job {
  return {
    'runs-on': RUNNER,
    permissions: { contents: 'read' },
    strategy: { 'fail-fast': false, matrix: { environment: environments } },
    steps: [
      checkout(),
      ...installSlipway(plan),
      {
        name: 'slipway check',
        env: { ENVIRONMENT: expr('matrix.environment') },
        run: [...comment, `slipway check ${plan.specPath} --env "$ENVIRONMENT"`].join('\n') + '\n',
      },
    ],
  };
}
