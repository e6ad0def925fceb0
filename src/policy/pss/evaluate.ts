import type { KubeVersion } from '../types.js';
import type { Workload } from '../workloads.js';
import { BASELINE_CHECKS, type PssCheck, type PssHit } from './checks-baseline.js';
import { RESTRICTED_CHECKS } from './checks-restricted.js';
import { clampPss } from './version.js';

export type PssLevel = 'baseline' | 'restricted';

/**
 * The checks that decide a level, as upstream's registry assembles them: Baseline is its own checks;
 * Restricted is Baseline minus the checks a Restricted check overrides, plus the Restricted checks.
 */
export function checksFor(level: PssLevel): PssCheck[] {
  if (level === 'baseline') return BASELINE_CHECKS;
  const overridden = new Set(RESTRICTED_CHECKS.map((c) => c.overrides).filter(Boolean));
  return [...BASELINE_CHECKS.filter((c) => !overridden.has(c.id)), ...RESTRICTED_CHECKS];
}

export interface PssResult {
  allowed: boolean;
  violations: Array<{ check: PssCheck; hits: PssHit[] }>;
}

/** Would the admission controller admit this pod at `level`? */
export function evaluatePss(w: Workload, level: PssLevel, version: KubeVersion): PssResult {
  const v = clampPss(version);
  const violations = checksFor(level)
    .map((check) => ({ check, hits: check.run(w, v) }))
    .filter((r) => r.hits.length > 0);
  return { allowed: violations.length === 0, violations };
}
