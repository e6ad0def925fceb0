/**
 * ci.yml: on pull requests and pushes. Per built service: lint and test with the language's
 * tools, build the image (one platform, loaded into the runner's Docker), scan it with Trivy
 * (fail on CRITICAL) and write an SBOM; then `slipway check` per environment with SARIF uploaded
 * to code scanning. Nothing is pushed and no secret is used, so it is safe on forks' PRs.
 */
import { posix } from 'node:path';
import type { App } from '../../spec/schema.js';
import { uses } from './actions.js';
import { checkout, installSlipway, runsOn, type Job, type Step } from './common.js';
import { MAIN_BRANCH, SBOM_FORMAT } from './defaults.js';
import type { BuiltImage, WorkflowPlan } from './plan.js';
import { COVERAGE_LANGUAGES, lintAndTest } from './toolchain.js';
import { dependencyImagesJob } from './dependency-images.js';
import { expr, id, repoPath, workflowYaml } from './yaml.js';

export interface CiResult {
  yaml: string;
  /** Services whose language has no lint/test job (the image is still built and scanned). */
  untested: BuiltImage[];
  /** Services whose language's test step cannot enforce `ci.coverage`. */
  uncovered: BuiltImage[];
}

/** The team's policy fixtures, next to slipway.yaml, unless `ci.policyTests` names another directory. */
export const POLICY_TESTS_DIR = 'policy-tests';

export function policyTestsDir(spec: App): string {
  return posix.normalize(spec.ci?.policyTests ?? POLICY_TESTS_DIR).replace(/\/+$/, '');
}

/** `policyTests`: the fixtures directory relative to slipway.yaml, when it exists. */
export function ciWorkflow(plan: WorkflowPlan, policyTests?: string): CiResult {
  const jobs: Record<string, Job> = {};
  const untested: BuiltImage[] = [];
  const uncovered: BuiltImage[] = [];
  const seen = new Set<string>();
  for (const image of plan.images) {
    const dir = repoPath(plan.specPath, image.context);
    // Two services built from one context in one language share one test job.
    const key = `${dir}\0${image.language.language}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const steps = lintAndTest({
      language: image.language.language,
      dir,
      markers: image.language.markers,
      coverage: plan.gates.coverage,
    });
    if (plan.gates.coverage !== undefined && !COVERAGE_LANGUAGES.includes(image.language.language))
      uncovered.push(image);
    if (!steps) {
      untested.push(image);
      continue;
    }
    jobs[id('test', image.service)] = {
      name: `Lint and test (${image.language.language}, ${dir})`,
      'runs-on': runsOn(plan, 'build'),
      permissions: { contents: 'read' },
      steps: [checkout(), ...steps],
    };
  }
  for (const image of plan.images) jobs[id('image', image.service)] = imageJob(plan, image);
  const dependencies = dependencyImagesJob(plan);
  if (dependencies) jobs['dependency-images'] = dependencies;
  jobs.check = checkJob(plan);
  if (policyTests) jobs['policy-test'] = policyTestJob(plan, repoPath(plan.specPath, policyTests));
  const sast = codeqlJob(plan);
  if (sast) jobs.codeql = sast;
  const workflow = {
    name: 'CI',
    // Pushes to main and tags run this workflow from cd.yml (workflow_call), where deploys need it.
    on: { pull_request: null, workflow_call: null },
    permissions: {},
    // Called from cd.yml, `github` is cd.yml's context: its own group, and a newer push never cancels it.
    concurrency: {
      group: `ci-${expr('github.workflow')}-${expr('github.ref')}`,
      'cancel-in-progress': expr("github.event_name == 'pull_request'"),
    },
    jobs,
  };
  const header = [
    `Written by slipway render --format workflows from ${plan.specPath}; change the spec, not this file.`,
    `On pull requests, and called by cd.yml for every push to ${MAIN_BRANCH} and every version tag.`,
    'Lint and test each service, build and scan its image (Trivy, fail on CRITICAL), write an SBOM,',
    'and run slipway check with SARIF uploaded to code scanning (and slipway policy test on the',
    'policy fixtures next to the spec, when they exist).',
  ];
  return { yaml: workflowYaml(header, workflow), untested, uncovered };
}

function imageJob(plan: WorkflowPlan, image: BuiltImage): Job {
  const ref = `${image.repository}:ci-${expr('github.sha')}`;
  const steps: Step[] = [
    checkout(),
    { uses: uses('setupBuildx') },
    {
      name: 'Build (not pushed)',
      uses: uses('buildPush'),
      with: {
        context: repoPath(plan.specPath, image.context),
        file: repoPath(plan.specPath, image.dockerfile),
        // One platform: only a single-platform image can be loaded into the runner's Docker to scan it.
        platforms: 'linux/amd64',
        load: true,
        push: false,
        'cache-from': `type=gha,scope=${image.service}`,
        tags: ref,
      },
    },
    {
      name: `Scan with Trivy (fail on ${plan.gates.severity})`,
      uses: uses('trivy'),
      with: {
        'image-ref': ref,
        severity: plan.gates.severity,
        'ignore-unfixed': plan.gates.ignoreUnfixed,
        'exit-code': '1',
        format: 'table',
      },
    },
    {
      name: 'SBOM',
      uses: uses('sbom'),
      with: { image: ref, format: SBOM_FORMAT, 'artifact-name': `sbom-${image.service}.spdx.json` },
    },
  ];
  return {
    name: `Image ${image.service}: build, scan, SBOM`,
    'runs-on': runsOn(plan, 'build'),
    permissions: { contents: 'read' },
    steps,
  };
}

function checkJob(plan: WorkflowPlan): Job {
  const names = plan.environments.map((e) => e.name);
  const sarif = 'slipway-check.sarif';
  return {
    name: 'slipway check',
    'runs-on': runsOn(plan, 'default'),
    // security-events: write only here, for the SARIF upload to code scanning.
    permissions: { contents: 'read', 'security-events': 'write' },
    strategy: { 'fail-fast': false, matrix: { environment: names } },
    steps: [
      checkout(),
      ...installSlipway(plan),
      {
        name: 'Check the rendered objects',
        id: 'check',
        env: { ENVIRONMENT: expr('matrix.environment') },
        run: `slipway check ${plan.specPath} --env "$ENVIRONMENT" --output sarif > ${sarif}`,
      },
      {
        name: 'Upload SARIF to code scanning',
        // Findings are uploaded even when the check failed on them; that is when they matter.
        if: "always() && steps.check.outcome != 'skipped'",
        uses: uses('uploadSarif'),
        with: { sarif_file: sarif, category: `slipway-${expr('matrix.environment')}` },
      },
    ],
  };
}

/** The team's own policy fixtures judged by check and every admission export; the table goes to the job summary. */
function policyTestJob(plan: WorkflowPlan, dir: string): Job {
  return {
    name: 'slipway policy test',
    'runs-on': runsOn(plan, 'default'),
    permissions: { contents: 'read' },
    steps: [
      checkout(),
      ...installSlipway(plan),
      {
        name: `Policy fixtures in ${dir}`,
        env: { POLICY_TESTS: dir },
        // The table goes to the job summary whether it passed or not; the step keeps policy test's exit code.
        run: [
          'set +e',
          'slipway policy test "$POLICY_TESTS" > policy-test.txt 2>&1',
          'status=$?',
          'cat policy-test.txt',
          "{ echo '### slipway policy test'; echo '```'; cat policy-test.txt; echo '```'; } >> \"$GITHUB_STEP_SUMMARY\"",
          'exit "$status"',
        ].join('\n'),
      },
    ],
  };
}

/** CodeQL's name for each language it analyses; `other` has none. */
const CODEQL_LANGUAGES: Partial<Record<BuiltImage['language']['language'], string>> = {
  go: 'go',
  node: 'javascript-typescript',
  python: 'python',
  java: 'java-kotlin',
  rust: 'rust',
};

/** `ci.sast: true`: CodeQL over every built service's language, findings to code scanning. */
function codeqlJob(plan: WorkflowPlan): Job | undefined {
  if (!plan.gates.sast) return undefined;
  const languages = [
    ...new Set(plan.images.flatMap((i) => CODEQL_LANGUAGES[i.language.language] ?? [])),
  ].sort();
  if (!languages.length) return undefined;
  return {
    name: `CodeQL (${expr('matrix.language')})`,
    'runs-on': runsOn(plan, 'build'),
    permissions: { contents: 'read', 'security-events': 'write', actions: 'read' },
    strategy: { 'fail-fast': false, matrix: { language: languages } },
    steps: [
      checkout(),
      // Compiled languages are built by CodeQL's autobuild; the others are read from source.
      {
        uses: uses('codeqlInit'),
        with: {
          languages: expr('matrix.language'),
          'build-mode': expr(
            "(matrix.language == 'go' || matrix.language == 'java-kotlin') && 'autobuild' || 'none'",
          ),
        },
      },
      { uses: uses('codeqlAnalyze'), with: { category: `codeql-${expr('matrix.language')}` } },
    ],
  };
}
