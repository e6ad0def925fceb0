import type { Problem } from '../../errors.js';
import type { CheckOptions, Manifest, Rule } from '../types.js';
import { ADMISSION_FORMATS } from './formats.js';
import { exportable } from './model.js';
import { objectKey, verdictsFor, type Judge } from './verdicts.js';
import { xmlEscape } from '../report/junit.js';

/**
 * `slipway policy test DIR`: a team's own fixtures, each object saying what it expects of rules
 * with the annotation
 *   slipway.dev/expect: "pss-privileged=fail, res-cpu-limit=pass"
 * Each expectation is judged by the rule in `slipway check` and, for rules with an admission form,
 * by the exported CEL of every format (as `docs/policy-admission.md` describes); a test passes when
 * all of them give the expected verdict. Rules across objects see the whole file.
 */
export const EXPECT_KEY = 'slipway.dev/expect';

export interface PolicyTestResult {
  file: string;
  object: string;
  rule: string;
  expected: 'pass' | 'fail';
  verdicts: Partial<Record<Judge, 'pass' | 'fail'>>;
  ok: boolean;
  messages: string[];
}

interface Expectation {
  manifest: Manifest;
  rule: string;
  expected: 'pass' | 'fail';
}

export function expectationsOf(
  manifests: readonly Manifest[],
  rules: ReadonlyMap<string, Rule>,
): { expectations: Expectation[]; problems: Problem[] } {
  const expectations: Expectation[] = [];
  const problems: Problem[] = [];
  for (const m of manifests) {
    const annotations = (m.body.metadata as { annotations?: Record<string, unknown> } | undefined)
      ?.annotations;
    const value = annotations?.[EXPECT_KEY];
    if (value === undefined) continue;
    const path = ['metadata', 'annotations', EXPECT_KEY];
    const where = { file: m.file, ...m.locate(path) };
    const entries =
      typeof value === 'string'
        ? value
            .split(',')
            .map((e) => e.trim())
            .filter(Boolean)
        : [];
    if (entries.length === 0)
      problems.push({
        message: `${EXPECT_KEY} lists no expectations`,
        location: where,
        hint: 'write rule=pass or rule=fail, comma-separated',
      });
    for (const entry of entries) {
      const [rule, verdict, extra] = entry.split('=').map((s) => s.trim());
      if (extra !== undefined || (verdict !== 'pass' && verdict !== 'fail') || !rule)
        problems.push({
          message: `"${entry}" is not rule=pass or rule=fail`,
          location: where,
          path: path.join('.'),
        });
      else if (!rules.has(rule))
        problems.push({
          message: `unknown rule "${rule}"`,
          location: where,
          path: path.join('.'),
          hint: 'slipway check --list-rules prints the rule IDs',
        });
      else expectations.push({ manifest: m, rule, expected: verdict });
    }
  }
  return { expectations, problems };
}

/** Judges every expectation; `files` groups the manifests as they were read (one input set per file). */
export function runPolicyTests(
  files: ReadonlyArray<readonly Manifest[]>,
  rules: ReadonlyMap<string, Rule>,
  options: CheckOptions,
): { results: PolicyTestResult[]; problems: Problem[] } {
  const results: PolicyTestResult[] = [];
  const problems: Problem[] = [];
  for (const manifests of files) {
    const found = expectationsOf(manifests, rules);
    problems.push(...found.problems);
    const byRule = new Map<string, Expectation[]>();
    for (const e of found.expectations) byRule.set(e.rule, [...(byRule.get(e.rule) ?? []), e]);
    for (const [id, expectations] of byRule) {
      const rule = rules.get(id)!;
      const verdicts = new Map(verdictsFor(rule, manifests, options).map((v) => [v.object, v]));
      for (const e of expectations) {
        const object = objectKey(e.manifest.ref);
        const v = verdicts.get(object)!;
        const judged: PolicyTestResult['verdicts'] = { check: v.verdicts.check === 'fail' ? 'fail' : 'pass' };
        if (exportable(rule))
          for (const f of ADMISSION_FORMATS) judged[f] = v.verdicts[f] === 'fail' ? 'fail' : 'pass';
        results.push({
          file: e.manifest.file,
          object,
          rule: id,
          expected: e.expected,
          verdicts: judged,
          ok: Object.values(judged).every((x) => x === e.expected),
          messages: v.messages,
        });
      }
    }
  }
  return { results, problems };
}

const COLUMNS: Judge[] = ['check', ...ADMISSION_FORMATS];

export function formatPolicyTestText(results: readonly PolicyTestResult[]): string {
  const rows = [
    ['RESULT', 'FILE', 'OBJECT', 'RULE', 'EXPECTED', ...COLUMNS.map((c) => c.toUpperCase())],
    ...results.map((r) => [
      r.ok ? 'ok' : 'FAIL',
      r.file,
      r.object,
      r.rule,
      r.expected,
      ...COLUMNS.map((c) => r.verdicts[c] ?? '-'),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  const failed = results.filter((r) => !r.ok).length;
  return `${lines.join('\n')}\n${results.length - failed} passed, ${failed} failed (- : the rule has no admission form)\n`;
}

/** JUnit XML: one suite per file, one case per object and rule. */
export function formatPolicyTestJunit(results: readonly PolicyTestResult[]): string {
  const files = [...new Set(results.map((r) => r.file))];
  const suites = files.map((file) => {
    const cases = results.filter((r) => r.file === file);
    const body = cases.map((r) => {
      const name = `${r.object} ${r.rule} expects ${r.expected}`;
      const got = COLUMNS.filter((c) => r.verdicts[c])
        .map((c) => `${c}: ${r.verdicts[c]}`)
        .join(', ');
      return r.ok
        ? `    <testcase classname="${xmlEscape(file)}" name="${xmlEscape(name)}"/>`
        : `    <testcase classname="${xmlEscape(file)}" name="${xmlEscape(name)}">\n      <failure message="${xmlEscape(got)}">${xmlEscape([got, ...r.messages].join('\n'))}</failure>\n    </testcase>`;
    });
    const failures = cases.filter((r) => !r.ok).length;
    return `  <testsuite name="${xmlEscape(file)}" tests="${cases.length}" failures="${failures}" errors="0">\n${body.join('\n')}\n  </testsuite>`;
  });
  const failures = results.filter((r) => !r.ok).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="slipway policy test" tests="${results.length}" failures="${failures}" errors="0">\n${suites.join('\n')}\n</testsuites>\n`;
}
