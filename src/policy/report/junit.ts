import { severityRank } from '../engine.js';
import type { Finding, Severity } from '../types.js';

/**
 * JUnit XML for CI dashboards: one <testsuite> per file, one <testcase> per object and rule that found
 * something (a <failure> when at or above --fail-on, otherwise <system-out>), and one passing <testcase>
 * per object without findings.
 */
export interface JunitObject {
  file: string;
  environment?: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** A suite per file, and per environment for objects rendered from slipway.yaml. */
const suiteOf = (x: { file: string; environment?: string }) =>
  x.environment ? `${x.file} (environment ${x.environment})` : x.file;

/** Text as XML character data or an attribute value. */
export const xmlEscape = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

export function formatJunit(
  findings: readonly Finding[],
  objects: readonly JunitObject[],
  failOn: Severity | 'none',
): string {
  const files = [...new Set([...objects.map(suiteOf), ...findings.map(suiteOf)])];
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  for (const file of files) {
    const cases: string[] = [];
    let suiteFailures = 0;
    const objectKeys = new Set<string>();
    for (const o of objects.filter((x) => suiteOf(x) === file))
      objectKeys.add(`${o.kind}/${o.namespace ? `${o.namespace}/` : ''}${o.name}`);
    for (const f of findings.filter((x) => suiteOf(x) === file))
      objectKeys.add(
        `${f.object.kind}/${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}`,
      );
    for (const key of objectKeys) {
      const mine = findings.filter(
        (f) =>
          suiteOf(f) === file &&
          `${f.object.kind}/${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}` === key,
      );
      if (mine.length === 0) {
        cases.push(`    <testcase classname="${xmlEscape(file)}" name="${xmlEscape(key)}"/>`);
        continue;
      }
      for (const rule of [...new Set(mine.map((f) => f.rule))]) {
        const hits = mine.filter((f) => f.rule === rule);
        const text = hits
          .map((f) => `${f.file}:${f.line}:${f.column} ${f.severity}: ${f.message}`)
          .join('\n');
        const worst = hits.reduce(
          (a, f) => (severityRank(f.severity) > severityRank(a) ? f.severity : a),
          'info' as Severity,
        );
        const fails = failOn !== 'none' && severityRank(worst) >= severityRank(failOn);
        if (fails) suiteFailures++;
        const body = fails
          ? `<failure message="${xmlEscape((hits[0] as Finding).message)}" type="${xmlEscape(worst)}">${xmlEscape(text)}</failure>`
          : `<system-out>${xmlEscape(text)}</system-out>`;
        cases.push(
          `    <testcase classname="${xmlEscape(file)}" name="${xmlEscape(`${key} ${rule}`)}">${body}</testcase>`,
        );
      }
    }
    total += cases.length;
    failures += suiteFailures;
    suites.push(
      `  <testsuite name="${xmlEscape(file)}" tests="${cases.length}" failures="${suiteFailures}" errors="0" skipped="0">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="slipway check" tests="${total}" failures="${failures}" errors="0">\n${suites.join('\n')}\n</testsuites>\n`;
}
