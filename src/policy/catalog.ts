import type { RuleMeta } from './types.js';

/** `--list-rules`: the catalog as text (one block per rule) or as JSON. */
export function catalogEntries(rules: readonly RuleMeta[]) {
  return rules.map((r) => ({
    id: r.id,
    title: r.title,
    severity: r.severity,
    category: r.category,
    enabledByDefault: r.enabledByDefault,
    fixable: r.fixable,
    checks: r.checks,
    rationale: r.rationale,
    remediation: r.remediation,
    ...(r.pss ? { pss: r.pss } : {}),
  }));
}

export function formatCatalogText(rules: readonly RuleMeta[]): string {
  const lines: string[] = [];
  let category = '';
  for (const r of rules) {
    if (r.category !== category) {
      category = r.category;
      lines.push(`${category}`);
    }
    const flags = [
      r.severity,
      ...(r.enabledByDefault ? [] : ['off by default']),
      ...(r.fixable ? ['fixable'] : []),
      ...(r.pss ? [`PSS ${r.pss.level}: ${r.pss.checkId}`] : []),
    ];
    lines.push(`  ${r.id.padEnd(32)} ${r.title} (${flags.join(', ')})`);
    lines.push(`  ${''.padEnd(32)} checks: ${r.checks}`);
  }
  return `${lines.join('\n')}\n${rules.length} rules\n`;
}
