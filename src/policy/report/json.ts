import type { Finding } from '../types.js';

export interface JsonReport {
  findings: Finding[];
  summary: {
    errors: number;
    warnings: number;
    info: number;
    objects: number;
    suppressed: number;
    failed: boolean;
  };
}

/** `--output json`: every finding with rule, severity, file, line, column, object and message. */
export function formatJson(
  findings: readonly Finding[],
  meta: { objects: number; suppressed: number; failed: boolean },
): string {
  const report: JsonReport = {
    findings: [...findings],
    summary: {
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
      info: findings.filter((f) => f.severity === 'info').length,
      objects: meta.objects,
      suppressed: meta.suppressed,
      failed: meta.failed,
    },
  };
  return JSON.stringify(report, null, 2) + '\n';
}
