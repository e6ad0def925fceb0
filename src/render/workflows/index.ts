/**
 * The `workflows` format: GitHub Actions workflows for the app, written into `.github/workflows/`
 * of the output: ci.yml, cd.yml, promote.yml, drift.yml and (when backups are declared)
 * dr-drill.yml. `writeWorkflows` is pure: which files exist in the repository (for language
 * detection) and the Slipway version to install come in as arguments.
 */
import type { FormatInput, FormatOutput, FormatWarning, FormatWriter } from '../format.js';
import { cdWorkflow } from './cd.js';
import { ciWorkflow, policyTestsDir } from './ci.js';
import { dependencyImages } from './dependency-images.js';
import { filesOf, markerPathsOf, type RepositoryFiles } from './languages.js';
import { workflowPlan, type WorkflowEnvironment } from './plan.js';
import { promoteWorkflow } from './promote.js';
import { backupsWorkflow, driftWorkflow, drDrillWorkflow } from './scheduled.js';
import { backupTarget } from '../objects/backups.js';
import { infraWorkflow } from './infra.js';

export const WORKFLOWS_DIR = '.github/workflows';

export interface WorkflowOptions {
  /** slipway.yaml relative to the repository root (default `slipway.yaml`). */
  specPath?: string;
  slipwayVersion: string;
  /** `sha512-...` of the Slipway tarball to install; absent: the install step refuses to run. */
  slipwayIntegrity?: string;
  files: RepositoryFiles;
  /** The policy fixtures directory (relative to slipway.yaml) when it exists: ci.yml runs `slipway policy test` on it. */
  policyTests?: string;
}

export function writeWorkflows(input: FormatInput, opts: WorkflowOptions): FormatOutput {
  const environments: WorkflowEnvironment[] = input.environments.map((e) => ({
    name: e.environment,
    namespace: e.app.namespace,
    approval: e.app.approval,
    backups: Object.keys(e.app.backups),
    stoppedBackups: Object.entries(e.app.backups)
      .filter(([name]) => backupTarget(e.app, name)?.files?.stop)
      .map(([dependency, b]) => ({ dependency, schedule: b.schedule })),
    hosts: [
      ...new Set(
        Object.values(e.app.services).flatMap((s) => (s.public && !s.schedule ? [s.public.host] : [])),
      ),
    ].sort(),
  }));
  const plan = workflowPlan(input.spec, environments, {
    specPath: opts.specPath ?? 'slipway.yaml',
    slipwayVersion: opts.slipwayVersion,
    slipwayIntegrity: opts.slipwayIntegrity,
    files: opts.files,
    objectImages: (built) =>
      dependencyImages(
        input.environments.flatMap((e) => e.objects),
        built,
      ),
    configFiles: input.environments.flatMap((e) =>
      Object.values(e.app.services).flatMap((s) => (s.config ?? []).flatMap((c) => (c.from ? [c.from] : []))),
    ),
  });
  const warnings: FormatWarning[] = [];
  const files = new Map<string, string>();
  const ci = ciWorkflow(plan, opts.policyTests);
  files.set(`${WORKFLOWS_DIR}/ci.yml`, ci.yaml);
  files.set(`${WORKFLOWS_DIR}/cd.yml`, cdWorkflow(plan));
  files.set(`${WORKFLOWS_DIR}/promote.yml`, promoteWorkflow(plan));
  files.set(`${WORKFLOWS_DIR}/drift.yml`, driftWorkflow(plan));
  const drill = drDrillWorkflow(plan);
  if (drill) files.set(`${WORKFLOWS_DIR}/dr-drill.yml`, drill);
  const backups = backupsWorkflow(plan);
  if (backups) files.set(`${WORKFLOWS_DIR}/backups.yml`, backups);
  const infra = infraWorkflow(
    plan,
    input.environments.map((e) => ({ name: e.environment, provider: e.app.infrastructure?.provider })),
  );
  if (infra) files.set(`${WORKFLOWS_DIR}/infra.yml`, infra);

  for (const image of ci.untested) {
    warnings.push({
      format: 'workflows',
      path: `services.${image.service}.build.language`,
      message:
        image.language.source === 'unknown'
          ? `no go.mod, package.json, pyproject.toml, requirements.txt, Cargo.toml, pom.xml or build.gradle in ${image.context}: CI builds and scans the image but runs no lint or tests`
          : `CI has no lint/test steps for language "${image.language.language}": it builds and scans the image only`,
    });
  }
  for (const image of ci.uncovered) {
    warnings.push({
      format: 'workflows',
      path: 'ci.coverage',
      message: `CI cannot measure coverage for language "${image.language.language}" (service ${image.service}): its tests run without the coverage gate`,
    });
  }
  if (input.spec.ci?.policyTests && !opts.policyTests) {
    warnings.push({
      format: 'workflows',
      path: 'ci.policyTests',
      message: `${input.spec.ci.policyTests} is not a directory next to slipway.yaml: ci.yml runs no slipway policy test`,
    });
  }
  if (!plan.slipwayIntegrity) {
    warnings.push({
      format: 'workflows',
      path: '.github/workflows',
      message: `this Slipway ${plan.slipwayVersion} was not installed from an npm package, so no tarball integrity is known: the workflows' "Install Slipway" step fails until you render them with an installed release (npm install --global slipway@${plan.slipwayVersion}, then slipway render --format workflows)`,
    });
  }
  if (!plan.automatic) {
    warnings.push({
      format: 'workflows',
      path: 'environments',
      message:
        'no staging environment (or other without approval): cd.yml builds and signs images but deploys nowhere automatically',
    });
  }
  for (const service of Object.keys(input.spec.services)) {
    if (!plan.images.some((i) => i.runBy.includes(service)) && !input.spec.services[service]?.image) {
      warnings.push({
        format: 'workflows',
        path: `services.${service}`,
        message: 'neither build nor image: cd.yml cannot give this service an image',
      });
    }
  }
  return { files, warnings };
}

/**
 * Registry entry. `input.files` holds the marker files the CLI found next to slipway.yaml
 * (`wants` below names them); the keys are all that detection looks at.
 */
export const workflowsWriter: FormatWriter = {
  name: 'workflows',
  description:
    'GitHub Actions: ci.yml, cd.yml, promote.yml, drift.yml, dr-drill.yml under .github/workflows/',
  scope: 'all',
  stdout: false,
  wants: (spec) => [...markerPathsOf(spec), `${policyTestsDir(spec)}/`],
  write: (input) => {
    if (!input.slipway)
      throw new Error('the workflows writer needs input.slipway (the version the workflows install)');
    return writeWorkflows(input, {
      specPath: input.specPath,
      slipwayVersion: input.slipway.version,
      slipwayIntegrity: input.slipway.integrity,
      files: filesOf(Object.keys(input.files ?? {})),
      policyTests: input.directories?.includes(`${policyTestsDir(input.spec)}/`)
        ? policyTestsDir(input.spec)
        : undefined,
    });
  },
};
