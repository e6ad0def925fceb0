/** What a deploy (or a rollback, which is one) ends with. */
import type { AnalysisResult } from './analysis/run.js';
import type { DeployPlan } from './plan/index.js';
import type { Release } from './releases/release.js';

export interface DeployResult {
  outcome: 'deployed' | 'rolled-back' | 'aborted' | 'failed' | 'dry-run';
  exitCode: number;
  plan: DeployPlan;
  release?: Release;
  analysis: AnalysisResult[];
  message?: string;
}
