/**
 * The front door for YAML that a user hands Slipway (slipway.yaml, the manifests `slipway check`
 * reads): parsing in time and memory linear in the text, with caps on what hostile input can cost.
 *
 * - Size: text above MAX_YAML_BYTES is refused before it is parsed.
 * - Nesting: a document nested deeper than MAX_YAML_DEPTH is refused before it is composed (the
 *   yaml library composes recursively and would run out of stack some 900 levels down).
 * - Duplicate keys: found here with one Set per mapping. The yaml library's own check
 *   (`uniqueKeys: true`) compares each new key with every earlier key of its mapping
 *   (compose/util-map-includes.js, called from resolveBlockMap), which made a 60,000-key mapping
 *   take 23 s; this check gives the same errors at the same keys.
 * - Keys: a list or mapping as a key is an error at the key (JSON and Kubernetes have no such keys).
 * - Aliases: expanding `*anchor` references is capped per document (the library's maxAliasCount),
 *   and the library's ReferenceError becomes a problem at the first alias of the document; a `<<`
 *   merge of something other than a mapping, which the library throws without a position, becomes
 *   a problem at that value.
 */
import {
  Composer,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  Parser,
  visit,
  type Document,
  type DocumentOptions,
  type Node,
  type ParseOptions,
  type SchemaOptions,
  type ToJSOptions,
  YAMLParseError,
} from '#yaml';
import type { Problem, SourceLocation } from '../errors.js';

/** Largest YAML text read (bytes): a real slipway.yaml is kilobytes, a large chart's output a few megabytes. */
export const MAX_YAML_BYTES = 32 * 1024 * 1024;
/** Deepest nesting of mappings and sequences: Kubernetes objects, CRD schemas included, stay under 100. */
export const MAX_YAML_DEPTH = 256;

export type YamlOptions = ParseOptions & DocumentOptions & SchemaOptions;

export interface ReadYaml {
  documents: Document.Parsed[];
  lines: LineCounter;
  /** Problems of the whole text (too large, too deep); each document's own errors stay in `doc.errors`. */
  problems: Problem[];
}

export function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB`
    : `${Math.ceil(bytes / 1024)} KiB`;
}

/**
 * The problem for input above MAX_YAML_BYTES, for readers that can tell before reading;
 * `stopped`: a stream read up to `bytes` and no further, so its size is not known.
 */
export function tooLarge(file: string, bytes: number, stopped = false): Problem {
  const size = stopped ? `more than ${sizeText(MAX_YAML_BYTES)}` : sizeText(bytes);
  return {
    location: { file, line: 1, column: 1 },
    message: `the input is ${size}, above the ${sizeText(MAX_YAML_BYTES)} Slipway reads (a guard against runaway input)`,
    hint: 'check that this is the file you meant; split a very large set of manifests into several files',
  };
}

/**
 * Parse every document of `text` with positions (`lines`), without the library's quadratic
 * duplicate-key check: DUPLICATE_KEY errors are added here, linearly, in the same form.
 */
export function readYaml(text: string, file: string, options: YamlOptions): ReadYaml {
  const lines = new LineCounter();
  const at = (offset: number): SourceLocation => {
    const { line, col } = lines.linePos(offset);
    return { file, line, column: col };
  };
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_YAML_BYTES) return { documents: [], lines, problems: [tooLarge(file, bytes)] };
  const problems: Problem[] = [];
  const tokens = new Parser(lines.addNewLine).parse(text);
  const guarded = function* () {
    for (const token of tokens) {
      const deep = tooDeep(token);
      if (deep !== undefined) {
        problems.push({
          location: at(deep),
          message: `nesting deeper than ${MAX_YAML_DEPTH} levels (a guard against runaway input)`,
          hint: 'flatten this structure; no Slipway or Kubernetes field nests this deep',
        });
        return;
      }
      yield token;
    }
  };
  const composer = new Composer({ ...options, uniqueKeys: false, logLevel: 'error' });
  const documents = Array.from(composer.compose(guarded(), true, text.length)) as Document.Parsed[];
  if (problems.length) return { documents: [], lines, problems };
  for (const doc of documents) addKeyErrors(doc, options.uniqueKeys !== false);
  return { documents, lines, problems };
}

interface CstNode {
  offset?: number;
  value?: CstNode;
  key?: CstNode | null;
  items?: Array<{ key?: CstNode | null; value?: CstNode | null }>;
}

/** Offset of a collection nested deeper than MAX_YAML_DEPTH in a CST token, walked without recursion. */
function tooDeep(token: CstNode): number | undefined {
  const stack: Array<[CstNode, number]> = [[token, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node.items) {
      if (depth > MAX_YAML_DEPTH) return node.offset ?? 0;
      for (const item of node.items) {
        if (item.key) stack.push([item.key, depth + 1]);
        if (item.value) stack.push([item.value, depth + 1]);
      }
    } else if (node.value && typeof node.value === 'object') stack.push([node.value, depth]);
  }
  return undefined;
}

/**
 * Key errors of every mapping, walked without recursion:
 * - DUPLICATE_KEY where `uniqueKeys: true` would give it (same message, at the repeated key): two
 *   keys are the same when they are the same node or scalars with the same value (`1` and `"1"` differ);
 * - NON_STRING_KEY for a list or mapping used as a key (`? [a, b]`), which JSON, and so Kubernetes
 *   (sigs.k8s.io/yaml: "unsupported map key"), cannot represent; the yaml library would turn it
 *   into the text "[ a, b ]" with a process warning on stderr (silenced by logLevel for the
 *   `*alias` keys this walk leaves alone).
 */
function addKeyErrors(doc: Document.Parsed, checkDuplicates: boolean): void {
  const pending: unknown[] = [doc.contents];
  while (pending.length) {
    const node = pending.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key: unknown = pair.key;
        const offset = (key as Node | null)?.range?.[0] ?? node.range?.[0] ?? 0;
        // An *alias key is left alone: resolving it scans the document, once per alias.
        if (isCollection(key)) {
          doc.errors.push(
            new YAMLParseError(
              [offset, offset + 1],
              'NON_STRING_KEY',
              'a list or mapping cannot be a mapping key',
            ),
          );
        }
        const identity = isScalar(key) ? key.value : key;
        // NaN is never === itself, so the library never calls two .nan keys the same.
        if (checkDuplicates && seen.has(identity) && !Number.isNaN(identity)) {
          doc.errors.push(
            new YAMLParseError([offset, offset + 1], 'DUPLICATE_KEY', 'Map keys must be unique'),
          );
        }
        seen.add(identity);
        pending.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) pending.push(...node.items);
    else if (isPair(node)) pending.push(node.key, node.value);
  }
  doc.errors.sort((a, b) => a.pos[0] - b.pos[0]);
}

/**
 * The document as plain data, or a problem when expanding its aliases would pass `maxAliases`
 * (the library's guard against "billion laughs" documents).
 */
export function documentData(
  doc: Document,
  at: (offset: number) => SourceLocation,
  maxAliases: number,
  options: ToJSOptions = {},
): { data?: unknown; problem?: Problem } {
  try {
    return { data: doc.toJS({ ...options, maxAliasCount: maxAliases }) };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('Merge sources'))
      return { problem: badMerge(doc, at) };
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) throw error;
    let first = doc.contents?.range?.[0] ?? 0;
    visit(doc, {
      Alias: (_key, node) => {
        first = node.range?.[0] ?? first;
        return visit.BREAK;
      },
    });
    return {
      problem: {
        location: at(first),
        message: `the *alias references in this document expand to more than ${maxAliases} copies (a guard against "billion laughs" YAML)`,
        hint: 'write the repeated values out, or reference anchors that do not themselves hold references',
      },
    };
  }
}

/**
 * The first `<<` merge key whose value is not a mapping (or an alias of one, or a list of those): the
 * yaml library throws a plain Error for it while building the data, with no position.
 */
function badMerge(doc: Document, at: (offset: number) => SourceLocation): Problem {
  const isMergeKey = (key: unknown) =>
    isScalar(key) &&
    (key.value === '<<' || (typeof key.value === 'symbol' && key.value.description === '<<'));
  const resolved = (node: unknown) => (isAlias(node) ? node.resolve(doc) : node);
  const mergeable = (node: unknown) => isMap(resolved(node));
  let offset = doc.contents?.range?.[0] ?? 0;
  visit(doc, {
    Pair: (_key, pair) => {
      if (!isMergeKey(pair.key)) return undefined;
      const value = resolved(pair.value);
      if (isMap(value) || (isSeq(value) && value.items.every(mergeable))) return undefined;
      offset = (pair.value as Node | null)?.range?.[0] ?? (pair.key as Node).range?.[0] ?? offset;
      return visit.BREAK;
    },
  });
  return {
    location: at(offset),
    message: 'a `<<` merge key takes a mapping, an *alias of one, or a list of those',
    hint: 'point << at an anchored mapping (<<: *defaults), or write the fields out',
  };
}
