import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { z } from 'zod';
import type { Problem } from '../errors.js';
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

export const configSchema = z.strictObject({
  rules: z.record(z.string(), setting).optional(),
  exemptions: z.array(exemption).optional(),
  kubeVersion: z.union([z.string(), z.number()]).optional(),
  failOn: z.enum(['error', 'warning', 'info', 'none']).optional(),
  profile: z.enum(['pss-baseline', 'pss-restricted']).optional(),
  allowedRegistries: z.array(z.string().min(1)).optional(),
});

export type CheckConfig = z.infer<typeof configSchema>;
export type Exemption = z.infer<typeof exemption>;
export type RuleSetting = z.infer<typeof setting>;

export type ConfigResult =
  { config: CheckConfig; problems: [] } | { config?: undefined; problems: Problem[] };

export function parseConfig(text: string, file: string, knownRules: ReadonlySet<string>): ConfigResult {
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
  return { config: parsed.data, problems: [] };
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
