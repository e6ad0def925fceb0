import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { sourceRoot } from '../../src/cli/source-root.js';
import { artifactLocation } from '../../src/policy/report/sarif.js';
import { sharedPath } from '../helpers/shared.js';

/**
 * SARIF that GitHub code scanning maps onto the repository and Microsoft's SARIF Multitool accepts
 * without an error or a warning, for relative and absolute inputs, inside and outside the repository
 * (the upstream Pod Security Standards fixtures live beside it: file:// URIs).
 */
const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');
const fixtures = resolve(repo, 'test', 'fixtures', 'policy');
const multitool = resolve(repo, 'node_modules', '.bin', 'sarif-multitool');
const schemaFile = resolve(repo, 'node_modules', '@microsoft', 'sarif-multitool-linux', 'sarif-2.1.0.json');
const pss = sharedPath('conformance', 'pod-security');

interface Result {
  ruleId: string;
  level?: string;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }>;
}
interface Log {
  runs: Array<{
    tool: { driver: { informationUri?: string; rules: Array<{ id: string; helpUri?: string }> } };
    originalUriBaseIds: Record<string, { uri: string }>;
    results: Result[];
  }>;
}

async function sarif(cwd: string, args: string[]): Promise<string> {
  const io = memoryIo({ cwd });
  await main(['node', 'slipway', 'check', ...args, '-o', 'sarif', '--fail-on', 'none'], io.io);
  expect(io.stderr()).toBe('');
  return io.stdout();
}

/**
 * `multitool: false` inputs are checked against the schema and the assertions below only: the Multitool
 * spends about 9 s of CPU on each 5,000 results of the PSS fixtures, and the file:// URIs of inputs
 * outside %SRCROOT% already reach it through `absolute-from-elsewhere`.
 */
const inputs: Array<{ name: string; cwd: string; args: string[]; outside?: boolean; multitool?: false }> = [
  { name: 'relative', cwd: fixtures, args: ['.'] },
  { name: 'absolute', cwd: repo, args: [fixtures] },
  { name: 'absolute-from-elsewhere', cwd: tmpdir(), args: [fixtures], outside: true },
  { name: 'slipway.yaml', cwd: repo, args: ['examples/sample-service/slipway.yaml'] },
  ...(pss
    ? [
        { name: 'pss-relative', cwd: resolve(pss, '..'), args: ['pod-security'], multitool: false as const },
        { name: 'pss-absolute', cwd: repo, args: [pss], outside: true, multitool: false as const },
      ]
    : []),
];

/**
 * Every Multitool rule but SARIF2006 (UrisShouldBeReachable), which sends an HTTP GET to each
 * helpUri and informationUri: tests talk to loopback only, and without a network it spent about 15 s
 * per run waiting on DNS. The rule pages the helpUris name are checked in this repository instead.
 */
const MULTITOOL_CONFIG = `<?xml version="1.0" encoding="utf-8" ?>
<Properties>
  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">
    <Property Key="RuleEnabled" Value="Disabled" />
  </Properties>
</Properties>
`;

describe('SARIF locations and metadata', () => {
  it('makes paths relative to %SRCROOT% inside it and file:// URIs outside it', () => {
    const opts = { srcRoot: '/repo', cwd: '/repo/sub' };
    expect(artifactLocation('a b/x.yaml', opts)).toEqual({ uri: 'sub/a%20b/x.yaml', uriBaseId: 'SRCROOT' });
    expect(artifactLocation('/repo/deploy/x.yaml', opts)).toEqual({
      uri: 'deploy/x.yaml',
      uriBaseId: 'SRCROOT',
    });
    expect(artifactLocation('/elsewhere/é.yaml', opts)).toEqual({ uri: 'file:///elsewhere/%C3%A9.yaml' });
    expect(artifactLocation('../../x.yaml', opts)).toEqual({ uri: 'file:///x.yaml' });
    expect(artifactLocation('<stdin>', opts)).toEqual({ uri: '%3Cstdin%3E', uriBaseId: 'SRCROOT' });
  });

  it('takes the git top level as %SRCROOT%, else the working directory', () => {
    expect(sourceRoot(join(repo, 'test', 'fixtures'))).toBe(repo);
    const lone = mkdtempSync(join(tmpdir(), 'slipway-norepo-'));
    expect(sourceRoot(lone, (p) => p === '/.git-never')).toBe(lone);
  });

  it(`has zero Multitool errors and warnings and fits the SARIF 2.1.0 schema (${inputs.map((i) => i.name).join(', ')})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-sarif-paths-'));
    const validate = new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(
      JSON.parse(readFileSync(schemaFile, 'utf8')) as object,
    );
    const files: string[] = [];
    for (const input of inputs) {
      const text = await sarif(input.cwd, input.args);
      const log = JSON.parse(text) as Log;
      const runLog = log.runs[0]!;
      expect(validate(log) ? [] : validate.errors, input.name).toEqual([]);
      expect(runLog.results.length, input.name).toBeGreaterThan(0);
      // SARIF1004 / code scanning: a relative reference has a base, anything else is an absolute file URI.
      for (const r of runLog.results) {
        const { uri, uriBaseId } = r.locations[0]!.physicalLocation.artifactLocation;
        if (uriBaseId) {
          expect(uriBaseId).toBe('SRCROOT');
          expect(uri).not.toMatch(/^(\/|[a-z]+:)/);
        } else expect(uri).toMatch(/^file:\/\/\//);
        expect(Boolean(uriBaseId), `${input.name}: ${uri}`).toBe(!input.outside);
        expect(r.message.text).toMatch(/\.$/);
      }
      expect(runLog.originalUriBaseIds.SRCROOT?.uri).toMatch(/^file:\/\/\/.*\/$/);
      expect(runLog.tool.driver.informationUri).toBe('https://github.com/slipway-dev/slipway#readme');
      for (const rule of runLog.tool.driver.rules)
        expect(rule.helpUri).toBe(
          `https://github.com/slipway-dev/slipway/blob/main/docs/rules/${rule.id}.md`,
        );
      const file = join(dir, `${input.name}.sarif`);
      writeFileSync(file, text);
      if (input.multitool !== false) files.push(file);
    }
    // Every rule page a helpUri names exists in this repository.
    const ruleIds = new Set(
      files.flatMap((f) =>
        (JSON.parse(readFileSync(f, 'utf8')) as Log).runs[0]!.tool.driver.rules.map((r) => r.id),
      ),
    );
    for (const id of ruleIds)
      expect(() => readFileSync(join(repo, 'docs', 'rules', `${id}.md`))).not.toThrow();

    const report = join(dir, 'validation.sarif');
    const config = join(dir, 'multitool.xml');
    writeFileSync(config, MULTITOOL_CONFIG);
    const result = await run(
      multitool,
      ['validate', ...files, '-o', report, '--log', 'ForceOverwrite', '--config', config],
      { maxBuffer: 64 << 20 },
    );
    expect(JSON.stringify(JSON.parse(readFileSync(report, 'utf8')))).toContain(
      "Rule 'SARIF2006' was explicitly disabled",
    );
    expect(result.stdout).toContain('Analysis completed successfully');
    const problems = (JSON.parse(readFileSync(report, 'utf8')) as Log).runs[0]?.results ?? [];
    expect(
      problems.map(
        (p) =>
          `${p.level ?? 'warning'} ${p.ruleId} ${p.locations[0]?.physicalLocation.artifactLocation.uri}: ${p.message.text ?? JSON.stringify(p.message)}`,
      ),
    ).toEqual([]);
  }, 120_000);
});
