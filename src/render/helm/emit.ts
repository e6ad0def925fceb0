/**
 * Writes a template tree as block-style YAML with Go template actions. Differing values are
 * printed with `toJson`, whose output is a valid YAML flow value on one line whatever its type,
 * so no action ever depends on indentation (the usual `toYaml | nindent` pitfalls). Guards use
 * `{{- if ... }}` on their own line: the `-` trims the preceding newline, so a false guard leaves
 * no blank line and a true one joins cleanly (the idiom of `helm create`'s templates).
 */
import { isPlainSafe, toYaml } from '../yaml.js';
import type { MapEntry, SeqItem, TNode, ValuePath } from './tree.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `.Values.a.b` when every segment is an identifier, else `(index .Values "a" "b-c")`. */
export function valueRef(path: ValuePath): string {
  if (path.every((s) => IDENT.test(s))) return `.Values.${path.join('.')}`;
  return `(index .Values ${path.map((s) => JSON.stringify(s)).join(' ')})`;
}

/** True when the value at `path` is set: neither missing nor null (a false or 0 still counts). */
export function isSet(path: ValuePath): string {
  return `not (kindIs "invalid" ${valueRef(path)})`;
}

export function emitDocument(root: TNode): string[] {
  if (root.t !== 'map') throw new Error('a Kubernetes object is a map');
  return emitMap(root.entries, 0, root.include);
}

function pad(indent: number): string {
  return ' '.repeat(indent);
}

function emitMap(entries: MapEntry[], indent: number, include?: string): string[] {
  const lines: string[] = [];
  if (include) lines.push(`${pad(indent)}{{- include ${JSON.stringify(include)} . | nindent ${indent} }}`);
  for (const entry of entries) {
    const body = emitEntry(entry.key, entry.node, indent);
    lines.push(...guard(entry.when, body, indent));
  }
  if (lines.length === 0) lines.push(`${pad(indent)}{}`);
  return lines;
}

function guard(when: ValuePath | undefined, body: string[], indent: number): string[] {
  if (!when) return body;
  return [`${pad(indent)}{{- if ${isSet(when)} }}`, ...body, `${pad(indent)}{{- end }}`];
}

const keyCache = new Map<string, string>();

/** A scalar as one line of YAML, without building a YAML document for the common cases. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'string' && isPlainSafe(value)) return value;
  return undefined;
}

function emitKey(key: string): string {
  if (key.includes('{{') || key.includes('}}')) return `{{ ${JSON.stringify(key)} | toJson }}`;
  const fast = scalarText(key);
  if (fast !== undefined) return fast;
  let quoted = keyCache.get(key);
  if (quoted === undefined) {
    const text = toYaml({ [key]: null }).trimEnd();
    // `key: null` -> the key as YAML writes it (quoted when it must be).
    quoted = text.slice(0, text.length - ': null'.length);
    keyCache.set(key, quoted);
  }
  return quoted;
}

function emitEntry(key: string, node: TNode, indent: number): string[] {
  const head = `${pad(indent)}${emitKey(key)}:`;
  if (node.t === 'map' && (node.entries.length > 0 || node.include)) {
    return [head, ...emitMap(node.entries, indent + 2, node.include)];
  }
  if (node.t === 'seq' && node.items.length > 0) return [head, ...emitSeq(node.items, indent + 2)];
  if (node.t === 'lit' && isBlock(node.value)) return [head, ...literalLines(node.value, indent + 2)];
  return inlineScalar(head, node, indent);
}

function emitSeq(items: SeqItem[], indent: number): string[] {
  const lines: string[] = [];
  for (const item of items) lines.push(...guard(item.when, emitItem(item.node, indent), indent));
  return lines;
}

function emitItem(node: TNode, indent: number): string[] {
  let body: string[];
  if (node.t === 'map' && (node.entries.length > 0 || node.include))
    body = emitMap(node.entries, indent + 2, node.include);
  else if (node.t === 'seq' && node.items.length > 0) body = emitSeq(node.items, indent + 2);
  else if (node.t === 'lit' && isBlock(node.value)) body = literalLines(node.value, indent + 2);
  else return inlineScalar(`${pad(indent)}-`, node, indent);
  const first = body[0]!;
  // Put the first line after the dash when it is plain content; a guard must stay on its own line.
  if (first.startsWith(pad(indent + 2)) && !first.trimStart().startsWith('{{-')) {
    return [`${pad(indent)}- ${first.slice(indent + 2)}`, ...body.slice(1)];
  }
  return [`${pad(indent)}-`, ...body];
}

/** A value on the line of its key or dash; multi-line literals continue indented below. */
function inlineScalar(head: string, node: TNode, indent: number): string[] {
  switch (node.t) {
    case 'val':
      return [`${head} {{ ${valueRef(node.ref)} | toJson }}`];
    case 'image':
      return [`${head} {{ printf "%v:%v" ${valueRef(node.repository)} ${valueRef(node.tag)} | toJson }}`];
    case 'expr':
      return [`${head} {{ ${node.text} | toJson }}`];
    case 'tpl':
      // The text is JSON, which YAML reads as the same value on one line.
      return [`${head} {{ tpl ${valueRef(node.ref)} $ }}`];
    case 'map':
      return [`${head} {}`];
    case 'seq':
      return [`${head} []`];
    case 'lit':
      return scalarLines(head, node.value, indent);
  }
}

function isBlock(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}

/**
 * A literal map or list as block YAML lines at `indent`. Written directly rather than through
 * the yaml library (a chart has thousands of literal nodes); any scalar that is not plain text
 * is JSON-quoted, which YAML reads as the same string, and multi-line strings are block scalars.
 */
function literalLines(value: unknown, indent: number): string[] {
  const lines: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isBlock(item)) {
        const body = literalLines(item, indent + 2);
        lines.push(`${pad(indent)}- ${body[0]!.slice(indent + 2)}`, ...body.slice(1));
      } else {
        lines.push(...scalarLines(`${pad(indent)}-`, item, indent));
      }
    }
    return lines;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const head = `${pad(indent)}${emitKey(key)}:`;
    if (isBlock(item)) lines.push(head, ...literalLines(item, indent + 2));
    else lines.push(...scalarLines(head, item, indent));
  }
  return lines;
}

/** `head value` for a scalar or an empty collection; a multi-line string continues below, indented. */
function scalarLines(head: string, value: unknown, indent: number): string[] {
  const fast = scalarText(value);
  if (fast !== undefined) return [`${head} ${fast}`];
  if (Array.isArray(value)) return [`${head} []`];
  if (typeof value === 'object' && value !== null) return [`${head} {}`];
  if (typeof value === 'string' && value.includes('\n')) {
    // Written as the value of a key at column 0, so the block's indentation indicator (if any) is
    // relative to that column; shifting every line by `indent` keeps it right under our key.
    // Only the document's final newline goes: a `|+` block keeps trailing blank lines as content.
    const [first, ...rest] = toYaml({ k: value }).replace(/\n$/, '').split('\n');
    return [`${head} ${first!.slice('k: '.length)}`, ...rest.map((l) => (l ? pad(indent) + l : l))];
  }
  return [`${head} ${JSON.stringify(value)}`];
}
