import type { Finding, Severity } from '../types.js';

/** Human output: findings grouped by file, then by object, with file:line:col on every line. */
export interface TextOptions {
  color: boolean;
  objectsChecked: number;
  suppressed: number;
}

const ANSI = {
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  blue: '\x1b[34m',
  dim: '\x1b[2m',
  bold: '\x1b[1m',
  reset: '\x1b[0m',
};
const COLOR: Record<Severity, string> = { error: ANSI.red, warning: ANSI.yellow, info: ANSI.blue };

export function formatText(findings: readonly Finding[], opts: TextOptions): string {
  const paint = (code: string, s: string) => (opts.color ? `${code}${s}${ANSI.reset}` : s);
  const lines: string[] = [];
  const byFile = groupBy(findings, (f) =>
    f.environment ? `${f.file} (environment ${f.environment})` : f.file,
  );
  for (const [file, inFile] of byFile) {
    lines.push(paint(ANSI.bold, file));
    const width = Math.max(...inFile.map((f) => `${f.file}:${f.line}:${f.column}`.length));
    for (const [, inObject] of groupBy(
      inFile,
      (f) => `${f.object.kind}/${f.object.namespace ?? ''}/${f.object.name}`,
    )) {
      const o = (inObject[0] as Finding).object;
      lines.push(`  ${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`);
      for (const f of inObject) {
        const where = `${f.file}:${f.line}:${f.column}`.padEnd(width);
        const sev = paint(COLOR[f.severity], f.severity.padEnd(7));
        lines.push(
          `    ${paint(ANSI.dim, where)}  ${sev} ${f.message}  ${paint(ANSI.dim, `[${f.rule}]${f.fixable ? ' (fixable)' : ''}`)}`,
        );
      }
    }
    lines.push('');
  }
  lines.push(summary(findings, opts));
  return lines.join('\n') + '\n';
}

export function summary(
  findings: readonly Finding[],
  opts: { objectsChecked: number; suppressed: number },
): string {
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const files = new Set(findings.map((f) => f.file)).size;
  const head =
    findings.length === 0
      ? 'no findings'
      : `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${count('info')} info in ${plural(files, 'file')}`;
  const tail = [
    `${plural(opts.objectsChecked, 'object')} checked`,
    ...(opts.suppressed ? [`${opts.suppressed} suppressed`] : []),
  ].join(', ');
  return `${head} (${tail})`;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k) ?? [];
    list.push(item);
    out.set(k, list);
  }
  return out;
}
