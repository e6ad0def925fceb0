import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Node } from '#yaml';
import { z } from '#zod';
import type { Problem } from '../errors.js';
import { knownKind, RESOURCE_KINDS } from './admission/model.js';
import { rememberEvaluator, type CelEvaluator } from './cel-evaluator.js';
import type { Severity } from './types.js';

/**
 * `.slipway-check.yaml`: per-rule switches and severities, exemptions by kind/namespace/name, defaults
 * for the command line. Read from the working directory (or --config); flags win over the file.
 *
 *   rules:
 *     res-cpu-limit: off          # off | on | error | warning | info
 *     img-digest: warning         # enables a rule that is off by default, at that severity
 *   exemptions:
 *     - rules: [net-no-network-policy]
 *       namespace: kube-system    # globs: * matches any run of characters
 *       reason: managed by the platform team
 *   kubeVersion: "1.33"
 *   failOn: warning
 *   allowedRegistries: [ghcr.io/acme/, registry.k8s.io/]   # turns on img-registry
 *   customRules:                  # the team's own rules: CEL over the object, true when it passes
 *     - id: team-label
 *       kinds: [workloads]        # or kinds by name: Deployment, Service, ...
 *       expression: has(object.metadata.labels) && 'team' in object.metadata.labels
 *       message: every workload names its owning team
 *       severity: warning         # error | warning (default) | info
 */
export const CONFIG_FILE = '.slipway-check.yaml';

const setting = z.enum(['off', 'on', 'error', 'warning', 'info']);
const exemption = z.strictObject({
  rules: z.array(z.string().min(1)).optional(),
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  reason: z.string().min(1, 'an exemption needs a reason'),
});

const customRule = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a rule ID is lower-case letters, digits and dashes'),
  kinds: z.array(z.string().min(1)).min(1),
  expression: z.string().min(1),
  message: z.string().min(1),
  severity: z.enum(['error', 'warning', 'info']).optional(),
});

export const configSchema = z.strictObject({
  rules: z.record(z.string(), setting).optional(),
  exemptions: z.array(exemption).optional(),
  kubeVersion: z.union([z.string(), z.number()]).optional(),
  failOn: z.enum(['error', 'warning', 'info', 'none']).optional(),
  profile: z.enum(['pss-baseline', 'pss-restricted']).optional(),
  allowedRegistries: z.array(z.string().min(1)).optional(),
  customRules: z.array(customRule).optional(),
});

export type CheckConfig = z.infer<typeof configSchema>;
export type Exemption = z.infer<typeof exemption>;
export type RuleSetting = z.infer<typeof setting>;

export type ConfigResult =
  { config: CheckConfig; problems: [] } | { config?: undefined; problems: Problem[] };

/**
 * Reads and checks a configuration. `loadCel` loads the CEL evaluator; it is called only when the
 * configuration has `customRules` (whose expressions are compiled here, once).
 */
export async function parseConfig(
  text: string,
  file: string,
  knownRules: ReadonlySet<string>,
  loadCel: () => Promise<CelEvaluator>,
): Promise<ConfigResult> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const where = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
  if (doc.errors.length)
    return {
      problems: doc.errors.map((e) => ({
        message: `invalid YAML: ${e.message.split('\n')[0]}`,
        location: where(e.pos[0]),
      })),
    };
  const parsed = configSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((issue) => ({
        message: issue.message,
        path: issue.path.join('.'),
        location: where(offsetOf(doc.contents as Node | null, issue.path as Array<string | number>)),
        hint: 'see docs/policy.md#configuration',
      })),
    };
  }
  const cel = parsed.data.customRules?.length ? await loadCel() : undefined;
  const custom = cel
    ? customRuleProblems(parsed.data, doc.contents as Node | null, knownRules, where, text, cel)
    : [];
  if (custom.length) return { problems: custom };
  knownRules = new Set([...knownRules, ...(parsed.data.customRules ?? []).map((c) => c.id)]);
  const unknown = Object.keys(parsed.data.rules ?? {}).filter((r) => !knownRules.has(r));
  const unknownExempt = (parsed.data.exemptions ?? []).flatMap((e, i) =>
    (e.rules ?? []).filter((r) => !knownRules.has(r)).map((r) => ({ r, path: ['exemptions', i, 'rules'] })),
  );
  if (unknown.length || unknownExempt.length) {
    return {
      problems: [
        ...unknown.map((r) => ({
          message: `unknown rule "${r}"`,
          path: `rules.${r}`,
          location: where(offsetOf(doc.contents as Node | null, ['rules', r])),
          hint: 'slipway check --list-rules prints the rule IDs',
        })),
        ...unknownExempt.map(({ r, path }) => ({
          message: `unknown rule "${r}"`,
          path: path.join('.'),
          location: where(offsetOf(doc.contents as Node | null, path)),
          hint: 'slipway check --list-rules prints the rule IDs',
        })),
      ],
    };
  }
  if (cel) rememberEvaluator(parsed.data, cel);
  return { config: parsed.data, problems: [] };
}

/**
 * Custom rules: IDs unique and not the catalog's, kinds known, expressions that compile. A CEL problem
 * is placed at its line and column inside the YAML file (for plain, quoted and block scalars).
 */
function customRuleProblems(
  config: CheckConfig,
  root: Node | null,
  knownRules: ReadonlySet<string>,
  where: (offset: number) => { file: string; line: number; column: number },
  text: string,
  cel: CelEvaluator,
): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const [i, c] of (config.customRules ?? []).entries()) {
    const at = (...path: Array<string | number>) => where(offsetOf(root, ['customRules', i, ...path]));
    if (knownRules.has(c.id) || seen.has(c.id))
      problems.push({
        message: `custom rule ID "${c.id}" is already taken${knownRules.has(c.id) ? ' by the catalog' : ''}`,
        path: `customRules.${i}.id`,
        location: at('id'),
        hint: 'give the rule its own ID (slipway check --list-rules prints the catalog)',
      });
    seen.add(c.id);
    for (const [j, kind] of c.kinds.entries())
      if (!knownKind(kind))
        problems.push({
          message: `unknown kind "${kind}"`,
          path: `customRules.${i}.kinds.${j}`,
          location: at('kinds', j),
          hint: `use workloads or one of ${Object.keys(RESOURCE_KINDS).join(', ')}`,
        });
    const compiled = cel.compileCel(c.expression, cel.POLICY_VARIABLES);
    if ('problem' in compiled) {
      const node = nodeAt(root, ['customRules', i, 'expression']);
      problems.push({
        message: `invalid CEL: ${compiled.problem.message}`,
        path: `customRules.${i}.expression`,
        location: celLocation(node, compiled.problem, where, text),
        hint: 'see docs/policy-admission.md#custom-rules',
      });
    }
  }
  return problems;
}

/** Where line/column of a CEL expression fall in the YAML text of its scalar. */
function celLocation(
  node: Node | undefined,
  at: { line: number; column: number },
  where: (offset: number) => { file: string; line: number; column: number },
  text: string,
) {
  const start = node?.range?.[0] ?? 0;
  const base = where(start);
  if (node instanceof Scalar && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED')) {
    // The content starts on the line after the `|` header, at the block's indentation.
    const next = text.indexOf('\n', start) + 1;
    const indent = /^ */.exec(text.slice(next))?.[0].length ?? 0;
    return { ...base, line: base.line + at.line, column: indent + at.column };
  }
  const quote =
    node instanceof Scalar && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') ? 1 : 0;
  return at.line === 1
    ? { ...base, column: base.column + quote + at.column - 1 }
    : { ...base, line: base.line + at.line - 1, column: at.column };
}

function nodeAt(root: Node | null, path: Array<string | number>): Node | undefined {
  let current: unknown = root;
  for (const seg of path) {
    if (isMap(current))
      current = current.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg))?.value;
    else if (isSeq(current) && typeof seg === 'number') current = current.items[seg];
    else return undefined;
  }
  return (current ?? undefined) as Node | undefined;
}

function offsetOf(node: Node | null, path: Array<string | number>): number {
  let current: unknown = node;
  let offset = node?.range?.[0] ?? 0;
  for (const seg of path) {
    if (isMap(current)) {
      const pair = current.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      current = pair.value;
    } else if (isSeq(current) && typeof seg === 'number') {
      const item = current.items[seg] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      current = item;
    } else break;
  }
  return offset;
}

export function glob(pattern: string | undefined, value: string | undefined): boolean {
  if (pattern === undefined) return true;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(value ?? '');
}

/** The effective severity of a rule after the config, or undefined when it is switched off. */
export function effectiveSeverity(
  rule: { id: string; severity: Severity; enabledByDefault: boolean },
  config: CheckConfig,
): Severity | undefined {
  const s = config.rules?.[rule.id];
  if (s === 'off') return undefined;
  if (s === 'on') return rule.severity;
  if (s) return s;
  return rule.enabledByDefault ? rule.severity : undefined;
}
