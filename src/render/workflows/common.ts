/** Steps and job fragments several workflows share. */
import { uses } from './actions.js';
import {
  NODE_VERSION,
  REGISTRY_PASSWORD_SECRET,
  REGISTRY_USERNAME_SECRET,
  SLIPWAY_PACKAGE,
} from './defaults.js';
import type { BuiltImage, WorkflowPlan } from './plan.js';
import { expr } from './yaml.js';

export type Step = Record<string, unknown>;
export type Job = Record<string, unknown>;

export function checkout(extra: Record<string, unknown> = {}): Step {
  // persist-credentials: false keeps the token out of .git/config, where later steps could read it.
  return { uses: uses('checkout'), with: { 'persist-credentials': false, ...extra } };
}

/** Node plus the Slipway CLI of the version that wrote these workflows, so CI renders what the developer rendered. */
export function installSlipway(plan: WorkflowPlan): Step[] {
  return [
    { uses: uses('setupNode'), with: { 'node-version': NODE_VERSION } },
    { name: 'Install Slipway', run: `npm install --global ${SLIPWAY_PACKAGE}@${plan.slipwayVersion}` },
  ];
}

/** Writes the environment's kubeconfig secret to a file only this job reads. */
export function kubeconfigStep(secret: string): Step {
  return {
    name: 'Write kubeconfig',
    env: { KUBECONFIG_DATA: expr(`secrets.${secret}`) },
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
