/**
 * Whether a deploy's timeout can hold what the spec asks it to wait for. A canary's timed pauses
 * and the analyses it runs, a blue-green's pre- and post-promotion analyses and its promotion
 * window all run inside deploy.timeout; when they alone need longer, every such deploy would roll
 * back at its deadline however healthy the version, so validate refuses the spec and names the
 * numbers. (Rollout time comes on top; it cannot be known from the spec.)
 */
import { DEFAULT_DEPLOY_TIMEOUT, formatDuration, parseDuration } from './duration.js';
import type { Analysis, Deploy } from './schema.js';

/** Argo Rollouts' defaults, which the engine uses too: one measurement, every minute. */
const DEFAULT_INTERVAL_MS = 60_000;
const DEFAULT_COUNT = 1;

export interface WaitPart {
  what: string;
  ms: number;
}

/** The least time an analysis takes: its initial delay, then count measurements an interval apart. */
export function analysisMinimumMs(a: Analysis): number {
  const interval = a.interval ? parseDuration(a.interval) : DEFAULT_INTERVAL_MS;
  const count = a.count ?? DEFAULT_COUNT;
  return (a.initialDelay ? parseDuration(a.initialDelay) : 0) + Math.max(0, count - 1) * interval;
}

function analysesOf(deploy: Deploy, phase: string, fallback: string): Array<[string, Analysis]> {
  return Object.entries(deploy.analysis ?? {}).filter(([, a]) => (a.phase ?? fallback) === phase);
}

/**
 * What the strategy will wait for, in order, with the least time each takes. Background analyses
 * run beside all of it; one with a count holds the deploy until its count is done, so the deploy
 * waits for the longer of the two (`background` below).
 */
export function plannedWaits(deploy: Deploy): WaitPart[] {
  const parts: WaitPart[] = [];
  const analysis = (name: string, a: Analysis, where: string) => {
    const ms = analysisMinimumMs(a);
    if (ms > 0)
      parts.push({
        what: `analysis ${name} ${a.count ?? DEFAULT_COUNT} × ${a.interval ?? '1m'}${a.initialDelay ? ` after ${a.initialDelay}` : ''} ${where}`,
        ms,
      });
  };
  if (deploy.strategy === 'canary') {
    deploy.canary?.steps.forEach((step, i) => {
      if ('pause' in step && typeof step.pause === 'string')
        parts.push({ what: `pause ${step.pause} at canary step ${i + 1}`, ms: parseDuration(step.pause) });
      if ('analysis' in step)
        for (const name of step.analysis)
          if (deploy.analysis?.[name]) analysis(name, deploy.analysis[name], `at canary step ${i + 1}`);
    });
    for (const [name, a] of analysesOf(deploy, 'pre-promotion', 'step'))
      analysis(name, a, 'before promotion');
    for (const [name, a] of analysesOf(deploy, 'post-promotion', 'step'))
      analysis(name, a, 'after promotion');
  } else if (deploy.strategy === 'blue-green') {
    for (const [name, a] of analysesOf(deploy, 'pre-promotion', 'post-promotion'))
      analysis(name, a, 'before the switch');
    const post = analysesOf(deploy, 'post-promotion', 'post-promotion');
    for (const [name, a] of post) analysis(name, a, 'after the switch');
    if (deploy.postPromotionWindow && post.length === 0)
      parts.push({
        what: `postPromotionWindow ${deploy.postPromotionWindow}`,
        ms: parseDuration(deploy.postPromotionWindow),
      });
  } else {
    for (const [name, a] of analysesOf(deploy, 'post-promotion', 'post-promotion'))
      analysis(name, a, 'after the rollout');
  }
  return parts;
}

/** The background analyses with a count, each with the least time it holds the deploy. */
export function backgroundWaits(deploy: Deploy): WaitPart[] {
  return analysesOf(deploy, 'background', '')
    .filter(([, a]) => a.count !== undefined)
    .map(([name, a]) => ({
      what: `background analysis ${name} ${a.count} × ${a.interval ?? '1m'}${a.initialDelay ? ` after ${a.initialDelay}` : ''}`,
      ms: analysisMinimumMs(a),
    }))
    .filter((p) => p.ms > 0);
}

/** The problem with the budget, or undefined when it holds. */
export function budgetProblem(deploy: Deploy): { message: string; hint: string } | undefined {
  const timeoutMs = parseDuration(deploy.timeout ?? DEFAULT_DEPLOY_TIMEOUT);
  const sequential = plannedWaits(deploy);
  const longest = backgroundWaits(deploy).sort((a, b) => b.ms - a.ms)[0];
  const inTurn = sequential.reduce((sum, p) => sum + p.ms, 0);
  const parts = longest && longest.ms > inTurn ? [longest] : sequential;
  const total = Math.max(inTurn, longest?.ms ?? 0);
  if (total <= timeoutMs) return undefined;
  return {
    message: `the ${deploy.strategy ?? 'rolling'} deploy waits at least ${formatDuration(total)} (${parts.map((p) => p.what).join(', ')}), more than deploy.timeout ${deploy.timeout ?? `${DEFAULT_DEPLOY_TIMEOUT} (the default)`}: every deploy would roll back at its deadline`,
    hint: `raise deploy.timeout above ${formatDuration(total)} plus the time the pods take, or shorten the pauses and analyses`,
  };
}
