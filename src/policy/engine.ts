import { dotted } from './access.js';
import { effectiveSeverity, glob, type CheckConfig } from './config.js';
import { customRules } from './custom.js';
import { ignoresOf, isIgnored } from './ignores.js';
import type { PssLevel } from './pss/evaluate.js';
import { RULES } from './rules/index.js';
import { pssProfileRules } from './rules/pss.js';
import type {
  CheckOptions,
  Finding,
  FixOp,
  KubeVersion,
  Manifest,
  Rule,
  RuleContext,
  Severity,
} from './types.js';
import { SEVERITIES } from './types.js';

export type Profile = 'all' | 'pss-baseline' | 'pss-restricted';

/** Kubernetes version the API-removal rules target when neither the flag nor the config names one. */
export const DEFAULT_KUBE_VERSION: KubeVersion = { major: 1, minor: 36 };

export interface CheckRequest {
  manifests: readonly Manifest[];
  options: CheckOptions;
  config?: CheckConfig;
  /** `pss-*` runs exactly that Pod Security Standards level; ignores and the config still apply. */
  profile?: Profile;
}

/** A planned `--fix` edit: set `value` at `path` of the YAML document `docKey` (paths relative to the document). */
export interface PlannedFix {
  docKey: string;
  ops: FixOp[];
  rule: string;
}

export interface CheckOutcome {
  findings: Finding[];
  fixes: PlannedFix[];
  /** Findings dropped by annotations or config exemptions. */
  suppressed: number;
  rules: Rule[];
}

/** The catalog for a profile, and under `all` the custom rules of the configuration after it. */
export function rulesFor(profile: Profile = 'all', config?: CheckConfig): Rule[] {
  if (profile !== 'all') return pssProfileRules(profile.slice(4) as PssLevel);
  return config?.customRules?.length ? [...RULES, ...customRules(config)] : RULES;
}

/** Runs every enabled rule over the whole input set; pure: the same input gives the same findings in the same order. */
export function check(request: CheckRequest): CheckOutcome {
  const config = request.config ?? {};
  // Terraform resources and Kubernetes objects are judged by their own rules only.
  const terraform = request.manifests.filter((m) => m.terraform);
  const kube = terraform.length ? request.manifests.filter((m) => !m.terraform) : request.manifests;
  const contexts = {
    terraform: { manifests: terraform, options: request.options } satisfies RuleContext,
    kube: { manifests: kube, options: request.options } satisfies RuleContext,
  };
  const findings: Finding[] = [];
  const fixes: PlannedFix[] = [];
  let suppressed = 0;
  const rules = rulesFor(request.profile, config);
  // Objects with slipway.dev/ignore annotations, found once: most findings are on objects with none.
  const ignoring = new Set(request.manifests.filter((m) => ignoresOf(m).entries.length > 0));
  for (const rule of rules) {
    const severity = request.profile && request.profile !== 'all' ? 'error' : effectiveSeverity(rule, config);
    if (!severity) continue;
    const ctx = rule.category === 'terraform' ? contexts.terraform : contexts.kube;
    if (!ctx.manifests.length) continue;
    for (const v of rule.run(ctx)) {
      const m = v.manifest;
      if (
        (ignoring.size > 0 && ignoring.has(m) && isIgnored(m, rule.id, v.container)) ||
        exempted(config, rule.id, m)
      ) {
        suppressed++;
        continue;
      }
      const pos = m.locate(v.path);
      // Built field by field in the order JSON output shows them (no spread of a temporary object).
      const object = { apiVersion: m.ref.apiVersion, kind: m.ref.kind } as Finding['object'];
      if (m.ref.namespace) object.namespace = m.ref.namespace;
      object.name = m.ref.name;
      const finding = {
        rule: rule.id,
        severity,
        category: rule.category,
        file: m.file,
        line: pos.line,
        column: pos.column,
        object,
      } as Finding;
      if (v.container) finding.container = v.container;
      if (m.environment) finding.environment = m.environment;
      finding.message = pos.approximate
        ? `${v.message} (rendered from ${m.file}; position approximate)`
        : m.via
          ? `${v.message} (as built by ${m.via})`
          : v.message;
      finding.field = dotted(v.path);
      finding.fixable = Boolean(v.fix?.length);
      findings.push(finding);
      if (v.fix?.length)
        fixes.push({
          docKey: m.docKey,
          rule: rule.id,
          ops: v.fix.map((op) => ({ path: [...m.docPath, ...op.path], value: op.value })),
        });
    }
  }
  findings.sort(compareFindings);
  return { findings, fixes, suppressed, rules };
}

/**
 * Checks several input sets independently (each environment rendered from slipway.yaml is its own
 * application; plain files form one set) and merges the outcomes.
 */
export function checkSets(
  sets: ReadonlyArray<readonly Manifest[]>,
  request: Omit<CheckRequest, 'manifests'>,
): CheckOutcome {
  const outcomes = sets.filter((s) => s.length > 0).map((manifests) => check({ ...request, manifests }));
  return {
    findings: outcomes.flatMap((o) => o.findings).sort(compareFindings),
    fixes: outcomes.flatMap((o) => o.fixes),
    suppressed: outcomes.reduce((n, o) => n + o.suppressed, 0),
    rules: rulesFor(request.profile, request.config),
  };
}

/**
 * Groups manifests into input sets: one per slipway.yaml environment, one per kustomize or Helm build
 * when there are several (overlays of one app would otherwise be duplicates of each other), one for
 * everything else.
 */
export function inputSets(manifests: readonly Manifest[]): Manifest[][] {
  const sets = new Map<string, Manifest[]>();
  const builds = new Set(manifests.flatMap((m) => (m.build === undefined ? [] : [m.build])));
  for (const m of manifests) {
    const key = m.terraform
      ? `terraform:${m.environment ?? ''}:${m.terraform.module}`
      : m.environment !== undefined
        ? `env:${m.environment}`
        : m.build !== undefined && builds.size > 1
          ? `build:${m.build}`
          : '';
    const list = sets.get(key);
    if (list) list.push(m);
    else sets.set(key, [m]);
  }
  return [...sets.values()];
}

function exempted(config: CheckConfig, rule: string, m: Manifest): boolean {
  if (!config.exemptions?.length) return false;
  return config.exemptions.some(
    (e) =>
      (!e.rules || e.rules.includes(rule)) &&
      glob(e.kind, m.ref.kind) &&
      glob(e.namespace, m.ref.namespace ?? 'default') &&
      glob(e.name, m.ref.name),
  );
}

let collator: Intl.Collator | undefined;
/** String.prototype.localeCompare's order, through one Collator instead of one per comparison. */
function localeCompare(a: string, b: string): number {
  if (a === b) return 0;
  collator ??= new Intl.Collator();
  return collator.compare(a, b);
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    localeCompare(a.file, b.file) ||
    localeCompare(a.environment ?? '', b.environment ?? '') ||
    a.line - b.line ||
    a.column - b.column ||
    localeCompare(a.rule, b.rule)
  );
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Exit 1 when any finding is at or above `failOn` (`none` never fails). */
export function failing(findings: readonly Finding[], failOn: Severity | 'none'): boolean {
  if (failOn === 'none') return false;
  return findings.some((f) => severityRank(f.severity) >= severityRank(failOn));
}
