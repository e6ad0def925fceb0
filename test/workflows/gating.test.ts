/**
 * Issue 20: CD runs only for commits whose CI passed. The rendered workflows of every example are
 * run through a GitHub-events evaluator (github-events.ts, from GitHub's documented semantics of
 * triggers, `needs`, `if` and reusable workflows) with each CI job failing in turn.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeWorkflows } from '../../src/render/workflows/index.js';
import { filesOf } from '../../src/render/workflows/languages.js';
import { evaluate, simulate, triggers, type GitHubEvent } from './github-events.js';
import { exampleSpecs, inputOfFile } from './helpers.js';

const MAIN: GitHubEvent = { name: 'push', ref: 'refs/heads/main' };
const TAG: GitHubEvent = { name: 'push', ref: 'refs/tags/v1.4.2' };
const CD = '.github/workflows/cd.yml';
const CI = '.github/workflows/ci.yml';

const deploysOf = (results: Map<string, string>) =>
  [...results].filter(([k, v]) => /#deploy-/.test(k) && v !== 'skipped').map(([k]) => k.split('#')[1]);
const publishedOf = (results: Map<string, string>) =>
  [...results].filter(([k, v]) => /^cd\.yml#image-/.test(k) && v !== 'skipped').map(([k]) => k);

describe('the evaluator reads GitHub semantics', () => {
  it('filters pushes by branch and tag, and needs skip dependents of a failure', () => {
    const wf = { on: { push: { branches: ['main'] } }, jobs: {} };
    expect(triggers(wf, MAIN)).toBe(true);
    expect(triggers(wf, TAG)).toBe(false);
    expect(triggers({ on: { push: { tags: ['v*'] } }, jobs: {} }, TAG)).toBe(true);
    expect(
      triggers({ on: { push: { tags: ['v*'] } }, jobs: {} }, { name: 'push', ref: 'refs/tags/x/v1' }),
    ).toBe(false);
    const files = new Map([
      [
        'w.yml',
        'on: { push: null }\njobs:\n  a: { runs-on: x }\n  b: { needs: a, runs-on: x }\n  c: { needs: b, if: always(), runs-on: x }\n',
      ],
    ]);
    const r = simulate('w.yml', { files, event: MAIN, outcomes: { 'w.yml#a': 'failure' } });
    expect(Object.fromEntries(r)).toEqual({
      'w.yml#a': 'failure',
      'w.yml#b': 'skipped',
      'w.yml#c': 'success',
    });
    const ctx = { github: { ref: 'refs/tags/V1' }, needs: {}, status: [] };
    expect(evaluate("startsWith(github.ref, 'refs/tags/v') && !(github.ref == 'x')", ctx)).toBe(true);
  });
});

describe('CD is gated on CI for the same commit', () => {
  for (const example of exampleSpecs()) {
    const out = writeWorkflows(inputOfFile(example.file), { slipwayVersion: '0.1.0', files: filesOf([]) });
    const files = out.files;
    const ciJobs = Object.keys((parse(files.get(CI)!) as { jobs: Record<string, unknown> }).jobs);

    describe(example.name, () => {
      it('a passing CI on main deploys the automatic environment only; a passing tag deploys all', () => {
        const main = simulate(CD, { files, event: MAIN });
        const tag = simulate(CD, { files, event: TAG });
        expect(main.get('cd.yml#ci')).toBe('success');
        const cd = parse(files.get(CD)!) as { jobs: Record<string, { environment?: string }> };
        const environments = Object.entries(cd.jobs).flatMap(([name, j]) =>
          name.startsWith('deploy-') && j.environment ? [j.environment] : [],
        );
        expect(deploysOf(tag).length).toBe(environments.length);
        expect(deploysOf(main).length).toBeLessThanOrEqual(1);
        // ci.yml no longer runs on its own for pushes: only through cd.yml, so no run races the other.
        expect(simulate(CI, { files, event: MAIN }).size).toBe(0);
      });

      it('a failing smoke test of the automatic environment holds every gated deploy of a tag', () => {
        const cd = parse(files.get(CD)!) as { jobs: Record<string, unknown> };
        const smoke = Object.keys(cd.jobs).find((j) => j.startsWith('smoke-'));
        if (!smoke) return; // no automatic environment: nothing deploys before the gated ones
        const results = simulate(CD, { files, event: TAG, outcomes: { [`cd.yml#${smoke}`]: 'failure' } });
        expect(deploysOf(results)).toEqual(
          [smoke.replace('smoke-', 'deploy-')].filter(() => true).slice(0, 1),
        );
      });

      it.each(ciJobs)(
        'CI job %s failing on a tagged commit: nothing is published, tagged or deployed',
        (job) => {
          for (const event of [MAIN, TAG]) {
            const results = simulate(CD, { files, event, outcomes: { [`ci.yml#${job}`]: 'failure' } });
            expect(results.get(`cd.yml>ci.yml#${job}`)).toBe('failure');
            expect(results.get('cd.yml#ci')).toBe('failure');
            expect(publishedOf(results), `${event.ref}`).toEqual([]);
            expect(deploysOf(results), `${event.ref}`).toEqual([]);
          }
        },
      );
    });
  }
});
