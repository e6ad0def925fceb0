/**
 * `slipway drift --output sarif`: each drift as a SARIF result (the policy checker's writer), placed
 * at the slipway.yaml field that rendered the drifted field, so GitHub code scanning shows it on the
 * line a team would change: a changed field, a missing object, an orphan (at the `app:` line).
 */
import type { Finding, Path, RuleMeta } from '../policy/types.js';
import type { SpecPlacer } from '../policy/sources/spec-origins.js';
import type { DriftReport } from './check.js';

export const DRIFT_RULES: RuleMeta[] = [
  {
    id: 'drift-changed',
    title: 'A field differs from what the current release applied',
    severity: 'error',
    category: 'drift',
    checks:
      'a server-side apply dry run of the released object would change this field, or another manager added it to the spec',
    rationale:
      'the next deploy silently reverts a change someone made by hand, or the hand change is lost knowledge',
    remediation:
      'put it back with slipway drift --fix, or make the change in slipway.yaml and deploy; add a drift.ignore rule when another controller owns the field',
    fixable: true,
    enabledByDefault: true,
  },
  {
    id: 'drift-missing',
    title: 'An object of the current release is gone',
    severity: 'error',
    category: 'drift',
    checks: 'an object the current release applied is not in the cluster',
    rationale:
      'whatever the object provided (a Service, a ConfigMap, a policy) is missing until the next deploy',
    remediation: 'apply the release again with slipway drift --fix',
    fixable: true,
    enabledByDefault: true,
  },
  {
    id: 'drift-orphan',
    title: "An object carries the app's labels but no release applied it",
    severity: 'warning',
    category: 'drift',
    checks: "an object labelled app.kubernetes.io/part-of=<app> that no release's inventory names",
    rationale: 'a hand-made object nobody tracks may route traffic, hold data or keep old code running',
    remediation: 'add it to slipway.yaml, or delete it with slipway drift --fix --prune',
    fixable: true,
    enabledByDefault: true,
  },
];

/** `/spec/template/spec/containers/0/image` → ['spec', 'template', 'spec', 'containers', 0, 'image']. */
export function pointerPath(pointer: string): Path {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

const dotted = (path: Path) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');

export function driftFindings(
  report: DriftReport,
  file: string,
  origins: Record<string, string>,
  place: SpecPlacer,
): Finding[] {
  const finding = (
    rule: string,
    severity: Finding['severity'],
    object: { apiVersion: string; kind: string; namespace?: string; name: string },
    path: Path,
    message: string,
  ): Finding => {
    const at = place(
      { kind: object.kind, origin: origins[`${object.kind}/${object.namespace ?? ''}/${object.name}`] },
      path,
    );
    return {
      rule,
      severity,
      category: 'drift',
      file,
      line: at.line,
      column: at.column,
      object,
      environment: report.environment,
      message,
      field: dotted(path),
      fixable: true,
    };
  };
  return [
    ...report.changed.map((c) => {
      const who = c.managers.length ? c.managers.join(', ') : 'an unknown manager';
      return finding(
        'drift-changed',
        'error',
        { apiVersion: c.apiVersion, kind: c.kind, namespace: c.namespace, name: c.name },
        pointerPath(c.path),
        c.change === 'added'
          ? `${c.path} was added by ${who}: ${JSON.stringify(c.live)}`
          : `${c.path} is ${c.live === undefined ? '(absent)' : JSON.stringify(c.live)} in the cluster, ${c.released === undefined ? '(absent)' : JSON.stringify(c.released)} in revision ${report.revision} (set by ${who})`,
      );
    }),
    ...report.missing.map((m) =>
      finding(
        'drift-missing',
        'error',
        m,
        [],
        `${m.kind} ${m.name} of revision ${report.revision} is missing`,
      ),
    ),
    ...report.orphans.map((o) =>
      finding(
        'drift-orphan',
        'warning',
        o,
        [],
        `${o.kind} ${o.name} carries the app's labels but no release applied it (managers: ${o.managers.join(', ') || 'none'})`,
      ),
    ),
  ];
}
