/**
 * `--output json`: one JSON object per line for each event, then one summary object, so a script
 * can follow a deploy with `jq` line by line and read the outcome from the last line.
 */
import type { DeployEvent } from '../../engine/context.js';
import type { DeployResult } from '../../engine/deploy.js';

export function jsonProgress(write: (text: string) => void): (e: DeployEvent) => void {
  return (e) => write(`${JSON.stringify(e)}\n`);
}

export function summary(r: DeployResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  if (r.outcome === 'dry-run') return { type: 'summary', outcome: 'dry-run', ...extra, plan: r.plan };
  const rel = r.release;
  return {
    type: 'summary',
    outcome: r.outcome,
    exitCode: r.exitCode,
    release: rel?.app,
    environment: rel?.environment,
    revision: rel?.revision,
    strategy: rel?.strategy,
    phase: rel?.phase,
    ...extra,
    message: r.message,
    durationMs: totalMs(rel?.steps ?? []),
    steps: (rel?.steps ?? []).map((s) => ({
      step: s.step,
      outcome: s.outcome,
      durationMs: s.durationMs,
      detail: s.detail,
    })),
    analysis: r.analysis.map((a) => ({
      name: a.name,
      provider: a.provider,
      resolved: a.resolved,
      phase: a.phase,
      message: a.message,
      measurements: a.measurements,
    })),
  };
}

function totalMs(steps: Array<{ startedAt: string; finishedAt?: string }>): number | undefined {
  if (steps.length === 0) return undefined;
  const start = Math.min(...steps.map((s) => Date.parse(s.startedAt)));
  const end = Math.max(...steps.map((s) => Date.parse(s.finishedAt ?? s.startedAt)));
  return end - start;
}
