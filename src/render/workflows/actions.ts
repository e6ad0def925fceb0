/**
 * Every third-party action the generated workflows use, pinned to the full commit SHA of a real
 * release. A tag can be moved to malicious code after the fact (tj-actions/changed-files, March
 * 2025); a 40-hex SHA cannot. The version goes into a `# vX.Y.Z` comment after the pin so people
 * and Dependabot (which updates such comments) can read it.
 *
 * `confirmed` says where the SHA-to-version pairing was checked: public workflow files that pin
 * the same SHA with the same version comment, found with the code search over GitHub repositories
 * (the number is how many independent repositories agreed). To upgrade: look the new release's
 * commit up on the action's Releases page, change the row, and run `npx vitest run test/workflows`.
 */

export interface PinnedAction {
  /** `owner/repo` or `owner/repo/path` as written in `uses:`. */
  name: string;
  version: string;
  sha: string;
  confirmed: string;
}

export const ACTIONS = {
  checkout: {
    name: 'actions/checkout',
    version: 'v4.2.2',
    sha: '11bd71901bbe5b1630ceea73d27597364c9af683',
    confirmed: 'code search: 10 workflow files pin this SHA, several with "# v4.2.2"',
  },
  setupGo: {
    name: 'actions/setup-go',
    version: 'v5.5.0',
    sha: 'd35c59abb061a4a6fb18e82ac0862c26744d6ab5',
    confirmed: 'code search: 10 workflow files, 7 with "# v5.5.0"',
  },
  setupNode: {
    name: 'actions/setup-node',
    version: 'v4.4.0',
    sha: '49933ea5288caeca8642d1e84afbd3f7d6820020',
    confirmed: 'code search: 10 workflow files, 6 with "# v4.4.0"',
  },
  setupPython: {
    name: 'actions/setup-python',
    version: 'v5.6.0',
    sha: 'a26af69be951a213d495a4c3e4e4022e16d87065',
    confirmed: 'code search: 10 files with "# v5.6.0"',
  },
  setupQemu: {
    name: 'docker/setup-qemu-action',
    version: 'v3.6.0',
    sha: '29109295f81e9208d7d86ff1c6c12d2833863392',
    confirmed: 'code search: 10 files, 2 with "# v3.6.0"',
  },
  setupBuildx: {
    name: 'docker/setup-buildx-action',
    version: 'v3.11.1',
    sha: 'e468171a9de216ec08956ac3ada2f0791b6bd435',
    confirmed: 'code search: 10 files, 5 with "# v3.11.1" or "version=v3.11.1"',
  },
  login: {
    name: 'docker/login-action',
    version: 'v3.4.0',
    sha: '74a5d142397b4f367a81961eba4e8cd7edddf772',
    confirmed: 'code search: 10 files, 7 with "# v3.4.0"',
  },
  buildPush: {
    name: 'docker/build-push-action',
    version: 'v6.18.0',
    sha: '263435318d21b8e681c14492fe198d362a7d2c83',
    confirmed: 'code search: 10 files, 6 with "# v6.18.0"',
  },
  trivy: {
    name: 'aquasecurity/trivy-action',
    version: '0.32.0',
    sha: 'dc5a429b52fcf669ce959baa2c2dd26090d2a6c4',
    confirmed: 'code search: 5 files, 3 with "# 0.32.0" / "# v0.32.0"',
  },
  sbom: {
    name: 'anchore/sbom-action',
    version: 'v0.23.0',
    sha: '17ae1740179002c89186b61233e0f892c3118b11',
    confirmed: 'code search: 10 files, 5 with "v0.23.0"',
  },
  uploadSarif: {
    name: 'github/codeql-action/upload-sarif',
    version: 'v4.31.9',
    sha: '5d4e8d1aca955e8d8589aabd499c5cae939e33c7',
    confirmed: 'code search: 9 files, all with "# v4.31.9"',
  },
  // init, analyze and upload-sarif are directories of one repository: one release commit pins all three.
  codeqlInit: {
    name: 'github/codeql-action/init',
    version: 'v4.31.9',
    sha: '5d4e8d1aca955e8d8589aabd499c5cae939e33c7',
    confirmed: 'same repository and release commit as uploadSarif (github/codeql-action v4.31.9)',
  },
  codeqlAnalyze: {
    name: 'github/codeql-action/analyze',
    version: 'v4.31.9',
    sha: '5d4e8d1aca955e8d8589aabd499c5cae939e33c7',
    confirmed: 'same repository and release commit as uploadSarif (github/codeql-action v4.31.9)',
  },
  cosignInstaller: {
    name: 'sigstore/cosign-installer',
    version: 'v3.8.1',
    sha: 'd7d6bc7722e3daa8354c50bcb52f4837da5e9b6a',
    confirmed: 'code search: 10 files, 8 with "# v3.8.1"',
  },
  setupTerraform: {
    name: 'hashicorp/setup-terraform',
    version: 'v3.1.2',
    sha: 'b9cd54a3c349d3f38e8881555d616ced269862dd',
    confirmed: 'code search: 10 files pin this SHA, several with "# v3.1.2" or listing it as 3.1.2',
  },
  githubScript: {
    name: 'actions/github-script',
    version: 'v7.0.1',
    sha: '60a0d83039c74a4aee543508d2ffcb1c3799cdea',
    confirmed: 'code search: 10 files pin this SHA, several with "# v7.0.1"',
  },
  setupHelm: {
    name: 'azure/setup-helm',
    version: 'v4.3.0',
    sha: 'b9e51907a09c216f16ebe8536097933489208112',
    confirmed: 'code search: 10 files pin this SHA, several with "# v4.3.0"',
  },
} as const satisfies Record<string, PinnedAction>;

export type ActionKey = keyof typeof ACTIONS;

/** `owner/repo@sha`: the value of a `uses:` key; the version comment is added when the YAML is written. */
export function uses(key: ActionKey): string {
  const action = ACTIONS[key];
  return `${action.name}@${action.sha}`;
}

/** The version of a pinned SHA, for the `# vX.Y.Z` comment. */
export function versionOfSha(sha: string): string | undefined {
  return Object.values(ACTIONS).find((a) => a.sha === sha)?.version;
}
