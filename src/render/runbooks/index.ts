/**
 * The `runbooks` format: docs/runbooks/*.md written for this app, with its service names,
 * namespaces per environment, the object names and labels render produced, and the exact
 * slipway and kubectl commands. Pure: the rendered environments in, Markdown out.
 */
import type { FormatInput, FormatOutput, FormatWriter } from '../format.js';
import { dashboardUid } from '../dashboards/index.js';
import { deployRunbook, failedDeployRunbook, rollbackRunbook, type RunbookInput } from './deploy.js';
import { driftRunbook } from './drift.js';
import { environmentFacts } from './facts.js';
import { header } from './markdown.js';
import { restoreRunbook, secretsRunbook, triageRunbook } from './operations.js';

export const RUNBOOKS_DIR = 'docs/runbooks';

export function writeRunbooks(input: FormatInput, specPath = 'slipway.yaml'): FormatOutput {
  const app = input.spec.app;
  const rb: RunbookInput = {
    app,
    specPath,
    environments: input.environments.map((e) => environmentFacts(app, e)),
  };
  const pages: [string, string, string][] = [
    ['deploy.md', 'Deploy', deployRunbook(rb)],
    ['rollback.md', 'Rollback', rollbackRunbook(rb)],
    ['failed-deploy.md', 'Failed deploy', failedDeployRunbook(rb)],
    ['incident-triage.md', 'Incident triage', triageRunbook(rb, dashboardUid(app))],
    ['restore-from-backup.md', 'Restore from backup', restoreRunbook(rb)],
    ['secret-rotation.md', 'Secret rotation', secretsRunbook(rb)],
    ['drift-found.md', 'Drift found', driftRunbook(rb)],
  ];
  const files = new Map<string, string>();
  const index = [
    header('Runbooks', app, specPath),
    ...pages.map(([file, title]) => `- [${title}](${file})\n`),
    '\n',
  ];
  index.push(
    '| environment | namespace | strategy | approval | services | dependencies |\n|---|---|---|---|---|---|\n',
  );
  const list = (ws: { kind: string; name: string; names: string[] }[]) =>
    ws
      .map(
        (w) =>
          `${w.kind} \`${w.name}\`${w.names.length > 1 ? ` (as ${w.names.map((n) => `\`${n}\``).join(', ')})` : ''}`,
      )
      .join(', ') || '-';
  for (const e of rb.environments) {
    const deps = [
      ...e.dependencies.flatMap((d) => (d.workload ? [d.workload] : [])),
      ...e.backups.flatMap((b) =>
        b.cronJob ? [{ kind: 'CronJob', name: b.cronJob, names: [b.cronJob] }] : [],
      ),
    ];
    index.push(
      `| ${e.name} | \`${e.namespace}\` | ${e.strategy} | ${e.approval} | ${list(e.workloads)}${strategyNote(e.strategy)} | ${list(deps)} |\n`,
    );
  }
  files.set(`${RUNBOOKS_DIR}/README.md`, index.join(''));
  for (const [file, , text] of pages) files.set(`${RUNBOOKS_DIR}/${file}`, text);
  return { files, warnings: [] };
}

export const runbooksWriter: FormatWriter = {
  name: 'runbooks',
  description:
    'docs/runbooks/: deploy, rollback, failed deploy, incident triage, restore, secret rotation, drift found',
  scope: 'all',
  stdout: false,
  write: (input) => writeRunbooks(input, input.specPath),
};

/** What the deploy engine adds to the rendered names (src/engine/plan/blue-green.ts, canary-plan.ts). */
function strategyNote(strategy: string): string {
  if (strategy === 'blue-green')
    return ' (each Deployment behind a Service runs as `NAME-blue` / `NAME-green`, previewed by Service `NAME-preview`)';
  if (strategy === 'canary') return ' (during a rollout each Deployment has a `NAME-canary` beside it)';
  return '';
}
