/**
 * A small HCL writer that prints what `terraform fmt` would leave unchanged: two-space indents,
 * the `=` of consecutive one-line arguments aligned, a blank line around multi-line arguments and
 * nested blocks, strings escaped (`${` and `%{` doubled so a value is never an interpolation).
 * Values are plain data; a reference or function call is an `Expression` so it is never quoted.
 */

export class Expression {
  constructor(readonly text: string) {}
}

/** A Terraform expression written as is: `ref('aws_s3_bucket.backups.id')`. */
export function ref(text: string): Expression {
  return new Expression(text);
}

export type Value = string | number | boolean | Expression | Value[] | { [key: string]: Value };

export interface Block {
  type: string;
  labels: string[];
  body: Item[];
}

export type Item = { name: string; value: Value } | { block: Block } | { comment: string };

export function block(type: string, labels: string[], body: Item[]): Block {
  return { type, labels, body };
}

export function arg(name: string, value: Value | undefined): Item[] {
  return value === undefined ? [] : [{ name, value }];
}

export function nested(type: string, body: Item[]): Item {
  return { block: { type, labels: [], body } };
}

export function comment(text: string): Item {
  return { comment: text };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function quote(s: string): string {
  return `"${s
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, () => '%%{')}"`;
}

function isScalar(v: Value): boolean {
  return typeof v !== 'object' || v instanceof Expression;
}

function scalar(v: Value): string {
  if (v instanceof Expression) return v.text;
  if (typeof v === 'string') return quote(v);
  return String(v);
}

/** Lines of a value at `indent`; the first line continues the `name =` line. */
function valueLines(v: Value, indent: string): string[] {
  if (isScalar(v)) return [scalar(v)];
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return ['[]'];
    if (v.every(isScalar)) {
      const one = `[${v.map(scalar).join(', ')}]`;
      if (one.length + indent.length <= 100) return [one];
    }
    const lines = ['['];
    for (const item of v) {
      const sub = valueLines(item, inner);
      lines.push(`${inner}${sub[0]}`, ...sub.slice(1));
      lines[lines.length - 1] += ',';
    }
    lines.push(`${indent}]`);
    return lines;
  }
  const entries = Object.entries(v as Record<string, Value>);
  if (entries.length === 0) return ['{}'];
  const items: Item[] = entries.map(([name, value]) => ({
    name: IDENTIFIER.test(name) ? name : quote(name),
    value,
  }));
  return ['{', ...bodyLines(items, inner, false), `${indent}}`];
}

function isMultiLine(item: Item): boolean {
  return 'block' in item || ('value' in item && valueLines(item.value, '').length > 1);
}

/** The lines of a body: runs of one-line arguments aligned, blank lines around anything longer. */
function bodyLines(items: Item[], indent: string, spaced = true): string[] {
  const out: string[] = [];
  let run: { name: string; value: Value }[] = [];
  const flush = () => {
    const width = Math.max(...run.map((a) => a.name.length));
    for (const a of run) out.push(`${indent}${a.name.padEnd(width)} = ${scalarOrInline(a.value, indent)}`);
    run = [];
  };
  const separate = () => {
    if (spaced && out.length && out[out.length - 1] !== '') out.push('');
  };
  for (const item of items) {
    if ('comment' in item) {
      if (run.length) flush();
      separate();
      out.push(`${indent}# ${item.comment}`);
      continue;
    }
    if (!isMultiLine(item)) {
      if (
        run.length === 0 &&
        spaced &&
        out.length &&
        out[out.length - 1] !== '' &&
        !out[out.length - 1]!.trimStart().startsWith('#')
      )
        out.push('');
      run.push(item as { name: string; value: Value });
      continue;
    }
    if (run.length) flush();
    separate();
    if ('block' in item) out.push(...blockLines(item.block, indent));
    else {
      const lines = valueLines(item.value, indent);
      out.push(`${indent}${item.name} = ${lines[0]}`, ...lines.slice(1));
    }
    if (spaced) out.push('');
  }
  if (run.length) flush();
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

function scalarOrInline(v: Value, indent: string): string {
  return valueLines(v, indent)[0]!;
}

function blockLines(b: Block, indent: string): string[] {
  const head = [b.type, ...b.labels.map(quote)].join(' ');
  if (b.body.length === 0) return [`${indent}${head} {}`];
  return [`${indent}${head} {`, ...bodyLines(b.body, `${indent}  `), `${indent}}`];
}

/** A file of top-level blocks, one blank line between them, ending in a newline. */
export function hclFile(blocks: Block[], header: string[] = []): string {
  const parts = blocks.map((b) => blockLines(b, '').join('\n'));
  const head = header.map((l) => `# ${l}`).join('\n');
  return `${head ? `${head}\n\n` : ''}${parts.join('\n\n')}\n`;
}
