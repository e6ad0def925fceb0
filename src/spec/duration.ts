/** Durations as the spec writes them (`30s`, `5m`, `1h30m`, `500ms`), Go's time.ParseDuration units: the one parser the spec, render and the engine share. */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw new Error(`"${text}" is not a duration such as 30s, 5m or 1h30m`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
}

export function durationOr(text: string | undefined, fallbackMs: number): number {
  return text === undefined ? fallbackMs : parseDuration(text);
}

/** The inverse for messages: 120000 → `2m`, 90000 → `1m30s`, 1500 → `1.5s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms % 1000 !== 0 || ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

/** A whole deploy (migrations, rollout, analysis) gives up after this long unless `--timeout` or deploy.timeout says otherwise. */
export const DEFAULT_DEPLOY_TIMEOUT = '15m';
