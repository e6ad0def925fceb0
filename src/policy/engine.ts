import { dotted } from './access.js';
import { effectiveSeverity, glob, type CheckConfig } from './config.js';
import { customRules } from './custom.js';
import { ignoresOf, isIgnored } from './ignores.js';
import type { PssLevel } from './pss/evaluate.js';
import { RULES } from './rules/index.js';
import { indexOf } from './index-set.js';
import { underExpression } from './load/terraform-values.js';
import type { EachRule } from './rules/define.js';
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
  Violation,
} from './types.js';
import type { Workload } from './workloads.js';
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

/**
 * Runs every enabled rule over the whole input set; pure: the same input gives the same findings in
 * the same order. Rules that judge one item at a time (Rule.each) are asked in one pass: each
 * workload, then each object, is visited once and handed to every such rule; the other rules run
 * over the whole input. Findings are placed as violations come (a violation does not outlive its
 * rule's answer) and sorted at the end; planned fixes are put back in rule order.
 */
export function check(request: CheckRequest): CheckOutcome {
  const config = request.config ?? {};
  // Terraform resources and Kubernetes objects (those a kubernetes_* resource declares included) are
  // judged by their own rules only.
  const terraform = request.manifests.filter((m) => m.terraform);
  const kube = terraform.length ? request.manifests.filter((m) => !m.terraform) : request.manifests;
  const contexts = {
    terraform: { manifests: terraform, options: request.options } satisfies RuleContext,
    kube: { manifests: kube, options: request.options } satisfies RuleContext,
  };
  const findings: Finding[] = [];
  const fixes: Array<{ fix: PlannedFix; order: number }> = [];
  let suppressed = 0;
  const rules = rulesFor(request.profile, config);
  // Objects with slipway.dev/ignore annotations, found once: most findings are on objects with none.
  const ignoring = new Set(request.manifests.filter((m) => ignoresOf(m).entries.length > 0));
  // Each object's part of a finding, built once per object (findings on one object share it).
  const objects = new Map<Manifest, Finding['object']>();
  // Messages and fields repeat across findings (the same field of every workload): one flat copy of
  // each text is kept rather than a string built by concatenation for each finding.
  const texts = new Map<string, string>();
  const intern = (text: string) => {
    const kept = texts.get(text);
    if (kept !== undefined) return kept;
    texts.set(text, text);
    return text;
  };
  const place = (order: number, rule: Rule, severity: Severity, violations: readonly Violation[]) => {
    for (let i = 0; i < violations.length; i++) {
      const v = violations[i]!;
      const m = v.manifest;
      // A field of a Terraform-declared object set by an expression is unknown: not judged.
      if (m.declaredBy && underExpression(m.body, v.path)) continue;
      if (
        (ignoring.size > 0 && ignoring.has(m) && isIgnored(m, rule.id, v.container)) ||
        exempted(config, rule.id, m)
      ) {
        suppressed++;
        continue;
      }
      const pos = m.locate(v.path);
      let object = objects.get(m);
      if (!object) {
        // Built field by field in the order JSON output shows them (no spread of a temporary object).
        object = { apiVersion: m.ref.apiVersion, kind: m.ref.kind } as Finding['object'];
        if (m.ref.namespace) object.namespace = m.ref.namespace;
        object.name = m.ref.name;
        objects.set(m, object);
      }
      const finding = {
        rule: rule.id,
        severity,
        category: rule.category,
        // A value a Terraform module call passed is placed at the call's argument, in the caller's file.
        file: pos.file ?? m.file,
        line: pos.line,
        column: pos.column,
        object,
      } as Finding;
      if (v.container) finding.container = v.container;
      if (m.environment) finding.environment = m.environment;
      finding.message = intern(
        pos.approximate
          ? `${v.message} (rendered from ${m.file}; position approximate)`
          : m.declaredBy
            ? `${v.message} (${m.declaredBy.type}.${m.declaredBy.name}${pos.file ? `, declared in ${m.file}` : m.declaredBy.caller ? `, called from ${m.declaredBy.caller}` : ''}${m.via ? `, as built by ${m.via}` : ''})`
            : m.via
              ? `${v.message} (as built by ${m.via})`
              : v.message,
      );
      finding.field = intern(dotted(v.path));
      // `--fix` edits YAML; the .tf a declared object comes from is the team's to edit.
      const fixable = Boolean(v.fix?.length) && !m.declaredBy;
      finding.fixable = fixable;
      findings.push(finding);
      if (fixable)
        fixes.push({
          fix: {
            docKey: m.docKey,
            rule: rule.id,
            ops: v.fix!.map((op) => ({ path: [...m.docPath, ...op.path], value: op.value })),
          },
          order,
        });
    }
  };
  const perWorkload: Array<ItemRule<Workload>> = [];
  const perKind = new Map<string, Array<ItemRule<Manifest>>>();
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]!;
    const severity = request.profile && request.profile !== 'all' ? 'error' : effectiveSeverity(rule, config);
    if (!severity) continue;
    const ctx = rule.category === 'terraform' ? contexts.terraform : contexts.kube;
    if (!ctx.manifests.length) continue;
    const each = ctx === contexts.kube ? (rule as Partial<EachRule>).each : undefined;
    if (!each) place(r, rule, severity, rule.run(ctx));
    else if ('workload' in each) perWorkload.push({ order: r, rule, severity, check: each.workload });
    else
      for (const kind of new Set(each.kinds)) {
        const entry = { order: r, rule, severity, check: each.object };
        const list = perKind.get(kind);
        if (list) list.push(entry);
        else perKind.set(kind, [entry]);
      }
  }
  const ctx = contexts.kube;
  if (perWorkload.length) askEachWorkload(indexOf(ctx.manifests).workloads, perWorkload, ctx, place);
  if (perKind.size) askEachObject(ctx.manifests, perKind, ctx, place);
  sortFindings(findings);
  // Each rule's fixes in the order it found them, the rules in catalog order (a stable sort).
  fixes.sort((a, b) => a.order - b.order);
  return { findings, fixes: fixes.map((f) => f.fix), suppressed, rules };
}

/** A rule judging one item at a time, as check() asks it: its place in the catalog, the check itself. */
interface ItemRule<T> {
  order: number;
  rule: Rule;
  severity: Severity;
  check: (item: T, ctx: RuleContext) => Violation[];
}

type Place = (order: number, rule: Rule, severity: Severity, violations: readonly Violation[]) => void;

// The two loops below run rules × objects times. Each is a function of its own: V8 optimises a long
// loop while it runs (on-stack replacement), and inside check() that code was thrown away again on
// reaching the next loop, not yet run, and compiled anew (four compiles of check() per run). Indexed,
// as an interpreted for-of allocates an iterator and a result object per step.

function askEachWorkload(
  workloads: readonly Workload[],
  rules: ReadonlyArray<ItemRule<Workload>>,
  ctx: RuleContext,
  place: Place,
): void {
  for (let i = 0; i < workloads.length; i++)
    for (let j = 0; j < rules.length; j++) {
      const r = rules[j]!;
      const violations = r.check(workloads[i]!, ctx);
      if (violations.length) place(r.order, r.rule, r.severity, violations);
    }
}

function askEachObject(
  manifests: readonly Manifest[],
  rulesOfKind: ReadonlyMap<string, ReadonlyArray<ItemRule<Manifest>>>,
  ctx: RuleContext,
  place: Place,
): void {
  for (let i = 0; i < manifests.length; i++) {
    const m = manifests[i]!;
    const asking = rulesOfKind.get(m.ref.kind);
    if (asking)
      for (let j = 0; j < asking.length; j++) {
        const r = asking[j]!;
        const violations = r.check(m, ctx);
        if (violations.length) place(r.order, r.rule, r.severity, violations);
      }
  }
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
    // One set's findings are sorted already (check sorts them).
    findings:
      outcomes.length === 1 ? outcomes[0]!.findings : sortFindings(outcomes.flatMap((o) => o.findings)),
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
    // A module's Kubernetes objects are one set with its resources (rules still judge each by its kind).
    const module = m.terraform?.module ?? m.declaredBy?.module;
    const key =
      module !== undefined
        ? `terraform:${m.environment ?? ''}:${module}`
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

/**
 * Sorts findings in place into compareFindings' order (a stable sort, so the same array), comparing
 * file names, environments and rule IDs by their rank among the distinct values: one collator
 * comparison per pair of distinct values instead of up to three per comparison of two findings.
 */
function sortFindings(findings: Finding[]): Finding[] {
  if (findings.length < 2) return findings;
  const files = ranks(findings.map((f) => f.file));
  const environments = ranks(findings.map((f) => f.environment ?? ''));
  const rules = ranks(findings.map((f) => f.rule));
  const keyed = findings.map((finding) => ({
    finding,
    file: files.get(finding.file)!,
    environment: environments.get(finding.environment ?? '')!,
    rule: rules.get(finding.rule)!,
  }));
  keyed.sort(
    (a, b) =>
      a.file - b.file ||
      a.environment - b.environment ||
      a.finding.line - b.finding.line ||
      a.finding.column - b.finding.column ||
      a.rule - b.rule,
  );
  for (let i = 0; i < keyed.length; i++) findings[i] = keyed[i]!.finding;
  return findings;
}

/** Each distinct value's rank in localeCompare's order (values the collator finds equal share one). */
function ranks(values: readonly string[]): Map<string, number> {
  const sorted = [...new Set(values)].sort(localeCompare);
  const rank = new Map<string, number>();
  let r = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && localeCompare(sorted[i - 1]!, sorted[i]!) !== 0) r++;
    rank.set(sorted[i]!, r);
  }
  return rank;
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
