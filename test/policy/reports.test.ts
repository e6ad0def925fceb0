import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');
const fixtures = resolve(repo, 'test', 'fixtures', 'policy');
const multitool = resolve(repo, 'node_modules', '.bin', 'sarif-multitool');

async function check(args: string[], stdin?: string) {
  const io = memoryIo({ cwd: fixtures, stdin });
  const code = await main(['node', 'slipway', 'check', ...args], io.io);
  return { code, out: io.stdout() };
}

interface SarifLog {
  runs: Array<{
    results: Array<{ level?: string; ruleId: string; message: { text?: string } }>;
    tool: { driver: { rules: unknown[] } };
  }>;
}

describe('SARIF output', () => {
  // The only warning allowed is SARIF2005 (no informationUri): package.json declares no homepage to point at.
  it("has zero errors from Microsoft's SARIF validator (sarif-multitool validate), and no warning but the missing home page", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-sarif-'));
    const { out } = await check(['.', '-o', 'sarif']);
    const log = JSON.parse(out) as SarifLog;
    expect(log.runs[0]?.results.length).toBeGreaterThan(10);
    const input = join(dir, 'check.sarif');
    const report = join(dir, 'validation.sarif');
    writeFileSync(input, out);
    const result = await run(multitool, ['validate', input, '-o', report, '--log', 'ForceOverwrite'], {
      maxBuffer: 64 << 20,
    });
    expect(result.stdout).toContain('Analysis completed successfully');
    const validation = JSON.parse(readFileSync(report, 'utf8')) as SarifLog;
    const problems = validation.runs[0]?.results ?? [];
    expect(
      problems.filter((p) => p.level === 'error').map((p) => `${p.ruleId}: ${JSON.stringify(p.message)}`),
    ).toEqual([]);
    expect(
      problems
        .filter((p) => p.ruleId !== 'SARIF2005')
        .map((p) => `${p.level ?? 'warning'} ${p.ruleId}: ${JSON.stringify(p.message)}`),
    ).toEqual([]);
  }, 120_000);

  it('encodes awkward file names as URI references', async () => {
    const { out } = await check(
      ['-', '-o', 'sarif'],
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostIPC: true\n  containers: [{name: a, image: x:1}]\n',
    );
    expect(out).toContain('"uri": "%3Cstdin%3E"');
  });
});

describe('JUnit output', () => {
  it('is well-formed XML with one suite per file and failures for findings at --fail-on', async () => {
    const { out, code } = await check(['privileged.yaml', 'clean.yaml', '-o', 'junit']);
    expect(code).toBe(1);
    expect(XMLValidator.validate(out)).toBe(true);
    const xml = new XMLParser({ ignoreAttributes: false }).parse(out) as {
      testsuites: { testsuite: Array<{ '@_name': string; '@_failures': string; testcase: unknown }> };
    };
    const suites = xml.testsuites.testsuite;
    expect(suites.map((s) => s['@_name']).sort()).toEqual(['clean.yaml', 'privileged.yaml']);
    expect(Number(suites.find((s) => s['@_name'] === 'privileged.yaml')?.['@_failures'])).toBeGreaterThan(0);
    expect(Number(suites.find((s) => s['@_name'] === 'clean.yaml')?.['@_failures'])).toBe(0);
  });
});
