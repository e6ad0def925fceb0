import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { verdictsFor } from '../../src/policy/admission/verdicts.js';
import { parseManifests } from '../../src/policy/load/parse.js';
import { RULES } from '../../src/policy/rules/index.js';
import { parse } from 'yaml';

const pod = (name: string, expect: string, securityContext = '{}') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  annotations:
    slipway.dev/expect: "${expect}"
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext: ${securityContext}
`;

function fixtures(files: Record<string, string>, config?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-policy-test-'));
  mkdirSync(join(dir, 'policy-tests', 'pods'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'policy-tests', name), text);
  if (config) writeFileSync(join(dir, '.slipway-check.yaml'), config);
  return dir;
}

async function run(dir: string, ...args: string[]) {
  const io = memoryIo({ cwd: dir });
  const code = await main(['node', 'slipway', 'policy', 'test', 'policy-tests', ...args], io.io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('slipway policy test', () => {
  it('judges each expectation by check and by every admission format; a wrong expectation fails the run', async () => {
    const dir = fixtures(
      {
        'pods/privileged.yaml': pod('priv', 'pss-privileged=fail, team-label=fail', '{ privileged: true }'),
        'plain.yaml': pod('plain', 'pss-privileged=pass, net-service-no-pods=pass'),
      },
      `customRules:\n  - id: team-label\n    kinds: [Pod]\n    expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"\n    message: pods name their team\n`,
    );
    const ok = await run(dir);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    const lines = ok.out.trim().split('\n');
    expect(lines[0]).toMatch(
      /^RESULT\s+FILE\s+OBJECT\s+RULE\s+EXPECTED\s+CHECK\s+VAP\s+GATEKEEPER\s+KYVERNO$/,
    );
    expect(ok.out).toMatch(
      /ok\s+policy-tests\/pods\/privileged.yaml\s+Pod\/priv\s+pss-privileged\s+fail\s+fail\s+fail\s+fail\s+fail/,
    );
    expect(ok.out).toMatch(
      /ok\s+policy-tests\/pods\/privileged.yaml\s+Pod\/priv\s+team-label\s+fail\s+fail\s+fail\s+fail\s+fail/,
    );
    // A cross-object rule has no admission form: only check judges it.
    expect(ok.out).toMatch(
      /ok\s+policy-tests\/plain.yaml\s+Pod\/plain\s+net-service-no-pods\s+pass\s+pass\s+-\s+-\s+-/,
    );
    expect(lines.at(-1)).toBe('4 passed, 0 failed (- : the rule has no admission form)');

    writeFileSync(join(dir, 'policy-tests', 'wrong.yaml'), pod('wrong', 'pss-privileged=fail'));
    const failed = await run(dir, '-o', 'junit');
    expect(failed.code).toBe(1);
    const xml = new XMLParser({ ignoreAttributes: false }).parse(failed.out) as {
      testsuites: {
        '@_tests': string;
        '@_failures': string;
        testsuite: Array<{ '@_name': string; testcase: unknown }>;
      };
    };
    expect([xml.testsuites['@_tests'], xml.testsuites['@_failures']]).toEqual(['5', '1']);
    expect(failed.out).toContain(
      '<failure message="check: pass, vap: pass, gatekeeper: pass, kyverno: pass">',
    );
  });

  it('exit 2 at the annotation for an unknown rule or a bad verdict, and for a directory without expectations', async () => {
    const bad = fixtures({ 'a.yaml': pod('a', 'pss-privileged=maybe, no-such-rule=pass') });
    const r = await run(bad);
    expect(r.code).toBe(2);
    expect(r.err).toContain('policy-tests/a.yaml:6:5');
    expect(r.err).toContain('"pss-privileged=maybe" is not rule=pass or rule=fail');
    expect(r.err).toContain('unknown rule "no-such-rule"');
    const empty = fixtures({ 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n' });
    const e = await run(empty);
    expect(e.code).toBe(2);
    expect(e.err).toContain('no object carries a slipway.dev/expect annotation');
  });

  it('export --format gatekeeper --tests writes a gator suite whose assertions the exported CEL meets', async () => {
    const dir = fixtures({
      'pods/privileged.yaml': pod(
        'priv',
        'pss-privileged=fail, pss-host-namespaces=pass',
        '{ privileged: true }',
      ),
      'plain.yaml': pod('plain', 'pss-privileged=pass, net-service-no-pods=pass'),
    });
    const io = memoryIo({ cwd: dir });
    const args = ['policy', 'export', '--format', 'gatekeeper', '--out', 'gk', '--tests', 'policy-tests'];
    expect(await main(['node', 'slipway', ...args], io.io)).toBe(0);
    expect(io.stdout()).toContain(
      'gator suite: 3 case(s) in gk/gator/suite.yaml (run: gator verify gk/gator)',
    );
    expect(io.stdout()).toContain(
      'not in the suite: net-service-no-pods on Pod/plain (policy-tests/plain.yaml)',
    );
    const gator = join(dir, 'gk', 'gator');
    const suite = parse(readFileSync(join(gator, 'suite.yaml'), 'utf8')) as {
      kind: string;
      tests: Array<{
        name: string;
        template: string;
        constraint: string;
        cases: Array<{ object: string; assertions: Array<{ violations: string }> }>;
      }>;
    };
    expect(suite.kind).toBe('Suite');
    expect(suite.tests.map((t) => [t.name, t.cases.length])).toEqual([
      ['pss-privileged', 2],
      ['pss-host-namespaces', 1],
    ]);
    for (const t of suite.tests) {
      expect(parse(readFileSync(join(gator, t.template), 'utf8')).kind).toBe('ConstraintTemplate');
      const constraint = parse(readFileSync(join(gator, t.constraint), 'utf8')) as { kind: string };
      expect(constraint.kind).toBe(
        `Slipway${t.name
          .split('-')
          .map((w) => w[0]!.toUpperCase() + w.slice(1))
          .join('')}`,
      );
      const rule = RULES.find((r) => r.id === t.name)!;
      for (const c of t.cases) {
        const { manifests } = parseManifests(readFileSync(join(gator, c.object), 'utf8'), c.object);
        const [v] = verdictsFor(rule, manifests, {
          kubeVersion: { major: 1, minor: 36 },
          pssVersion: { major: 1, minor: 35 },
        });
        expect(v!.verdicts.gatekeeper === 'fail' ? 'yes' : 'no', c.object).toBe(c.assertions[0]!.violations);
      }
    }
    const wrong = memoryIo({ cwd: dir });
    expect(await main(['node', 'slipway', 'policy', 'export', '--tests', 'policy-tests'], wrong.io)).toBe(2);
    expect(wrong.stderr()).toContain('--tests writes a gator suite: it needs --format gatekeeper and --out');
  });
});
