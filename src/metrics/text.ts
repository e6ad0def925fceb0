/** `slipway metrics` as a table per environment: value, sample size and tier of each metric. */
import type { EnvironmentMetrics } from './dora.js';

/** 90 → `1m30s`, 7080 → `1h58m`, 180000 → `2d2h`: two units at most, for reading, not for parsing. */
export function humanSeconds(seconds: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    } else if (parts.length) break;
  }
  return parts.join('');
}

const percent = (ratio: number) => `${Number((ratio * 100).toFixed(1))}%`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function metricsText(all: readonly EnvironmentMetrics[]): string {
  return all.map(environmentText).join('\n');
}

function environmentText(m: EnvironmentMetrics): string {
  const spread = (median: number | null, p90: number | null) =>
    median === null || p90 === null ? 'no data' : `median ${humanSeconds(median)}, p90 ${humanSeconds(p90)}`;
  const ratio = (r: number | null, n: number, of: number) =>
    r === null ? 'no data' : `${percent(r)} (${n} of ${of})`;
  const rows: string[][] = [
    [
      'deployment frequency',
      `${Number(m.deploymentFrequency.perDay.toFixed(2))}/day (${Number(m.deploymentFrequency.perWeek.toFixed(2))}/week)`,
      plural(m.deploymentFrequency.sampleSize, 'deploy'),
      m.deploymentFrequency.tier,
    ],
    [
      'lead time for changes',
      spread(m.leadTime.medianSeconds, m.leadTime.p90Seconds),
      plural(m.leadTime.sampleSize, 'commit'),
      m.leadTime.tier ?? '-',
    ],
    [
      'change failure rate',
      ratio(m.changeFailureRate.ratio, m.changeFailureRate.failed, m.changeFailureRate.sampleSize),
      plural(m.changeFailureRate.sampleSize, 'deploy'),
      m.changeFailureRate.tier ?? '-',
    ],
    [
      'failed-deploy recovery',
      spread(m.recoveryTime.medianSeconds, m.recoveryTime.p90Seconds),
      `${m.recoveryTime.sampleSize} recovered`,
      m.recoveryTime.tier ?? '-',
    ],
    [
      'rework rate',
      ratio(m.reworkRate.ratio, m.reworkRate.rework, m.reworkRate.sampleSize),
      plural(m.reworkRate.sampleSize, 'deploy'),
      '-',
    ],
  ];
  const head = ['METRIC', 'VALUE', 'SAMPLE', 'TIER'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const table = [head, ...rows]
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
  const notes: string[] = [];
  if (m.recoveryTime.unrecovered)
    notes.push(`${plural(m.recoveryTime.unrecovered, 'failed deploy')} not recovered yet`);
  if (m.leadTime.deploysWithoutCommits)
    notes.push(
      `${plural(m.leadTime.deploysWithoutCommits, 'successful deploy')} recorded no commits (deploy --changes): not in the lead time`,
    );
  if (m.leadTime.excluded)
    notes.push(`${plural(m.leadTime.excluded, 'commit')} dated after its deploy: not in the lead time`);
  const failed = m.changeFailureRate.failedDeploys.map(
    (f) => `  revision ${f.revision}: ${f.signals.join('; ')}`,
  );
  return [
    `${m.app} in ${m.environment}: ${m.window.from.slice(0, 16)}Z to ${m.window.to.slice(0, 16)}Z (${Number(m.window.days.toFixed(2))} days)`,
    table,
    ...(failed.length ? ['failed deploys (each counted once):', ...failed] : []),
    ...notes.map((n) => `note: ${n}`),
    `tiers: ${m.tierReport}`,
    '',
  ].join('\n');
}
