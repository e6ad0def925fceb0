import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { exportPolicies } from '../../src/policy/admission/export.js';
import { ADMISSION_FORMATS, DEFAULT_NAMESPACE_SELECTOR } from '../../src/policy/admission/formats.js';
import { verdictsFor } from '../../src/policy/admission/verdicts.js';
import { parseConfig } from '../../src/policy/config.js';
import { customRules } from '../../src/policy/custom.js';
import { check, rulesFor } from '../../src/policy/engine.js';
import { parseManifests } from '../../src/policy/load/parse.js';
import { RULE_IDS } from '../../src/policy/rules/index.js';

const CONFIG = `customRules:
  - id: team-label
    kinds: [workloads]
    expression: has(variables.podMeta.labels) && 'team' in variables.podMeta.labels
    message: every pod template names its owning team
  - id: no-loadbalancer
    kinds: [Service]
    severity: error
    expression: |
      !has(object.spec.type) ||
        object.spec.type != 'LoadBalancer'
    message: Services stay inside the cluster
`;

const OBJECTS = `apiVersion: apps/v1
kind: Deployment
metadata: { name: with-team }
spec:
  selector: { matchLabels: { app: a } }
  template:
    metadata: { labels: { app: a, team: shop } }
    spec: { containers: [{ name: a, image: a:1 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: no-team }
spec:
  selector: { matchLabels: { app: b } }
  template:
    metadata: { labels: { app: b } }
    spec: { containers: [{ name: b, image: b:1 }] }
---
apiVersion: v1
kind: Service
metadata: { name: lb }
spec: { type: LoadBalancer, ports: [{ port: 80 }] }
`;

const options = { kubeVersion: { major: 1, minor: 36 }, pssVersion: { major: 1, minor: 35 } };

async function config(text = CONFIG) {
  const result = await parseConfig(text, '.slipway-check.yaml', RULE_IDS, () => import('@slipway/kube/cel'));
  if (!result.config) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

describe('custom rules in .slipway-check.yaml', () => {
  it('run in slipway check', async () => {
    const { manifests } = parseManifests(OBJECTS, 'app.yaml');
    const findings = check({ manifests, options, config: await config() }).findings.filter((f) =>
      ['team-label', 'no-loadbalancer'].includes(f.rule),
    );
    expect(findings.map((f) => `${f.rule} ${f.severity} ${f.object.name}: ${f.message}`)).toEqual([
      'team-label warning no-team: every pod template names its owning team',
      'no-loadbalancer error lb: Services stay inside the cluster',
    ]);
    expect(rulesFor('all', await config()).map((r) => r.id)).toContain('team-label');
  });

  it('export to every format and give the same verdicts there as in check', async () => {
    const { manifests } = parseManifests(OBJECTS, 'app.yaml');
    for (const rule of customRules(await config())) {
      for (const format of ADMISSION_FORMATS) {
        const exported = exportPolicies({
          rules: [rule],
          format,
          options: {},
          exportOptions: { namespaceSelector: DEFAULT_NAMESPACE_SELECTOR, paramsNamespace: 'slipway-system' },
        });
        expect(exported.policies.map((p) => p.policy.rule)).toEqual([rule.id]);
      }
      const verdicts = verdictsFor(rule, manifests, options);
      for (const v of verdicts) {
        const norm = (x: string) => (x === 'skip' ? 'pass' : x);
        expect(
          [norm(v.verdicts.vap), norm(v.verdicts.gatekeeper), norm(v.verdicts.kyverno)],
          v.object,
        ).toEqual([v.verdicts.check, v.verdicts.check, v.verdicts.check]);
      }
      expect(verdicts.filter((v) => v.verdicts.check === 'fail').length).toBe(1);
    }
  });

  it.each([
    [
      'a syntax error in a plain scalar',
      `customRules:\n  - id: x\n    kinds: [Pod]\n    expression: object.spec.(x)\n    message: m\n`,
      '.slipway-check.yaml:4:28 customRules.0.expression: invalid CEL: syntax error',
    ],
    [
      'an unknown function in a block scalar',
      `customRules:\n  - id: x\n    kinds: [Pod]\n    expression: |\n      has(object.spec) &&\n        sum(object.spec.x) > 1\n    message: m\n`,
      ".slipway-check.yaml:6:9 customRules.0.expression: invalid CEL: undeclared reference to function 'sum'",
    ],
    [
      'an undeclared variable in a quoted scalar',
      `customRules:\n  - id: x\n    kinds: [Pod]\n    expression: "objekt.spec == 1"\n    message: m\n`,
      ".slipway-check.yaml:4:18 customRules.0.expression: invalid CEL: undeclared reference to 'objekt'",
    ],
    [
      'an unknown kind',
      `customRules:\n  - id: x\n    kinds: [Pod, Widget]\n    expression: "true"\n    message: m\n`,
      '.slipway-check.yaml:3:18 customRules.0.kinds.1: unknown kind "Widget"',
    ],
    [
      "the catalog's ID",
      `customRules:\n  - id: pss-privileged\n    kinds: [Pod]\n    expression: "true"\n    message: m\n`,
      '.slipway-check.yaml:2:5 customRules.0.id: custom rule ID "pss-privileged" is already taken by the catalog',
    ],
  ])('%s: exit 2 naming file:line:col', async (_name, text, expected) => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-custom-'));
    writeFileSync(join(dir, '.slipway-check.yaml'), text);
    writeFileSync(join(dir, 'app.yaml'), OBJECTS);
    const run = memoryIo({ cwd: dir });
    expect(await main(['node', 'slipway', 'check', 'app.yaml'], run.io)).toBe(2);
    expect(run.stderr()).toContain(expected);
  });
});
