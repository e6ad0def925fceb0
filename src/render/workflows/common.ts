/** Steps and job fragments several workflows share. */
import { uses } from './actions.js';
import {
  NODE_VERSION,
  REGISTRY_PASSWORD_SECRET,
  REGISTRY_USERNAME_SECRET,
  SLIPWAY_PACKAGE,
} from './defaults.js';
import type { BuiltImage, RunnerKind, RunsOn, WorkflowPlan } from './plan.js';
import { expr } from './yaml.js';

export type Step = Record<string, unknown>;
export type Job = Record<string, unknown>;

/** The `runs-on` of a job of this kind (`ci.runner`). */
export function runsOn(plan: WorkflowPlan, kind: RunnerKind): RunsOn {
  return plan.runners[kind];
}

export function checkout(extra: Record<string, unknown> = {}): Step {
  // persist-credentials: false keeps the token out of .git/config, where later steps could read it.
  return { uses: uses('checkout'), with: { 'persist-credentials': false, ...extra } };
}

/**
 * Node plus the Slipway CLI that wrote these workflows, byte for byte: the tarball is fetched by
 * name and version, then its sha512 must equal the integrity npm recorded when the developer
 * installed that Slipway, or nothing is installed. A package published under the name by someone
 * else (a squatted or hijacked name) never runs here. The release tarball carries an
 * npm-shrinkwrap.json, so its dependencies are pinned with their integrity too, and
 * --ignore-scripts keeps install scripts from running.
 */
export function installSlipway(plan: WorkflowPlan): Step[] {
  return [
    { uses: uses('setupNode'), with: { 'node-version': NODE_VERSION } },
    {
      name: `Install Slipway ${plan.slipwayVersion} (integrity-checked)`,
      env: {
        SLIPWAY_PACKAGE: `${SLIPWAY_PACKAGE}@${plan.slipwayVersion}`,
        SLIPWAY_INTEGRITY: plan.slipwayIntegrity ?? '',
      },
      run: INSTALL_SCRIPT,
    },
  ];
}

export const INSTALL_SCRIPT =
  [
    'if [ -z "$SLIPWAY_INTEGRITY" ]; then',
    '  echo "::error::no Slipway integrity pinned: re-render the workflows with an npm-installed slipway"',
    '  exit 1',
    'fi',
    'cd "$RUNNER_TEMP"',
    'TARBALL=$(npm pack "$SLIPWAY_PACKAGE" --silent | tail -n 1)',
    'ACTUAL=$(node -e \'process.stdout.write("sha512-" + require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))\' "$TARBALL")',
    'if [ "$ACTUAL" != "$SLIPWAY_INTEGRITY" ]; then',
    '  echo "::error::$SLIPWAY_PACKAGE is not the package these workflows were rendered with ($ACTUAL, expected $SLIPWAY_INTEGRITY)"',
    '  exit 1',
    'fi',
    // A project directory, not --global: npm records the tarball's integrity in its lockfile there,
    // so the installed slipway knows it and renders the same pin (global installs keep no lockfile).
    'npm install --prefix slipway-cli --ignore-scripts --no-audit --no-fund "./$TARBALL"',
    'echo "$RUNNER_TEMP/slipway-cli/node_modules/.bin" >> "$GITHUB_PATH"',
  ].join('\n') + '\n';

/**
 * Writes the environment's kubeconfig secret to a file only this job reads; with `fallback`, that
 * secret when the first one is not set (GitHub gives an unset secret as an empty string).
 */
export function kubeconfigStep(secret: string, fallback?: string): Step {
  return {
    name: 'Write kubeconfig',
    env: {
      KUBECONFIG_DATA: expr(fallback ? `secrets.${secret} || secrets.${fallback}` : `secrets.${secret}`),
    },
    run:
      [
        'umask 077',
        'printf \'%s\' "$KUBECONFIG_DATA" > "$RUNNER_TEMP/kubeconfig"',
        'echo "KUBECONFIG=$RUNNER_TEMP/kubeconfig" >> "$GITHUB_ENV"',
      ].join('\n') + '\n',
  };
}

/** The concurrency group shared by cd.yml and promote.yml: one deploy per app and environment, never cancelled mid-way. */
export function deployConcurrency(app: string, environment: string): Record<string, unknown> {
  return { group: `slipway-deploy-${app}-${environment}`, 'cancel-in-progress': false };
}

/** Upper-case environment-variable name for a service's image digest. */
export function digestVar(image: BuiltImage): string {
  return `DIGEST_${image.service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The `--set-image` flags of one deploy: every service running a built image, by digest. */
export function setImageFlags(plan: WorkflowPlan): string {
  return plan.images
    .flatMap((image) =>
      image.runBy.map((service) => `--set-image "${service}=${image.repository}@\${${digestVar(image)}}"`),
    )
    .join(' \\\n  ');
}

export function registryLogin(image: BuiltImage): Step {
  const ghcr = image.registry === 'ghcr.io';
  return {
    name: `Log in to ${image.registry}`,
    uses: uses('login'),
    with: {
      registry: image.registry,
      username: ghcr ? expr('github.actor') : expr(`secrets.${REGISTRY_USERNAME_SECRET}`),
      password: ghcr ? expr('secrets.GITHUB_TOKEN') : expr(`secrets.${REGISTRY_PASSWORD_SECRET}`),
    },
  };
}
