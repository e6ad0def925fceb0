import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/policy/engine.js';
import { parseManifests } from '../../src/policy/load/parse.js';
import { evaluatePss } from '../../src/policy/pss/evaluate.js';
import { PSS_LATEST } from '../../src/policy/pss/version.js';
import { workloadOf } from '../../src/policy/workloads.js';
import { sharedPath } from '../helpers/shared.js';

/**
 * Every upstream Pod Security Standards fixture (kubernetes/pod-security-admission testdata, v1.35):
 * files under pass/ are admitted at their level, files under fail/ are rejected, both by the decision
 * function and through `slipway check --profile pss-<level>` (the engine).
 */
const root = sharedPath('conformance', 'pod-security');
const OPTIONS = { kubeVersion: { major: 1, minor: 35 }, pssVersion: PSS_LATEST };

const cases = root
  ? (['baseline', 'restricted'] as const).flatMap((level) =>
      (['pass', 'fail'] as const).flatMap((expect) =>
        readdirSync(join(root, level, expect)).map((file) => ({
          level,
          expect,
          file,
          path: join(root, level, expect, file),
        })),
      ),
    )
  : [];

describe.skipIf(!root)('Pod Security Standards fixtures', () => {
  it('has the fixture set (148 files)', () => {
    expect(cases.length).toBe(148);
  });

  it.each(cases)('$level/$expect/$file', ({ level, expect: outcome, file, path }) => {
    const parsed = parseManifests(readFileSync(path, 'utf8'), file);
    expect(parsed.problems).toEqual([]);
    const pod = parsed.manifests[0];
    if (!pod) throw new Error('no pod');
    const w = workloadOf(pod);
    if (!w) throw new Error('no workload');
    expect(evaluatePss(w, level, PSS_LATEST).allowed).toBe(outcome === 'pass');
    // The same decision through the engine: a finding exactly when the fixture must be rejected.
    const result = check({ manifests: parsed.manifests, options: OPTIONS, profile: `pss-${level}` });
    expect(result.findings.length > 0).toBe(outcome === 'fail');
    for (const f of result.findings) {
      expect(f.line).toBeGreaterThan(0);
      expect(f.rule.startsWith('pss-')).toBe(true);
    }
  });
});
