/**
 * What the dashboard shows, as plain data computed from the release records (and the workloads'
 * ready counts): per environment what serves now, the release timeline with steps, analyses and
 * reasons, the DORA figures with an eight-week trend, and what one environment serves that the
 * next does not. Pure: the server sends it as JSON, the page draws it.
 */
import type { Release } from '../engine/releases/release.js';
import { environmentMetrics, type EnvironmentMetrics } from '../metrics/dora.js';
import { deployFacts, outcomeOf, span, type DeployOutcome } from '../metrics/facts.js';
import { TIER_REPORT } from '../metrics/tiers.js';

const WEEK_MS = 7 * 86_400_000;
export const TREND_WEEKS = 8;

export interface WorkloadReadiness {
  kind: string;
  name: string;
  ready: number;
  desired: number;
}

export interface EnvironmentInput {
  environment: string;
  namespace: string;
  releases: Release[];
  workloads: WorkloadReadiness[];
}

export interface TimelineEntry {
  revision: number;
  phase: Release['phase'];
  outcome?: DeployOutcome;
  strategy: Release['strategy'];
  images: Record<string, string>;
  startedAt: string;
  durationSeconds: number;
  rollbackOf?: number;
  message?: string;
  commit?: string;
  steps: Array<{ step: string; outcome?: string; durationSeconds?: number; detail?: string }>;
  analysis: Array<{ name: string; phase: string; message: string }>;
}

export interface EnvironmentView {
  environment: string;
  namespace: string;
  serving?: { revision: number; strategy: string; images: Record<string, string>; since: string };
  workloads: WorkloadReadiness[];
  /** Newest first. */
  timeline: TimelineEntry[];
  metrics: EnvironmentMetrics;
  /** Oldest week first: deploys started in each week and how many of them failed. */
  trend: Array<{ weekEnding: string; deploys: number; failed: number }>;
}

export interface EnvironmentDifference {
  /** The earlier environment in the spec's order (staging) and the later one (production). */
  ahead: string;
  behind: string;
  services: Array<{ service: string; ahead?: string; behind?: string }>;
}

export interface DashboardView {
  app: string;
  generatedAt: string;
  tierReport: string;
  environments: EnvironmentView[];
  differences: EnvironmentDifference[];
}

const iso = (ms: number) => new Date(ms).toISOString();

function timelineEntry(r: Release): TimelineEntry {
  const { startedAt, finishedAt } = span(r);
  const outcome = outcomeOf(r);
  return {
    revision: r.revision,
    phase: r.phase,
    ...(outcome ? { outcome } : {}),
    strategy: r.strategy,
    images: r.images,
    startedAt: iso(startedAt),
    durationSeconds: (finishedAt - startedAt) / 1000,
    ...(r.rollbackOf !== undefined ? { rollbackOf: r.rollbackOf } : {}),
    ...(r.message ? { message: r.message } : {}),
    ...(r.change?.commit ? { commit: r.change.commit } : {}),
    steps: r.steps.map((s) => ({
      step: s.step,
      ...(s.outcome ? { outcome: s.outcome } : {}),
      ...(s.durationMs !== undefined ? { durationSeconds: s.durationMs / 1000 } : {}),
      ...(s.detail ? { detail: s.detail } : {}),
    })),
    analysis: (r.analysis ?? []).map((a) => {
      const { name, phase, message } = (a ?? {}) as Record<string, unknown>;
      return { name: String(name ?? ''), phase: String(phase ?? ''), message: String(message ?? '') };
    }),
  };
}

export function environmentView(
  input: EnvironmentInput,
  app: string,
  now: Date,
  sinceMs: number,
): EnvironmentView {
  const serving = input.releases
    .filter((r) => r.phase === 'deployed')
    .sort((a, b) => b.revision - a.revision)[0];
  const facts = deployFacts(input.releases);
  const end = now.getTime();
  const trend = Array.from({ length: TREND_WEEKS }, (_, i) => {
    const to = end - (TREND_WEEKS - 1 - i) * WEEK_MS;
    const week = facts.filter((f) => f.startedAt > to - WEEK_MS && f.startedAt <= to);
    return {
      weekEnding: iso(to),
      deploys: week.length,
      failed: week.filter((f) => f.failureSignals.length > 0).length,
    };
  });
  return {
    environment: input.environment,
    namespace: input.namespace,
    ...(serving
      ? {
          serving: {
            revision: serving.revision,
            strategy: serving.strategy,
            images: serving.images,
            since: iso(span(serving).finishedAt),
          },
        }
      : {}),
    workloads: input.workloads,
    timeline: [...input.releases].sort((a, b) => b.revision - a.revision).map(timelineEntry),
    metrics: environmentMetrics(app, input.environment, input.releases, { now, sinceMs }),
    trend,
  };
}

/** Each environment against the next in the spec's order: the images one serves that the next does not. */
function differences(environments: EnvironmentView[]): EnvironmentDifference[] {
  return environments.slice(0, -1).map((ahead, i) => {
    const behind = environments[i + 1]!;
    const a = ahead.serving?.images ?? {};
    const b = behind.serving?.images ?? {};
    const services = [...new Set([...Object.keys(a), ...Object.keys(b)])]
      .sort()
      .filter((s) => a[s] !== b[s])
      .map((service) => ({
        service,
        ...(a[service] !== undefined ? { ahead: a[service] } : {}),
        ...(b[service] !== undefined ? { behind: b[service] } : {}),
      }));
    return { ahead: ahead.environment, behind: behind.environment, services };
  });
}

export function dashboardView(
  app: string,
  inputs: readonly EnvironmentInput[],
  now: Date,
  sinceMs: number,
): DashboardView {
  const environments = inputs.map((i) => environmentView(i, app, now, sinceMs));
  return {
    app,
    generatedAt: now.toISOString(),
    tierReport: TIER_REPORT,
    environments,
    differences: differences(environments),
  };
}
