import { resolve } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const repo = resolve(import.meta.dirname, '..', '..');
const fixtures = resolve(repo, 'test', 'fixtures', 'policy');

async function check(args: string[], stdin?: string) {
  const io = memoryIo({ cwd: fixtures, stdin });
  const code = await main(['node', 'slipway', 'check', ...args], io.io);
  return { code, out: io.stdout() };
}

describe('SARIF output', () => {
  // Microsoft's SARIF validator and the schema judge the output in sarif-paths.test.ts.
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
