/** The last line of a deploy for people: the outcome, or the plan for `--dry-run`. */
import type { DeployResult } from '../../engine/deploy.js';

export function describeResult(r: DeployResult): string {
  if (r.outcome === 'dry-run') {
    const p = r.plan;
    const lines = [
      `plan: ${p.app} revision ${p.revision} to ${p.environment} (${p.strategy}${p.strategyNote ? `; ${p.strategyNote}` : ''})`,
    ];
    for (const s of p.steps)
      lines.push(`  ${s.name.padEnd(12)} ${s.skipped ? `skipped: ${s.skipped}` : s.summary}`);
    for (const g of p.apply)
      lines.push(`  apply ${g.phase}: ${g.objects.map((o) => `${o.kind}/${o.name}`).join(', ')}`);
    if (p.prune.length) lines.push(`  delete: ${p.prune.map((o) => `${o.kind}/${o.name}`).join(', ')}`);
    return `${lines.join('\n')}\n`;
  }
  const rel = r.release;
  const head = `${r.outcome} ${rel?.app} revision ${rel?.revision} to ${rel?.environment} (${rel?.strategy})`;
  return `${head}${r.message ? `: ${r.message}` : ''}\n`;
}
