/**
 * drift.yml and dr-drill.yml: scheduled checks.
 *   drift.yml    slipway drift --env ENV for every environment, with that environment's KUBECONFIG
 *                secret: the live objects against the current release; the report goes to the job
 *                summary and the job fails on drift (exit 1) or error (exit 2).
 *   dr-drill.yml slipway backup drill --env ENV for every environment with backups (weekly): the
 *                newest backup restored into a scratch namespace, verified, RTO and RPO measured
 *                against the spec's targets; the report goes to the job summary, a miss fails the job.
 *   backups.yml  slipway backup run --env ENV DEP on the spec's schedule, for the dependencies whose
 *                writer must be stopped for a consistent copy (ChromaDB): stopping it takes the API
 *                access a deployer has and a backup pod should not.
 */
import { checkout, installSlipway, kubeconfigStep, runsOn, type Job } from './common.js';
import { DR_DRILL_CRON, DRIFT_CRON, DRILL_KUBECONFIG_SECRET, KUBECONFIG_SECRET } from './defaults.js';
import type { WorkflowPlan } from './plan.js';
import { expr, workflowYaml } from './yaml.js';

/**
 * One job per environment, with that environment's KUBECONFIG (the GitHub Environment holds it, the
 * same one cd.yml deploys with), running `command` into a file whose text goes to the job summary
 * under `title`, with `after` lines appended to the summary, and the command's exit code as the job's.
 */
function scheduledJob(
  plan: WorkflowPlan,
  environments: string[],
  step: {
    name: string;
    group: string;
    comment: string[];
    command: string;
    title: string;
    after?: string[];
    /** The job's own kubeconfig secret, used when the Environment sets it (else KUBECONFIG). */
    kubeconfig?: string;
  },
): Job {
  const file = `${step.group}.txt`;
  return {
    'runs-on': runsOn(plan, 'deploy'),
    permissions: { contents: 'read' },
    strategy: { 'fail-fast': false, matrix: { environment: environments } },
    environment: expr('matrix.environment'),
    // Never cancelled mid-way; its own group, so a queued check never displaces a queued deploy.
    concurrency: {
      group: `slipway-${step.group}-${plan.app}-${expr('matrix.environment')}`,
      'cancel-in-progress': false,
    },
    steps: [
      checkout(),
      ...installSlipway(plan),
      step.kubeconfig
        ? kubeconfigStep(step.kubeconfig, KUBECONFIG_SECRET)
        : kubeconfigStep(KUBECONFIG_SECRET),
      {
        name: step.name,
        env: { ENVIRONMENT: expr('matrix.environment') },
        run:
          [
            ...step.comment.map((c) => `# ${c}`),
            'status=0',
            `${step.command} > ${file} 2>&1 || status=$?`,
            `cat ${file}`,
            '{',
            `  echo "### ${step.title} in $ENVIRONMENT"`,
            "  echo '```'",
            `  cat ${file}`,
            "  echo '```'",
            ...(step.after ?? []),
            '} >> "$GITHUB_STEP_SUMMARY"',
            'exit "$status"',
          ].join('\n') + '\n',
      },
    ],
  };
}

export function driftWorkflow(plan: WorkflowPlan): string {
  const job = scheduledJob(
    plan,
    plan.environments.map((e) => e.name),
    {
      name: 'slipway drift',
      group: 'drift',
      comment: ['Exit 0 in sync, 1 drift found, 2 error: the report reaches the job summary either way.'],
      command: `slipway drift -f ${plan.specPath} --env "$ENVIRONMENT"`,
      title: 'Drift',
      after: [
        '  if [ "$status" = 1 ]; then',
        `    echo "Put the release back: slipway drift -f ${plan.specPath} --env $ENVIRONMENT --fix (add --prune to delete orphans), or change it through the spec and deploy."`,
        '  fi',
      ],
    },
  );
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
  const job = scheduledJob(plan, envs, {
    name: 'slipway backup drill',
    group: 'drill',
    comment: [
      'Restores the newest backup of each dependency into a scratch namespace, verifies it and',
      'measures RTO and RPO against backups.<dep>.rto/rpo: exit 1 when a restore or a target fails.',
    ],
    command: `slipway backup drill -f ${plan.specPath} --env "$ENVIRONMENT"`,
    title: 'Restore drill',
    // The drill's own least-privilege identity (render --format terraform: drill_token_secret).
    kubeconfig: DRILL_KUBECONFIG_SECRET,
  });
  return workflowYaml(
    [
      `Written by slipway render --format workflows from ${plan.specPath}; change the spec, not this file.`,
      'Scheduled restore drill (weekly): restore, verify, measure RTO and RPO, in each environment with backups.',
    ],
    {
      name: 'DR drill',
      on: { schedule: [{ cron: DR_DRILL_CRON }], workflow_dispatch: null },
      permissions: {},
      jobs: { drill: job },
    },
  );
}

/** GitHub's schedule takes five-field cron only: the macros a CronJob also accepts, spelt out. */
const CRON_MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export function githubCron(schedule: string): string {
  return CRON_MACROS[schedule] ?? schedule.trim().split(/\s+/).join(' ');
}

/** `undefined` when every backup runs as a CronJob in the cluster. */
export function backupsWorkflow(plan: WorkflowPlan): string | undefined {
  // One job per dependency and schedule, in the environments that back it up on that schedule.
  const groups = new Map<string, { dependency: string; cron: string; environments: string[] }>();
  for (const e of plan.environments)
    for (const b of e.stoppedBackups) {
      const cron = githubCron(b.schedule);
      const key = `${b.dependency} ${cron}`;
      const group = groups.get(key) ?? { dependency: b.dependency, cron, environments: [] };
      group.environments.push(e.name);
      groups.set(key, group);
    }
  if (groups.size === 0) return undefined;
  const jobs: Record<string, Job> = {};
  for (const g of groups.values()) {
    let id = g.dependency;
    for (let n = 2; jobs[id]; n++) id = `${g.dependency}-${n}`;
    jobs[id] = {
      if: `github.event_name == 'workflow_dispatch' || github.event.schedule == '${g.cron}'`,
      ...scheduledJob(plan, g.environments, {
        name: `slipway backup run ${g.dependency}`,
        group: `backup-${g.dependency}`,
        comment: [
          `Stops ${g.dependency}'s StatefulSet, archives its data directory, starts it again (exit 1 when the`,
          'backup fails; the StatefulSet is scaled back either way).',
        ],
        command: `slipway backup run -f ${plan.specPath} --env "$ENVIRONMENT" ${g.dependency}`,
        title: `Backup of ${g.dependency}`,
      }),
    };
  }
  return workflowYaml(
    [
      `Written by slipway render --format workflows from ${plan.specPath}; change the spec, not this file.`,
      'Scheduled backups of dependencies whose writer must be stopped for a consistent copy (the others run as CronJobs).',
    ],
    {
      name: 'Backups',
      on: {
        schedule: [...new Set([...groups.values()].map((g) => g.cron))].map((cron) => ({ cron })),
        workflow_dispatch: null,
      },
      permissions: {},
      jobs,
    },
  );
}
