/**
 * `slipway history`: every recorded revision of one app in one environment, oldest first, as plain
 * rows (Helm's `pkg/action/history.go` reads its release records the same way).
 */
import type { EngineContext } from './context.js';
import type { Release } from './releases/release.js';

export interface HistoryEntry {
  revision: number;
  phase: Release['phase'];
  strategy: Release['strategy'];
  images: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  /** Wall time from the first step's start to the last step's end. */
  durationMs?: number;
  rollbackOf?: number;
  /** `slipway secrets rotate`: the names rotated (never their values). */
  rotated?: string[];
  deployedBy?: string;
  message?: string;
}

export function historyEntry(r: Release): HistoryEntry {
  const starts = r.steps.map((s) => Date.parse(s.startedAt)).filter((n) => !Number.isNaN(n));
  const ends = r.steps.map((s) => Date.parse(s.finishedAt ?? s.startedAt)).filter((n) => !Number.isNaN(n));
  const durationMs = starts.length && ends.length ? Math.max(...ends) - Math.min(...starts) : undefined;
  return {
    revision: r.revision,
    phase: r.phase,
    strategy: r.strategy,
    images: r.images,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(r.rollbackOf !== undefined ? { rollbackOf: r.rollbackOf } : {}),
    ...(r.rotation ? { rotated: [...r.rotation.secrets, ...r.rotation.dependencies] } : {}),
    ...(r.deployedBy ? { deployedBy: r.deployedBy } : {}),
    ...(r.message ? { message: r.message } : {}),
  };
}

export async function history(
  ctx: Pick<EngineContext, 'store'>,
  app: string,
  environment: string,
): Promise<HistoryEntry[]> {
  return (await ctx.store.list(app, environment)).map(historyEntry);
}
