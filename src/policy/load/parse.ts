import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Tags } from '#yaml';
import type { Problem } from '../../errors.js';
import { fastOffset, fastRead, type FastRead } from '../../spec/fast-yaml.js';
import { documentData, readYaml, type YamlOptions } from '../../spec/yaml-input.js';
import { isObj, str, type Obj } from '../access.js';
import type { Manifest, Path, Position } from '../types.js';
import { classifyTemplate, mapDocument, type TemplateMap } from './template-map.js';

/**
 * Read YAML the way kubectl and the API server do (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1):
 * `yes`/`on`/`y` are booleans, `0644` is octal, `<<` merge keys apply; timestamps stay strings
 * (go-yaml hands them to the JSON conversion as text). Duplicate keys are errors, as in strict decoding.
 */
export const YAML_OPTIONS: YamlOptions = {
  version: '1.1',
  merge: true,
  uniqueKeys: true,
  prettyErrors: false,
  customTags: (tags: Tags) =>
    tags.filter((t) => !(typeof t === 'object' && 'tag' in t && t.tag === 'tag:yaml.org,2002:timestamp')),
};

/** Aliases one document may expand (the size, nesting and duplicate-key guards: src/spec/yaml-input.ts). */
export const MAX_MANIFEST_ALIASES = 1000;

export interface ParseOptions {
  /**
   * Rendered Helm output: each document's `# Source: chart/templates/x.yaml` comment names the template;
   * this maps that name to the file reported to the user. Positions are mapped into that template
   * (src/policy/load/template-map.ts): exact where the line can be known, else the document's first line
   * in the template (line 1 when the template cannot be read), marked `approximate`.
   */
  sourceFile?: (source: string) => string;
  /** The text of the template a `# Source:` names, when it can be read (not for packaged subcharts). */
  templateText?: (source: string) => string | undefined;
}

export interface ParsedFile {
  file: string;
  text: string;
  manifests: Manifest[];
  /**
   * One YAML Document per `---` section for `--fix` (comments and layout included): built with the
   * yaml library on the first call when the fast reader read the file, since only `--fix` needs them.
   */
  documents(): Document.Parsed[];
  /** Syntax errors and documents that are not Kubernetes objects: bad input (exit 2). */
  problems: Problem[];
  /** False for rendered streams (Helm, kustomize, slipway.yaml, stdin): `--fix` cannot write them back. */
  editable: boolean;
  /** For a slipway.yaml rendering: the environment (each environment is checked as its own input set). */
  environment?: string;
}

/**
 * Parses a multi-document YAML stream into manifests that remember where each field came from. Plain
 * Kubernetes YAML goes through the fast reader (src/spec/fast-yaml.ts); anything it leaves, Helm output mapped
 * to templates included, through the yaml library, with the same data and positions.
 */
export function parseManifests(text: string, file: string, options: ParseOptions = {}): ParsedFile {
  const fast = options.sourceFile
    ? undefined
    : fastRead(text, YAML_OPTIONS.customTags as (tags: Tags) => Tags);
  return (fast && fastManifests(fast, text, file)) ?? slowManifests(text, file, options);
}

/** The manifests of a fast read, or undefined when a document is not a mapping (the yaml path words that). */
function fastManifests(read: FastRead, text: string, file: string): ParsedFile | undefined {
  const manifests: Manifest[] = [];
  const problems: Problem[] = [];
  for (const [index, doc] of read.documents.entries()) {
    const body = doc.data;
    if (body === null || body === undefined) continue; // an empty document (`---` with nothing after)
    if (!isObj(body)) return undefined;
    manifestsOf(
      body,
      `${file}#${index}`,
      file,
      (path) => read.position(fastOffset(text, doc, path)),
      manifests,
      problems,
    );
  }
  let documents: Document.Parsed[] | undefined;
  return {
    file,
    text,
    manifests,
    documents: () => (documents ??= readYaml(text, file, YAML_OPTIONS).documents),
    problems,
    editable: true,
  };
}

/** The objects of one document's data: the document itself, or the items of a `kind: List`. */
function manifestsOf(
  body: Obj,
  docKey: string,
  reportedFile: string,
  locate: (path: Path) => Position,
  manifests: Manifest[],
  problems: Problem[],
): void {
  const push = (item: Obj, docPath: Path) => {
    const problem = missingIdentity(item);
    const itemStart = locate(docPath);
    if (problem) {
      problems.push({
        message: problem,
        location: { file: reportedFile, line: itemStart.line, column: itemStart.column },
        hint: 'every object needs apiVersion, kind and metadata.name (or generateName)',
      });
      return;
    }
    const meta = isObj(item.metadata) ? item.metadata : {};
    manifests.push({
      file: reportedFile,
      start: itemStart,
      ref: {
        apiVersion: String(item.apiVersion),
        kind: String(item.kind),
        name: str(meta.name) ?? str(meta.generateName) ?? '',
        ...(str(meta.namespace) ? { namespace: str(meta.namespace) } : {}),
      },
      body: item,
      docPath,
      locate: docPath.length ? (path) => locate([...docPath, ...path]) : locate,
      docKey,
    });
  };
  // `kind: List` (what `kubectl get -o yaml` prints) holds objects under items.
  if (typeof body.kind === 'string' && body.kind.endsWith('List') && Array.isArray(body.items)) {
    body.items.forEach((item, i) => {
      if (isObj(item)) push(item, ['items', i]);
    });
  } else push(body, []);
}

/**
 * The yaml library's reading: every Document, its errors as the user sees them. What parseManifests
 * falls back to, and the reference the fast reader is tested and benchmarked against.
 */
export function slowManifests(text: string, file: string, options: ParseOptions): ParsedFile {
  const read = readYaml(text, file, YAML_OPTIONS);
  const lineCounter = read.lines;
  const problems: Problem[] = [...read.problems];
  const manifests: Manifest[] = [];
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const docs = read.documents;
  const templates = new Map<string, ReturnType<typeof classifyTemplate> | undefined>();
  let streamLines: string[] | undefined;
  const lines = () => (streamLines ??= text.split('\n'));
  docs.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = at(e.pos[0]);
        problems.push({ message: `invalid YAML: ${e.message.split('\n')[0]}`, location: { file, ...pos } });
      }
      return;
    }
    const expanded = documentData(doc, (offset) => ({ file, ...at(offset) }), MAX_MANIFEST_ALIASES);
    if (expanded.problem) {
      problems.push(expanded.problem);
      return;
    }
    const body: unknown = expanded.data;
    if (body === null || body === undefined) return; // an empty document (`---` with nothing after)
    const source = options.sourceFile ? sourceOf(doc, text) : undefined;
    const reportedFile = source && options.sourceFile ? options.sourceFile(source.name) : file;
    const docKey = `${file}#${index}`;
    const contents = doc.contents as Node | null;
    // Rendered Helm output: positions move into the template file.
    const place = source
      ? templatePlacer(source, lines, lineCounter, options.templateText, templates)
      : (offset: number) => at(offset);
    const start = place(contents?.range?.[0] ?? doc.range[0]);
    if (!isObj(body)) {
      problems.push({
        message: 'a YAML document is not a Kubernetes object (expected a mapping with apiVersion and kind)',
        location: { file: reportedFile, line: start.line, column: start.column },
      });
      return;
    }
    const locate = (path: Path): Position => place(offsetOf(doc, path));
    manifestsOf(body, docKey, reportedFile, locate, manifests, problems);
  });
  return { file, text, manifests, documents: () => docs, problems, editable: !options.sourceFile };
}

function missingIdentity(item: Obj): string | undefined {
  for (const field of ['apiVersion', 'kind'] as const) {
    const v = item[field];
    if (v === undefined || v === null || v === '') return `object has no ${field}`;
    if (typeof v !== 'string') return `${field} must be a string (quote it: "${String(v)}")`;
  }
  const meta = item.metadata;
  const name = isObj(meta) ? (meta.name ?? meta.generateName) : undefined;
  if (name === undefined || name === null || name === '') return `${String(item.kind)} has no metadata.name`;
  if (typeof name !== 'string') return `metadata.name must be a string (quote it: "${String(name)}")`;
  return undefined;
}

/**
 * Offset of the deepest node along `path`: for a mapping entry, its key (where an editor should put the
 * cursor); for a sequence item, the item; when a step is missing, the last node that exists.
 */
function offsetOf(doc: Document.Parsed, path: Path): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? doc.range[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = pairsByKey(node).get(String(seg));
      if (!pair) break;
      const key = pair.key as Node;
      offset = key.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}

type MapNode = Extract<Node, { items: unknown[] }> & { items: Array<{ key: unknown; value: unknown }> };
const pairIndex = new WeakMap<object, Map<string, { key: unknown; value: unknown }>>();

/**
 * A mapping's entries by key text, the first entry winning as a scan would; built on the first
 * lookup, since a manifest's findings look up the same mappings again and again.
 */
function pairsByKey(node: MapNode): Map<string, { key: unknown; value: unknown }> {
  let index = pairIndex.get(node);
  if (index) return index;
  index = new Map();
  for (const pair of node.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    if (!index.has(key)) index.set(key, pair);
  }
  pairIndex.set(node, index);
  return index;
}

/**
 * Helm writes `# Source: <chart>/templates/<file>` before every document it renders; the document's
 * text follows on the next line. Returns the name and the offset of the comment in the stream.
 */
function sourceOf(doc: Document.Parsed, text: string): { name: string; offset: number } | undefined {
  const contentsStart = (doc.contents as Node | null)?.range?.[0] ?? doc.range[1];
  const head = text.slice(doc.range[0], contentsStart);
  const match = /#\s*Source:\s*(\S+)/.exec(head);
  return match?.[1] ? { name: match[1], offset: doc.range[0] + match.index } : undefined;
}

/**
 * Positions for one document of `helm template` output, in its template file: the exact line (and
 * column, when the text before it is literal) where the rendered line maps to one template line, else
 * the document's first line in the template, marked approximate.
 */
function templatePlacer(
  source: { name: string; offset: number },
  streamLines: () => string[],
  lineCounter: LineCounter,
  read: ((source: string) => string | undefined) | undefined,
  cache: Map<string, ReturnType<typeof classifyTemplate> | undefined>,
): (offset: number) => Position {
  if (!cache.has(source.name)) {
    const template = read?.(source.name);
    cache.set(source.name, template === undefined ? undefined : classifyTemplate(template));
  }
  const template = cache.get(source.name);
  if (!template) return () => ({ line: 1, column: 1, approximate: true });
  // The document's lines: from the line after `# Source:` up to helm's next `---` separator.
  const lines = streamLines();
  const first = lineCounter.linePos(source.offset).line; // 1-based line of the comment = 0-based index of the next line
  let end = first;
  while (end < lines.length && !/^---\s*$/.test(lines[end] ?? '')) end++;
  while (end > first && (lines[end - 1] ?? '').trim() === '') end--; // helm trims each document
  const rendered = lines.slice(first, end).map((l) => l.replace(/\r$/, ''));
  let map: TemplateMap | undefined;
  return (offset) => {
    map ??= mapDocument(template, rendered);
    const p = lineCounter.linePos(offset);
    const index = p.line - 1 - first;
    const line = map.exactLine(index);
    if (line === undefined) return { line: map.startLine, column: 1, approximate: true };
    return { line, column: map.column(index, p.col) };
  };
}
