/** The "drift found" runbook: what `slipway drift` (and the scheduled drift.yml) reported, and the way back. */
import type { RunbookInput } from './deploy.js';
import { selector } from './facts.js';
import { code, header } from './markdown.js';

export function driftRunbook(input: RunbookInput): string {
  const out = [header('Drift found', input.app, input.specPath)];
  out.push(
    "`slipway drift` (run daily by `.github/workflows/drift.yml`) compares each environment's live objects with what its current release applied and exits 1 when they differ: fields changed (with the manager that changed them: `kubectl-edit`, `kubectl-set`, `kubectl-patch`, `kubectl` for `kubectl scale`), objects of the release that are missing, and orphans (objects labelled `app.kubernetes.io/part-of=" +
      input.app +
      '` that no release applied). Replicas set by an HPA, defaults, status and annotations added by other managers are never drift.\n\n',
  );
  for (const env of input.environments) {
    const target = `-f ${input.specPath} --env ${env.name}`;
    out.push(`## ${env.name} (namespace \`${env.namespace}\`)\n\n`);
    out.push('1. What drifted, and who changed it:\n\n');
    out.push(code([`slipway drift ${target}`, `slipway drift ${target} --output json`]));
    out.push(
      '2. Was it an emergency fix that must stay? Then put it into the spec and deploy it (the next deploy would undo it otherwise). Was the working tree ahead of the release? The report says so in a note; `slipway diff` shows what a deploy would change.\n\n',
    );
    out.push(code([`slipway diff ${target}`, `slipway deploy ${target}`]));
    out.push(
      '3. Otherwise put the release back: `--fix` applies its objects again and removes fields other managers added, then checks again (exit 0 when clean); `--prune` also deletes the orphans.\n\n',
    );
    out.push(code([`slipway drift ${target} --fix`, `slipway drift ${target} --fix --prune`]));
    out.push('4. The field owners, as the API server records them:\n\n');
    out.push(
      code([
        `kubectl -n ${env.namespace} get deploy,sts,svc,cm -l ${selector(input.app)} -o yaml --show-managed-fields`,
      ]),
    );
  }
  return out.join('');
}
