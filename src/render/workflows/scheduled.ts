/**
 * drift.yml and dr-drill.yml: scheduled checks.
 *   drift.yml    slipway drift --env ENV for every environment, with that environment's KUBECONFIG
 *                secret: the live objects against the current release; the report goes to the job
 *                summary and the job fails on drift (exit 1) or error (exit 2).
 * A workflow must not call a command that is not there; until `slipway backup drill` lands, the
 * drill runs the nearest real command and says, in a comment and in docs/workflows.md, what it
 * will call later:
 *   dr-drill.yml now: slipway check --env ENV for each environment with backups (the backup
 *                     configuration is valid); later: slipway backup drill --env ENV (restore the
 *                     latest backup into a scratch namespace, verify it, report the measured RTO).
 */
import { checkout, installSlipway, kubeconfigStep, type Job } from './common.js';
import { DR_DRILL_CRON, DRIFT_CRON, KUBECONFIG_SECRET, RUNNER } from './defaults.js';
import type { WorkflowPlan } from './plan.js';
import { expr, workflowYaml } from './yaml.js';

export function driftWorkflow(plan: WorkflowPlan): string {
  const job: Job = {
    'runs-on': RUNNER,
    permissions: { contents: 'read' },
    strategy: { 'fail-fast': false, matrix: { environment: plan.environments.map((e) => e.name) } },
    // The GitHub Environment holds this environment's KUBECONFIG secret (the same one cd.yml deploys with).
    environment: expr('matrix.environment'),
    // Never cancelled mid-way; its own group, so a queued check never displaces a queued deploy.
    concurrency: {
      group: `slipway-drift-${plan.app}-${expr('matrix.environment')}`,
      'cancel-in-progress': false,
    },
    steps: [
      checkout(),
      ...installSlipway(plan),
      kubeconfigStep(KUBECONFIG_SECRET),
      {
        name: 'slipway drift',
        env: { ENVIRONMENT: expr('matrix.environment') },
        run:
          [
            '# Exit 0 in sync, 1 drift found, 2 error: the report reaches the job summary either way.',
            'status=0',
            `slipway drift -f ${plan.specPath} --env "$ENVIRONMENT" > drift.txt 2>&1 || status=$?`,
            'cat drift.txt',
            '{',
            '  echo "### Drift in $ENVIRONMENT"',
            "  echo '```'",
            '  cat drift.txt',
            "  echo '```'",
            '  if [ "$status" = 1 ]; then',
            `    echo "Put the release back: slipway drift -f ${plan.specPath} --env $ENVIRONMENT --fix (add --prune to delete orphans), or change it through the spec and deploy."`,
            '  fi',
            '} >> "$GITHUB_STEP_SUMMARY"',
            'exit "$status"',
          ].join('\n') + '\n',
      },
    ],
  };
  return workflowYaml(
    [
      `Written by slipway render --format workflows from ${plan.specPath}; change the spec, not this file.`,
      "Scheduled drift check (daily): each environment's live objects against its current release.",
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
