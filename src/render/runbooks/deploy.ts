/** Runbooks for releases: deploy, rollback, failed deploy. Commands follow the deploy contract of issue 6. */
import { kind, selector, type EnvironmentFacts } from './facts.js';
import { code, header, table } from './markdown.js';

export interface RunbookInput {
  app: string;
  specPath: string;
  environments: EnvironmentFacts[];
}

const EXIT_CODES = table(
  ['exit', 'meaning', 'what to do'],
  [
    ['0', 'deployed', 'nothing'],
    [
      '1',
      'the release failed and was rolled back (or aborted) cleanly',
      'read the failed step below; the previous version is serving',
    ],
    ['2', 'bad input (spec, flags)', 'fix what the message names, deploy again'],
    [
      '3',
      'cluster unreachable, timeout, or the release needs attention',
      'run the command the message names (usually `slipway rollback` or a re-run of `slipway deploy`)',
    ],
  ],
);

export function deployRunbook(input: RunbookInput): string {
  const out = [header('Deploy', input.app, input.specPath)];
  out.push(
    'Every deploy runs the same steps: render, check (errors block), lock, migrate, roll out, analyse, switch, clean up. ',
  );
  out.push(
    'Migrations run inside `slipway deploy` as a Job before any traffic moves; a failed migration switches nothing.\n\n',
  );
  out.push('## The normal path (CI)\n\n');
  out.push('- Merge to `main`: `cd.yml` builds, signs and deploys to the automatic environment by digest.\n');
  out.push(
    '- Release: `slipway release` then `git push --follow-tags`; the tag deploys to approval environments after a reviewer approves in the GitHub Environment.\n',
  );
  out.push('- By hand: Actions > Promote > Run workflow, with the environment and the tag or commit.\n\n');
  for (const env of input.environments) {
    out.push(
      `## ${env.name} (namespace \`${env.namespace}\`, strategy ${env.strategy}${env.approval === 'required' ? ', approval required' : ''})\n\n`,
    );
    out.push('From a checkout, with the kubeconfig of this environment:\n\n');
    const images = env.workloads.map((w) => `  --set-image ${w.service}=IMAGE@sha256:DIGEST`);
    out.push(
      code([
        `slipway diff -f ${input.specPath} --env ${env.name}`,
        `slipway deploy -f ${input.specPath} --env ${env.name} \\`,
        ...images.map((l, i) => (i < images.length - 1 ? `${l} \\` : l)),
      ]),
    );
    out.push('Verify:\n\n');
    out.push(
      code([
        `slipway status --env ${env.name}`,
        `kubectl -n ${env.namespace} get pods -l ${selector(input.app)}`,
        ...env.workloads
          .filter((w) => w.kind !== 'CronJob')
          .map(
            (w) =>
              `kubectl -n ${env.namespace} rollout status ${kind(w)} -l ${selector(input.app, w.service)} --timeout=5m`,
          ),
        ...env.hosts.map((h) => `curl -fsS https://${h}/ -o /dev/null -w '%{http_code} %{time_total}s\\n'`),
      ]),
    );
  }
  out.push('## Exit codes\n\n', EXIT_CODES);
  return out.join('');
}

export function rollbackRunbook(input: RunbookInput): string {
  const out = [header('Rollback', input.app, input.specPath)];
  out.push(
    'A failed deploy rolls itself back. This page is for a release that deployed fine and is wrong.\n\n',
  );
  out.push(
    'Migrations are not reverted by a rollback: the previous version must work with the new schema (expand, then contract).\n\n',
  );
  for (const env of input.environments) {
    out.push(`## ${env.name} (namespace \`${env.namespace}\`)\n\n`);
    out.push(
      code([
        `slipway history --env ${env.name}            # find the last good REVISION`,
        `slipway rollback --env ${env.name}           # to the previous revision`,
        `slipway rollback --env ${env.name} --to REVISION`,
        `slipway status --env ${env.name}`,
      ]),
    );
    if (env.strategy === 'blue-green') {
      out.push(
        `Blue-green: for ${env.scaleDownDelay ?? '30s'} after a switch the previous colour is still running, so a rollback inside that window is one Service selector update. Which colour serves:\n\n`,
      );
      out.push(
        code([
          `kubectl -n ${env.namespace} get deployments -l ${selector(input.app)} -L slipway.dev/colour`,
          ...env.workloads
            .filter((w) => w.kind === 'Deployment' && w.serviceName)
            .map(
              (w) =>
                `kubectl -n ${env.namespace} get service ${w.serviceName} -o jsonpath='{.spec.selector}'`,
            ),
        ]),
      );
    }
    out.push(
      'The release records are Secrets in the namespace; without Slipway at hand, read them with:\n\n',
    );
    out.push(
      code([
        `kubectl -n ${env.namespace} get secrets -l slipway.dev/app=${input.app},slipway.dev/env=${env.name} -L slipway.dev/revision,slipway.dev/status`,
      ]),
    );
    const rolling = env.workloads.filter((w) => w.kind !== 'CronJob');
    if (env.strategy === 'rolling' && rolling.length) {
      out.push(
        'Last resort when Slipway cannot run (the next `slipway deploy` brings the release record back in line):\n\n',
      );
      out.push(code(rolling.map((w) => `kubectl -n ${env.namespace} rollout undo ${w.ref}`)));
    }
  }
  return out.join('');
}

export function failedDeployRunbook(input: RunbookInput): string {
  const out = [header('Failed deploy', input.app, input.specPath)];
  out.push(
    '`slipway deploy` prints each step with its duration and, on failure, what failed and which command resolves it.\n\n',
  );
  out.push(EXIT_CODES);
  for (const env of input.environments) {
    const ns = `kubectl -n ${env.namespace}`;
    out.push(`## ${env.name} (namespace \`${env.namespace}\`)\n\n`);
    out.push('1. Where is it now?\n\n');
    out.push(code([`slipway status --env ${env.name}`, `slipway history --env ${env.name}`]));
    out.push(
      '2. Another deploy holds the lock ("lock held by ..."): wait for it, or, if its holder died, the lock is taken over after its TTL. Inspect it:\n\n',
    );
    out.push(code([`${ns} get lease slipway-lock-${input.app}-${env.name} -o yaml`]));
    if (env.migrations.length) {
      out.push(
        `3. The migration failed (${env.migrations.join(', ')}): nothing was switched. Read the Job's logs, fix, deploy again:\n\n`,
      );
      out.push(
        code([
          `${ns} get jobs -l ${selector(input.app)},app.kubernetes.io/component=migration`,
          `${ns} logs job/JOB_NAME --all-containers`,
        ]),
      );
    }
    out.push(
      `${env.migrations.length ? 4 : 3}. Pods never became ready (rolled back, exit 1): look at why.\n\n`,
    );
    out.push(
      code([
        `${ns} get pods -l ${selector(input.app)} -o wide`,
        `${ns} describe pod POD_NAME          # ImagePullBackOff, probes failing, OOMKilled`,
        `${ns} logs POD_NAME --previous`,
        `${ns} get events --sort-by=.lastTimestamp | tail -30`,
      ]),
    );
    out.push(
      `${env.migrations.length ? 5 : 4}. Analysis failed: the output shows the resolved query, each measurement and the decision. An inconclusive analysis pauses: decide with\n\n`,
    );
    out.push(
      code([
        `slipway promote --env ${env.name}    # continue`,
        `slipway abort --env ${env.name}      # switch back`,
      ]),
    );
    out.push(
      `${env.migrations.length ? 6 : 5}. Exit 3 (interrupted, timed out, cluster unreachable): re-run the same \`slipway deploy\`; it resumes or rolls back. It never leaves traffic on pods that are not ready.\n\n`,
    );
  }
  return out.join('');
}
