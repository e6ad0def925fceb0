/** Small Markdown builders; runbooks are read in a hurry, so the output is plain and regular. */

export function code(lines: string[]): string {
  return ['```sh', ...lines, '```', '', ''].join('\n');
}

export function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    '',
  ].join('\n');
}

export function header(title: string, app: string, specPath: string): string {
  return `<!-- Written by slipway render --format runbooks from ${specPath}; change the spec, not this file. -->\n# ${title}: ${app}\n\n`;
}
