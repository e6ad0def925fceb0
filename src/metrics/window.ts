/** `--since 30d`: the length of the metrics window. Days and weeks too, which spec durations do not take. */
import { UserError } from '../errors.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

export function parseSince(text: string): number {
  const parts = [...text.matchAll(/(\d+)([mhdw])/g)];
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text || ms <= 0)
    throw new UserError(`${JSON.stringify(text)} is not a window such as 30d, 2w, 12h or 1d12h`, {
      code: 'metrics-since',
      path: '--since',
      hint: 'a positive whole number of m(inutes), h(ours), d(ays) or w(eeks)',
    });
  return ms;
}
