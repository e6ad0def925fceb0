/**
 * Writes a template tree as block-style YAML with Go template actions. Differing values are
 * printed with `toJson`, whose output is a valid YAML flow value on one line whatever its type,
 * so no action ever depends on indentation (the usual `toYaml | nindent` pitfalls). Guards use
 * `{{- if ... }}` on their own line: the `-` trims the preceding newline, so a false guard leaves
 * no blank line and a true one joins cleanly (the idiom of `helm create`'s templates).
 */
import { toYaml } from '../formats.js';
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

function emitKey(key: string): string {
  if (key.includes('{{') || key.includes('}}')) return `{{ ${JSON.stringify(key)} | toJson }}`;
  const text = toYaml({ [key]: null }).trimEnd();
  // `key: null` -> the key as YAML writes it (quoted when it must be).
  return text.slice(0, text.length - ': null'.length);
}

function emitEntry(key: string, node: TNode, indent: number): string[] {
  const head = `${pad(indent)}${emitKey(key)}:`;
  if (node.t === 'map' && (node.entries.length > 0 || node.include)) {
    return [head, ...emitMap(node.entries, indent + 2, node.include)];
  }
  if (node.t === 'seq' && node.items.length > 0) return [head, ...emitSeq(node.items, indent + 2)];
  if (node.t === 'lit' && isBlock(node.value)) return [head, ...reindent(toYaml(node.value), indent + 2)];
  return inlineScalar(head, node, indent);
}

function emitSeq(items: SeqItem[], indent: number): string[] {
  const lines: string[] = [];
  for (const item of items) lines.push(...guard(item.when, emitItem(item.node, indent), indent));
  return lines;
}

function emitItem(node: TNode, indent: number): string[] {
  let body: string[];
  if (node.t === 'map' && (node.entries.length > 0 || node.include)) body = emitMap(node.entries, indent + 2, node.include);
  else if (node.t === 'seq' && node.items.length > 0) body = emitSeq(node.items, indent + 2);
  else if (node.t === 'lit' && isBlock(node.value)) body = reindent(toYaml(node.value), indent + 2);
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
    case 'map':
      return [`${head} {}`];
    case 'seq':
      return [`${head} []`];
    case 'lit': {
      const [first, ...rest] = toYaml(node.value).trimEnd().split('\n');
      return [`${head} ${first}`, ...rest.map((l) => (l ? pad(indent + 2) + l : l))];
    }
  }
}

function isBlock(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}

function reindent(text: string, indent: number): string[] {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => (l ? pad(indent) + l : l));
}
