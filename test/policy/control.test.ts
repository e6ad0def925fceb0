import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/policy/config.js';
import { check } from '../../src/policy/engine.js';
import { applyFixes } from '../../src/policy/fix/apply.js';
import { parseManifests } from '../../src/policy/load/parse.js';
import { RULE_IDS } from '../../src/policy/rules/index.js';
import { restrictedPod } from './cases/pss.js';

/** A configuration without customRules never loads the CEL evaluator. */
const noCel = () =>
  Promise.reject(new Error('the CEL evaluator loaded for a configuration without customRules'));
const OPTIONS = { kubeVersion: { major: 1, minor: 36 }, pssVersion: { major: 1, minor: 35 } };
const run = (yaml: string, config = {}) =>
  check({ manifests: parseManifests(yaml, 'x.yaml').manifests, options: OPTIONS, config });
const rules = (yaml: string, config = {}) =>
  run(yaml, config).findings.map((f) => `${f.rule}${f.container ? `/${f.container}` : ''}`);

/** A Pod named p with these annotation lines (each indented four spaces) and these container lines. */
const annotatedPod = (annotations: string, containers: string) => `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
${annotations}spec:
  containers:
${containers}`;

const twoContainers = (annotations: string) =>
  annotatedPod(
    annotations,
    `    - name: app
      image: app:latest
    - name: proxy
      image: envoy:latest
`,
  );

describe('ignores, config and --fix', () => {
  it('ignores a rule for the whole object, or for one container', () => {
    const all = rules(
      twoContainers(
        '    slipway.dev/ignore: img-latest-tag\n    slipway.dev/ignore-reason: mirrored and pinned by digest at the registry\n',
      ),
    );
    expect(all.filter((r) => r.startsWith('img-latest-tag'))).toEqual([]);
    const one = rules(
      twoContainers(
        '    slipway.dev/ignore.proxy: img-latest-tag\n    slipway.dev/ignore-reason: upstream only publishes latest\n',
      ),
    );
    expect(one.filter((r) => r.startsWith('img-latest-tag'))).toEqual(['img-latest-tag/app']);
    expect(one).not.toContain('ignore-without-reason');
  });

  it('honours the relax annotation slipway render writes (its value is the reason), but never for PSS rules', () => {
    const pod = (annotations: string) =>
      annotatedPod(
        annotations,
        `    - name: kafka
      image: apache/kafka:3.9.0
      securityContext:
        readOnlyRootFilesystem: false
        runAsNonRoot: false
`,
      );
    const relaxed = rules(
      pod(
        '    slipway.dev/relax-readOnlyRootFilesystem: the start script rewrites its config on every start\n    slipway.dev/relax-runAsNonRoot: the image needs root for its entrypoint\n',
      ),
    );
    expect(relaxed).not.toContain('sec-read-only-root-fs/kafka');
    expect(relaxed).not.toContain('ignore-without-reason');
    expect(relaxed).toContain('pss-run-as-non-root/kafka');
    const empty = rules(pod('    slipway.dev/relax-readOnlyRootFilesystem: ""\n'));
    expect(empty).toContain('sec-read-only-root-fs/kafka');
  });

  it('reports an ignore without a reason but still honours it', () => {
    const r = run(twoContainers('    slipway.dev/ignore: img-latest-tag\n'));
    expect(r.findings.filter((f) => f.rule === 'img-latest-tag')).toEqual([]);
    expect(r.findings.find((f) => f.rule === 'ignore-without-reason')).toMatchObject({ line: 6, column: 5 });
    expect(r.suppressed).toBe(2);
  });

  it('switches rules off, changes severities, enables off-by-default rules and exempts by namespace/name', async () => {
    const parsed = await parseConfig(
      'rules:\n  img-latest-tag: error\n  res-cpu-limit: off\n  img-digest: warning\nexemptions:\n  - rules: [probe-liveness]\n    name: "p*"\n    reason: sidecar-only pod\n',
      '.slipway-check.yaml',
      RULE_IDS,
      noCel,
    );
    if (!parsed.config) throw new Error(JSON.stringify(parsed.problems));
    const r = run(twoContainers('    a: b\n'), parsed.config);
    expect(r.findings.find((f) => f.rule === 'img-latest-tag')?.severity).toBe('error');
    expect(r.findings.find((f) => f.rule === 'img-digest')?.severity).toBe('warning');
    expect(r.findings.some((f) => f.rule === 'res-cpu-limit' || f.rule === 'probe-liveness')).toBe(false);
  });

  it('rejects a config with an unknown rule or an exemption without a reason, with positions', async () => {
    const bad = await parseConfig('rules:\n  no-such-rule: off\n', 'c.yaml', RULE_IDS, noCel);
    expect(bad.problems[0]).toMatchObject({
      message: 'unknown rule "no-such-rule"',
      location: { file: 'c.yaml', line: 2, column: 3 },
    });
    const noReason = await parseConfig('exemptions:\n  - name: x\n', 'c.yaml', RULE_IDS, noCel);
    expect(noReason.problems[0]?.location?.line).toBe(2);
  });

  it('--fix rewrites fixable findings, keeps comments, and leaves other documents byte-identical', () => {
    const first =
      '# platform objects\napiVersion: v1\nkind: ConfigMap   # keep me\nmetadata:\n  name: c\ndata:\n  key: "value"\n';
    const pod = `# the app pod\n${restrictedPod({ containerSc: '        # escalation is fixed below\n        capabilities:\n          add: [NET_BIND_SERVICE]\n' })}`;
    const text = `${first}---\n${pod}`;
    const parsed = parseManifests(text, 'x.yaml');
    const outcome = check({ manifests: parsed.manifests, options: OPTIONS });
    const fixed = applyFixes(parsed, outcome.fixes);
    if (!fixed) throw new Error('nothing fixed');
    expect(fixed.text.startsWith(`${first}---\n# the app pod\n`)).toBe(true);
    expect(fixed.text).toContain('# escalation is fixed below');
    const again = parseManifests(fixed.text, 'x.yaml');
    const left = check({ manifests: again.manifests, options: OPTIONS }).findings.filter((f) => f.fixable);
    expect(left).toEqual([]);
    const after = again.manifests[1]?.body as {
      spec: { containers: Array<{ securityContext: Record<string, unknown> }> };
    };
    expect(after.spec.containers[0]?.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
    });
  });

  it('--fix keeps a comment above the fixed document once, in a first document and after a ---', () => {
    for (const text of [
      `# the app pod\n${restrictedPod({ containerSc: '        capabilities:\n          add: [NET_BIND_SERVICE]\n' })}`,
      `# platform\n---\n# the app pod\n${restrictedPod({ containerSc: '        capabilities:\n          add: [NET_BIND_SERVICE]\n' })}`,
    ]) {
      const parsed = parseManifests(text, 'x.yaml');
      const fixed = applyFixes(parsed, check({ manifests: parsed.manifests, options: OPTIONS }).fixes);
      if (!fixed) throw new Error('nothing fixed');
      expect(fixed.text.split('# the app pod').length - 1).toBe(1);
      expect(fixed.text.split('# platform').length - 1).toBe(text.includes('# platform') ? 1 : 0);
      expect(fixed.text.endsWith('\n')).toBe(true);
    }
  });

  it('does not claim a fix for findings that need a human (latest tag, resources)', () => {
    const r = run(twoContainers('    a: b\n'));
    for (const f of r.findings.filter((x) => x.rule === 'img-latest-tag' || x.rule.startsWith('res-')))
      expect(f.fixable).toBe(false);
  });
});
