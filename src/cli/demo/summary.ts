/**
 * What the demo proved, judged from its record: the blue-green deploy lost no request, the broken
 * version was rolled back, and the Service answers the good version again. Pure functions over
 * the record, so the verdict can be tested without a sandbox.
 */
import { VERSIONS, type DemoRecord, type ReleaseReport } from './scenario.js';

export interface DemoSummary extends DemoRecord {
  passed: boolean;
  /** Why the demo did not pass; empty when it did. */
  problems: string[];
  durationMs: number;
}

export function judge(record: DemoRecord): string[] {
  const problems: string[] = [];
  const release = (version: string) => record.releases.find((r) => r.version === version);
  const expect = (version: string, outcome: ReleaseReport['outcome']) => {
    const r = release(version);
    if (!r) problems.push(`${version} was never deployed (the demo stopped before it)`);
    else if (r.outcome !== outcome)
      problems.push(`${version}: expected ${outcome}, got ${r.outcome}${r.message ? `: ${r.message}` : ''}`);
  };
  expect(VERSIONS.first, 'deployed');
  expect(VERSIONS.second, 'deployed');
  const load = record.blueGreenLoad;
  if (load && load.failed > 0)
    problems.push(
      `${load.failed} of ${load.requests} requests failed during the blue-green deploy of ${VERSIONS.second}: ${JSON.stringify(load.errors)}`,
    );
  if (load && !load.versions[VERSIONS.second])
    problems.push(`${VERSIONS.second} never answered the load during its deploy`);
  expect(VERSIONS.broken, 'rolled-back');
  const serving = record.servingAfter;
  if (serving) {
    const others = Object.keys(serving).filter((v) => v !== VERSIONS.second);
    if (others.length)
      problems.push(
        `after the rollback the Service answered ${Object.entries(serving)
          .map(([v, n]) => `${v} ×${n}`)
          .join(', ')}, not only ${VERSIONS.second}`,
      );
  }
  return problems;
}

export function summarise(record: DemoRecord, durationMs: number): DemoSummary {
  const problems = judge(record);
  return { passed: problems.length === 0, problems, durationMs, ...record };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const count = (n: number) => n.toLocaleString('en-US');

/** A few lines for people: each release with its outcome and duration, the load, the rollback. */
export function summaryText(s: DemoSummary): string {
  const lines = [`Summary (${seconds(s.durationMs)}; the sandbox started in ${seconds(s.sandboxStartMs)})`];
  const width = Math.max(...s.releases.map((r) => r.outcome.length));
  for (const r of s.releases)
    lines.push(
      `  ${r.version}  revision ${r.revision ?? '-'}  ${r.outcome.padEnd(width)}  ${seconds(r.durationMs).padStart(5)}  ${releaseNote(s, r)}`.trimEnd(),
    );
  const rollback = rollbackLine(s);
  if (rollback) lines.push(`  ${rollback}`);
  return `${lines.join('\n')}\n`;
}

function releaseNote(s: DemoSummary, r: ReleaseReport): string {
  if (r.version === VERSIONS.first) return 'first release';
  if (r.version === VERSIONS.second)
    return s.blueGreenLoad
      ? `blue-green under load: ${count(s.blueGreenLoad.requests)} requests at ${count(s.blueGreenLoad.perSecond)}/s, ${count(s.blueGreenLoad.failed)} failed`
      : '';
  const failedCheck = r.analysis.find((a) => a.phase !== 'successful');
  const notes = [failedCheck ? `${failedCheck.name} check ${failedCheck.phase} after the switch` : ''];
  if (r.outcome === 'rolled-back')
    notes.push(
      `switched back to ${VERSIONS.second}${s.switchBackMs !== undefined ? ` in ${seconds(s.switchBackMs)}` : ''}`,
    );
  return notes.filter(Boolean).join('; ');
}

function rollbackLine(s: DemoSummary): string | undefined {
  const parts: string[] = [];
  if (s.lastBrokenAnswerMs !== undefined)
    parts.push(`the last ${VERSIONS.broken} answer came ${s.lastBrokenAnswerMs} ms after the failed check`);
  if (s.servingAfter) {
    const total = Object.values(s.servingAfter).reduce((a, b) => a + b, 0);
    parts.push(
      Object.entries(s.servingAfter)
        .map(([v, n]) => `${n} of ${total} requests since answered ${v}`)
        .join(', '),
    );
  }
  return parts.length ? `rollback: ${parts.join('; ')}` : undefined;
}
