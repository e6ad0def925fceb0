/**
 * The fast reader of `slipway check`'s input and of slipway.yaml: js-yaml builds the data and, through its parse-event
 * listener, a tree of node offsets in the same pass, about fifteen times faster than the yaml library
 * composing Documents. It reads only the plain majority of Kubernetes YAML and answers exactly what
 * the yaml path answers (src/policy/load/parse.ts: the same data, the same offsets for every path);
 * for anything else it returns undefined and the caller reads the text with the yaml library, so
 * every error message and every unusual construct keeps the one implementation:
 *
 * - any js-yaml error (syntax, duplicate key, nesting deeper than js-yaml's 100 levels);
 * - anchors, aliases, tags (`!`, `!!str`, `!custom`), directives (`%YAML`), a byte-order mark, `\r`,
 *   tabs anywhere (the two libraries draw the line between tab as space and as error differently),
 *   `---` or `...` followed by content on its line;
 * - a comment inside a flow collection or right after a quoted scalar or flow collection (`"a"#`), a
 *   flow collection's line indented too little (a js-yaml warning), an escaped line break (`\` at the
 *   end of a line) in a double-quoted scalar, a comment glued to its `#` between a key (or `-`) and
 *   a value on a later line;
 * - keys that are not strings (`1:`, `true:`, `~:`, `[a]:`), `<<` merge keys, implicit keys longer
 *   than 1,000 characters (the yaml library refuses keys past 1,024), explicit `? key` entries and
 *   flow pairs whose shape the offset tree cannot match to the data;
 * - text above MAX_YAML_BYTES (the yaml path gives the size problem).
 *
 * Scalars resolve through the yaml library's own tags: for check, YAML 1.1 (the same tag list
 * YAML_OPTIONS builds, timestamps left out), so `yes`, `0644`, `1_000` and `.inf` read as on the slow
 * path; for slipway.yaml (src/spec/source.ts), the 1.2 core schema, where `yes` stays a string.
 */
import jsyaml from '#js-yaml';
import { Schema, type Tags } from '#yaml';
import { MAX_YAML_BYTES } from './yaml-input.js';

/** A path into the data: mapping keys and sequence indexes. */
export type Path = ReadonlyArray<string | number>;

/** 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/**
 * The offset tree of one read, flat: node `i` (numbered in the order js-yaml began composing them, so
 * a node's children follow it) began at `open[i]` (its first token follows, after any space and
 * comments), its subtree ends before node `end[i]`, `kind[i]` says what it is and `value[i]` holds
 * what js-yaml composed (a mapping's key text, checked against the data). A mapping's children are
 * its keys and values alternately. A few growing arrays per file instead of an array and an object
 * per collection: the tree is built for every node and read only for the fields findings name.
 */
interface Tree {
  open: Int32Array;
  end: Int32Array;
  kind: Uint8Array;
  value: unknown[];
  /** Mappings with many keys: key text -> key node, built on the first lookup. */
  keys?: Map<number, Map<string, number>>;
}

const EMPTY = 0;
const SCALAR = 1;
const MAPPING = 2;
const SEQUENCE = 3;
/** A node composed through a failed block-mapping attempt: its only child is the real collection. */
const WRAPPER = 4;
/** A mapping of more than SCAN_KEYS keys: looked up through a key table. */
const LARGE_MAPPING = 5;
/** Mappings up to this many keys are scanned; larger ones get a key table on their first lookup. */
const SCAN_KEYS = 12;

export interface FastDocument {
  data: unknown;
  tree: Tree;
  /** The document's node in `tree`. */
  root: number;
}

export interface FastRead {
  documents: FastDocument[];
  /** 1-based line and column of an offset. */
  position(offset: number): Position;
}

/** Thrown from the listener to end a read that the yaml path must make. */
class Defer extends Error {}

const MAX_IMPLICIT_KEY = 1000;

/**
 * Text the fast reader leaves to the yaml library: tabs and carriage returns anywhere, a directive
 * (`%YAML`), and `---` or `...` at the start of a line followed by anything but space or a comment
 * (`---#`: js-yaml ends the document there, the yaml library reads a scalar; `--- a: b`: the yaml
 * library refuses a mapping there).
 */
const UNUSUAL_TEXT = /[\t\r]|^(?:%|(?:---|\.\.\.)(?! *$| +#))/m;

/**
 * First characters a YAML 1.1 implicit scalar (null, bool, int, float) can start with (the core
 * schema's are a subset): `~`, the
 * letters of null/yes/no/true/false/on/off, `e`/`E` (`E5` is a float), signs, `.` and digits. Any
 * other plain scalar is a string without trying the tags' patterns (most of a manifest's scalars:
 * names, images, labels). The test tries every first character against the patterns.
 */
const IMPLICIT_START = new Uint8Array(128);
for (const c of '~NnYyTtFfOoEe-+.0123456789') IMPLICIT_START[c.charCodeAt(0)] = 1;

interface ScalarTag {
  test: RegExp;
  resolve: (value: string, onError: (message: string) => void, options: object) => unknown;
}

let bail: string | undefined;

/**
 * One js-yaml implicit type doing what the yaml library does for a plain scalar: the first of its
 * `default` tags whose pattern matches resolves the text.
 */
function implicitScalars(name: ScalarSchema, customTags: (tags: Tags) => Tags): jsyaml.Type {
  const schema = new Schema({ schema: name, merge: true, customTags });
  // The merge tag (`default: 'key'`) applies at keys only; the fast path leaves `<<` to the yaml path.
  const tags = schema.tags.filter(
    (tag): tag is typeof tag & ScalarTag =>
      tag.default === true && 'test' in tag && tag.test instanceof RegExp,
  );
  for (const tag of tags)
    if (!tag.test.source.startsWith('^')) throw new Error(`unanchored YAML tag pattern ${tag.test.source}`);
  let matched: ScalarTag | undefined;
  const onError = (message: string) => {
    bail = message;
  };
  return new jsyaml.Type('tag:slipway.dev,2026:implicit', {
    kind: 'scalar',
    resolve: (data: unknown) => {
      if (typeof data !== 'string') return false;
      if (data.length > 0) {
        const c = data.charCodeAt(0);
        if (c >= 128 || IMPLICIT_START[c] === 0) return false;
      }
      for (const tag of tags) {
        if (tag.test.test(data)) {
          matched = tag;
          return true;
        }
      }
      return false;
    },
    construct: (data: string) => {
      const value = matched!.resolve(data, onError, {});
      return value !== null && typeof value === 'object' && 'value' in value ? value.value : value;
    },
  });
}

let schema: jsyaml.Schema | undefined;
let schemaTags: ((tags: Tags) => Tags) | undefined;
let schemaName: ScalarSchema | undefined;

/** The yaml library's schemas the fast reader resolves plain scalars with: check's YAML 1.1, slipway.yaml's 1.2 core. */
export type ScalarSchema = 'yaml-1.1' | 'core';

/**
 * Reads every document of `text`, or returns undefined when the yaml path must read it. `customTags`
 * is the yaml path's tag filter (YAML_OPTIONS.customTags), applied to the tag list of `scalars`
 * (YAML 1.1 for check's manifests, the 1.2 core schema for slipway.yaml).
 */
export function fastRead(
  text: string,
  customTags: (tags: Tags) => Tags,
  scalars: ScalarSchema = 'yaml-1.1',
): FastRead | undefined {
  if (text.length > MAX_YAML_BYTES / 4 && Buffer.byteLength(text) > MAX_YAML_BYTES) return undefined;
  if (text.charCodeAt(0) === 0xfeff || UNUSUAL_TEXT.test(text)) return undefined;
  if (!schema || schemaTags !== customTags || schemaName !== scalars) {
    // Only the implicit scalars: with no str/seq/map types, any explicit tag (`!!str`, `!!map`,
    // `!custom`) is unknown to js-yaml and ends the fast read.
    schema = new jsyaml.Schema({ implicit: [implicitScalars(scalars, customTags)], explicit: [] });
    schemaTags = customTags;
    schemaName = scalars;
  }
  // Typed arrays: no garbage per node, and nothing for the collector to trace but the values.
  let capacity = (text.length >> 3) + 64;
  const tree: Tree = {
    open: new Int32Array(capacity),
    end: new Int32Array(capacity),
    kind: new Uint8Array(capacity),
    // Written as nodes end (children before their parent): allocated whole, never grown by a gap.
    value: new Array<unknown>(capacity),
  };
  let { open: opens, end: ends, kind: kinds, value: values } = tree;
  const grow = () => {
    capacity *= 2;
    const open = new Int32Array(capacity);
    const end = new Int32Array(capacity);
    const kind = new Uint8Array(capacity);
    open.set(opens);
    end.set(ends);
    kind.set(kinds);
    const value = new Array<unknown>(capacity);
    for (let i = 0; i < count; i++) value[i] = values[i];
    tree.value = values = value;
    tree.open = opens = open;
    tree.end = ends = end;
    tree.kind = kinds = kind;
  };
  // The nodes being composed, innermost last.
  const stack: number[] = [];
  let depth = -1;
  let count = 0;
  const documents: FastDocument[] = [];
  const escapedBreaks = text.includes('\\\n');
  const listener = (event: jsyaml.EventType, parser: jsyaml.State) => {
    const state = parser as unknown as ListenerState;
    if (event === 'open') {
      // Properties come first in a node: a tag, an anchor, or an alias in its place. js-yaml drops
      // some tags while it backtracks, so they are found in the text rather than in its state.
      const start = contentStart(text, state.position);
      const first = text.charCodeAt(start);
      if (first === 0x21 /* ! */ || first === 0x26 /* & */ || first === 0x2a /* * */)
        throw new Defer('tag, anchor or alias');
      // A value on a line after its key or dash, below a comment glued to its `#` (`#x`, `#- a`): the
      // yaml library can read the value and the next line as one scalar, js-yaml reads the value.
      if (start !== state.position && gluedComment(text, state.position, start))
        throw new Defer('comment before a value');
      if (count === capacity) grow();
      stack[++depth] = count;
      // end, kind and value are set when the node ends (the arrays start at zero: EMPTY).
      opens[count] = state.position;
      count++;
      return;
    }
    if (state.anchor !== null || state.tag === '!') throw new Defer('anchor or non-specific tag');
    const kind = state.kind;
    const value = state.result;
    const node = stack[depth]!;
    const open = opens[node]!;
    // `"quoted"# text` and `[flow]# text`: js-yaml reads a comment, the yaml library an error. (After a
    // plain scalar js-yaml stops past the spaces, at the `#` of `name: api  # comment`: a comment to both.)
    if (text.charCodeAt(state.position) === 0x23 /* # */ && text.charCodeAt(state.position - 1) !== 0x20)
      throw new Defer('comment not after space');
    // An escaped line break in a double-quoted scalar (`"a\` at a line's end) followed by an empty
    // line: js-yaml and the yaml library join the lines differently.
    if (escapedBreaks && text.charCodeAt(state.position - 1) === 0x22 /* " */) {
      for (let i = contentStart(text, open); i < state.position; i++)
        if (text.charCodeAt(i) === 0x5c /* \ */ && text.charCodeAt(++i) === 0x0a)
          throw new Defer('escaped line break');
    }
    ends[node] = count;
    values[node] = value;
    if (kind === 'mapping' || kind === 'sequence') {
      if (hasComment(text, open, state.position)) throw new Defer('comment in a flow collection');
      kinds[node] = collection(tree, node, kind === 'mapping', value);
    } else kinds[node] = kind === null ? EMPTY : SCALAR;
    depth--;
    if (depth < 0) documents.push({ data: value, tree, root: node });
  };
  let data: unknown[];
  bail = undefined;
  try {
    // js-yaml warns about what the yaml library refuses (a flow collection's line indented too little).
    const onWarning = (warning: Error) => {
      bail = warning.message;
    };
    data = jsyaml.loadAll(text, null, { schema, listener, onWarning });
  } catch {
    return undefined;
  }
  if (bail !== undefined || documents.length !== data.length) return undefined;
  for (let i = 0; i < data.length; i++) if (documents[i]!.data !== data[i]) return undefined;
  // Kept while the manifests live (for findings' positions): no more than the nodes read.
  tree.open = opens.slice(0, count);
  tree.end = ends.slice(0, count);
  tree.kind = kinds.slice(0, count);
  values.length = count;
  return { documents, position: lineCounter(text) };
}

interface ListenerState {
  position: number;
  result: unknown;
  kind: string | null;
  tag: string | null;
  anchor: string | null;
}

/**
 * The kind of collection node `node`, after checking that its child nodes match the data one to one:
 * a sequence's items in order; a mapping's key and value nodes, each key a string whose entry holds
 * exactly that value node's result.
 */
function collection(tree: Tree, node: number, mapping: boolean, value: unknown): number {
  const { end: ends, kind: kinds, value: values } = tree;
  const end = ends[node]!;
  const first = node + 1;
  // A node composed through a failed block-mapping attempt holds the real collection as its only child.
  if (first < end && ends[first] === end && values[first] === value) {
    let inner = first;
    while (kinds[inner] === WRAPPER) inner++;
    if (mapping ? kinds[inner] === MAPPING || kinds[inner] === LARGE_MAPPING : kinds[inner] === SEQUENCE)
      return WRAPPER;
  }
  if (!mapping) {
    const items = value as unknown[];
    let i = 0;
    for (let child = first; child < end; child = ends[child]!, i++)
      if (i >= items.length || !Object.is(values[child], items[i])) throw new Defer('sequence item');
    if (i !== items.length) throw new Defer('sequence items');
    return SEQUENCE;
  }
  const map = value as Record<string, unknown>;
  let keys = 0;
  for (let key = first; key < end; keys++) {
    const entry = ends[key]!;
    if (entry >= end) {
      // A block mapping ends with an attempt at one more key that found nothing.
      if (kinds[key] !== EMPTY || values[key] !== null) throw new Defer('mapping shape');
      break;
    }
    const text = values[key];
    if (kinds[key] !== SCALAR || typeof text !== 'string' || text === '<<' || text.length > MAX_IMPLICIT_KEY)
      throw new Defer('key');
    if (!Object.is(map[text], values[entry])) throw new Defer('mapping entry');
    key = ends[entry]!;
  }
  return keys > SCAN_KEYS ? LARGE_MAPPING : MAPPING;
}

/**
 * Whether a flow collection (`{...}` or `[...]`) from `open` to `end` holds a comment: the yaml library
 * refuses some comments inside flow collections that js-yaml reads (one at column 1 after a scalar).
 */
function hasComment(text: string, open: number, end: number): boolean {
  const start = contentStart(text, open);
  const c = text.charCodeAt(start);
  if (c !== 0x7b /* { */ && c !== 0x5b /* [ */) return false;
  for (let i = start + 1; i < end; i++) if (text.charCodeAt(i) === 0x23 /* # */) return true;
  return false;
}

/** Whether the space and comments from `from` to `to` hold a comment whose `#` has no space after it. */
function gluedComment(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    if (text.charCodeAt(i) !== 0x23 /* # */) continue;
    const next = text.charCodeAt(i + 1);
    if (next !== 0x20 && next !== 0x0a) return true;
  }
  return false;
}

/** First offset at or after `offset` that is not space, tab, line break or comment. */
function contentStart(text: string, offset: number): number {
  let i = offset;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a) i++;
    else if (c === 0x23 /* # */) {
      const eol = text.indexOf('\n', i);
      if (eol < 0) return text.length;
      i = eol + 1;
    } else return i;
  }
}

function lineCounter(text: string): (offset: number) => Position {
  let starts: number[] | undefined;
  return (offset) => {
    if (!starts) {
      starts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - starts[low]! + 1 };
  };
}

/**
 * Offset of the deepest node along `path`, as offsetOf in parse.ts gives it on a yaml Document: for a
 * mapping entry, its key; for a sequence item, the item; when a step is missing, the last node that exists.
 */
export function fastOffset(text: string, doc: FastDocument, path: Path): number {
  const tree = doc.tree;
  const { open: opens, end: ends, kind: kinds } = tree;
  let node = doc.root;
  let open = opens[node]!;
  for (const seg of path) {
    while (kinds[node] === WRAPPER) node++;
    const kind = kinds[node];
    if (kind === MAPPING || kind === LARGE_MAPPING) {
      const key = keyNode(tree, node, String(seg));
      if (key === undefined) break;
      open = opens[key]!;
      node = ends[key]!;
    } else if (kind === SEQUENCE) {
      if (typeof seg !== 'number' || seg < 0) break;
      const end = ends[node]!;
      let item = node + 1;
      for (let i = 0; i < seg && item < end; i++) item = ends[item]!;
      if (item >= end) break;
      open = opens[item]!;
      node = item;
    } else break;
  }
  return contentStart(text, open);
}

/** The key node of `key` in mapping `node` (keys are unique: js-yaml refuses duplicates). */
function keyNode(tree: Tree, node: number, key: string): number | undefined {
  const { end: ends, value: values } = tree;
  const end = ends[node]!;
  if (tree.kind[node] === MAPPING) {
    for (let k = node + 1; k < end && ends[k]! < end; k = ends[ends[k]!]!) if (values[k] === key) return k;
    return undefined;
  }
  let index = tree.keys?.get(node);
  if (!index) {
    index = new Map<string, number>();
    for (let k = node + 1; k < end && ends[k]! < end; k = ends[ends[k]!]!) index.set(values[k] as string, k);
    (tree.keys ??= new Map()).set(node, index);
  }
  return index.get(key);
}
