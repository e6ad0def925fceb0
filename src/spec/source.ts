/**
 * A slipway.yaml as parsed text: the plain data, and the YAML nodes with their ranges so any
 * problem found later (by zod, by a semantic check, in an overlay) can name its line and column.
 */
import { Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node, type Tags } from '#yaml';
import type { Problem, SourceLocation } from '../errors.js';
import { fastRead } from './fast-yaml.js';
import { documentData, readYaml, type YamlOptions } from './yaml-input.js';

/** A path into the data; a `{ name }` segment picks the list item with that name (keyed lists). */
export type PathSegment = string | number | { name: string };

export interface SpecSource {
  file: string;
  /** The YAML nodes; after a fast read, built with the yaml library on first use (to place a problem). */
  readonly doc: Document;
  readonly lines: LineCounter;
  data: unknown;
}

function position(source: SpecSource, offset: number): SourceLocation {
  const { line, col } = source.lines.linePos(offset);
  return { file: source.file, line, column: col };
}

/** Aliases one slipway.yaml may expand (`x-` anchors reused under services); the yaml library's default. */
export const MAX_SPEC_ALIASES = 100;

const SPEC_OPTIONS: YamlOptions = {
  prettyErrors: false,
  // Duplicate keys are errors (readYaml finds them) instead of the last one silently winning.
  uniqueKeys: true,
  // `<<: *defaults` merge keys, as Compose files and many CI configs use them.
  merge: true,
};

/** The core schema's tags as they are: slipway.yaml leaves none out. */
const ALL_TAGS = (tags: Tags): Tags => tags;

/**
 * Parse YAML keeping ranges; YAML errors (syntax, duplicate keys, tabs) become problems with
 * positions, as do the front door's caps (size, nesting, alias expansion: src/spec/yaml-input.ts).
 *
 * A plain single document goes through the fast reader (src/spec/fast-yaml.ts: js-yaml, the same
 * data as the yaml library, proven equal by test/spec/fast-source.test.ts), which has no errors to
 * report by construction; the yaml library reads the text again only when a problem needs a
 * position. Anything else, and every YAML error, takes the yaml library's path below.
 */
export function parseSource(text: string, file: string): { source: SpecSource; problems: Problem[] } {
  const fast = fastRead(text, ALL_TAGS, 'core');
  if (fast?.documents.length === 1) {
    let nodes: { doc: Document; lines: LineCounter } | undefined;
    const read = () => {
      if (nodes) return nodes;
      const slow = readYaml(text, file, SPEC_OPTIONS);
      nodes = { doc: slow.documents[0] ?? new Document(null), lines: slow.lines };
      return nodes;
    };
    const source: SpecSource = {
      file,
      data: fast.documents[0]!.data,
      get doc() {
        return read().doc;
      },
      get lines() {
        return read().lines;
      },
    };
    return { source, problems: [] };
  }
  return readSource(text, file);
}

/** parseSource with the yaml library. */
export function readSource(text: string, file: string): { source: SpecSource; problems: Problem[] } {
  const read = readYaml(text, file, SPEC_OPTIONS);
  const doc = read.documents[0] ?? new Document(null);
  const source: SpecSource = { file, doc, lines: read.lines, data: undefined };
  if (read.problems.length) return { source, problems: read.problems };
  const problems: Problem[] = doc.errors.map((e) => ({
    location: position(source, e.pos[0]),
    message: yamlMessage(e.code, e.message),
    hint: yamlHint(e.code),
  }));
  const extra = read.documents[1];
  if (extra) {
    problems.push({
      location: position(source, extra.range[0]),
      message: 'a second YAML document (after ---): slipway.yaml holds one',
      hint: 'remove the --- line and merge the two parts, or move the second part to its own file',
    });
  }
  if (problems.length === 0) {
    const { data, problem } = documentData(doc, (offset) => position(source, offset), MAX_SPEC_ALIASES);
    if (problem) problems.push(problem);
    else source.data = data;
  }
  return { source, problems };
}

function yamlMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key: a key may appear only once in a mapping';
  if (code === 'NON_STRING_KEY') return 'a list or mapping cannot be a key: slipway.yaml keys are names';
  // The yaml library's messages are precise; keep the first line only (the rest is a source excerpt).
  return `YAML syntax error: ${message.split('\n')[0]?.replace(/ at line \d+, column \d+.*$/, '')}`;
}

function yamlHint(code: string): string | undefined {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'remove one of the two entries (YAML would otherwise keep only one of them)';
    case 'NON_STRING_KEY':
      return 'write the key as a plain name; a `?` at the start of a line begins a complex key';
    case 'TAB_AS_INDENT':
      return 'indent with spaces; YAML does not allow tabs for indentation';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return 'check the indentation and the quotes on this line and the one before';
    default:
      return undefined;
  }
}

interface Located {
  /** The deepest node on the path that exists. */
  node: Node | undefined;
  /** The key of the last pair walked, when the path ends at a mapping entry. */
  key: Node | undefined;
  /** True when the whole path was found. */
  found: boolean;
}

/** Walk the YAML nodes along a data path. */
export function locate(source: SpecSource, path: readonly PathSegment[]): Located {
  let node: Node | undefined = (source.doc.contents ?? undefined) as Node | undefined;
  let key: Node | undefined;
  for (const segment of path) {
    let next: Node | undefined;
    let nextKey: Node | undefined;
    if (isMap(node) && typeof segment !== 'object') {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (pair) {
        next = (pair.value ?? pair.key) as Node;
        nextKey = pair.key as Node;
      }
    } else if (isSeq(node)) {
      if (typeof segment === 'number') next = node.items[segment] as Node | undefined;
      else if (typeof segment === 'object') {
        next = node.items.find((item) => isMap(item) && item.get('name') === segment.name) as
          Node | undefined;
      }
    }
    if (!next) return { node, key, found: false };
    node = next;
    key = nextKey;
  }
  return { node, key, found: true };
}

/** Where a path is: the value's start (or the key's, with `atKey`), else the nearest ancestor that exists. */
export function locationOf(source: SpecSource, path: readonly PathSegment[], atKey = false): SourceLocation {
  const found = locate(source, path);
  const target = atKey && found.found && found.key ? found.key : found.node;
  const offset = target?.range?.[0] ?? 0;
  return position(source, offset);
}

export function pathText(path: readonly PathSegment[]): string {
  return path
    .map((s, i) =>
      typeof s === 'object' ? `[${s.name}]` : typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`,
    )
    .join('');
}
