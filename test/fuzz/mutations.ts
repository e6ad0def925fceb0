/**
 * Hostile variations of the example specs, as plain data so a failing case prints as something a
 * reader can replay: a base example and a list of mutations, each applied to the text in turn.
 * Structural mutations edit the parsed data and write it back as YAML (wrong types, unknown keys,
 * huge numbers, deep nesting, deletions); text mutations edit the characters (truncation,
 * duplicated lines, odd unicode, YAML punctuation, tags, alias bombs, extra documents).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';

const EXAMPLES_DIR = resolve(import.meta.dirname, '..', '..', 'examples');

/** The example specs, by folder name, sorted so an index means the same file on every machine. */
export const EXAMPLES: ReadonlyArray<{ name: string; text: string }> = readdirSync(EXAMPLES_DIR)
  .sort()
  .map((name) => ({ name, path: join(EXAMPLES_DIR, name, 'slipway.yaml') }))
  .map(({ name, path }) => ({ name, text: readFileSync(path, 'utf8') }));

/** Values of the wrong type, at the edges of what numbers and strings can be. */
const ODD_VALUES: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  -0,
  1.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  1e20,
  Number.MAX_SAFE_INTEGER,
  '',
  ' ',
  'x'.repeat(5000),
  '${',
  '${db.url',
  '${a.b}${c.d}',
  '$${db.url}',
  '0x1F',
  '1e400',
  '.inf',
  '-.nan',
  '\u0000',
  '\u202e',
  '\ufeff',
  '\ud800',
  '👩‍💻',
  'ñ',
  'İ',
  'a\nb',
  [],
  [[]],
  {},
  { '': '' },
  ['x', 1, null],
  { a: { b: { c: 1 } } },
];

/** Characters that mean something to YAML, or to a terminal, or to JavaScript strings. */
const ODD_TEXT: readonly string[] = [
  ':',
  ': ',
  '-',
  '- ',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&a ',
  '*a',
  '!',
  '!!str ',
  '!!binary ',
  '!!set ',
  '!!omap ',
  '!!timestamp ',
  '!custom ',
  '|',
  '>',
  "'",
  '"',
  '#',
  '%',
  '@',
  '`',
  '?',
  '\t',
  '\r',
  '\r\n',
  '\n',
  '\u0000',
  '\ufeff',
  '\u200b',
  '\u202e',
  '\u2028',
  '\ud83d',
  '\udc00',
  '\uffff',
  '😀',
  'é',
  '\u0301',
  '---\n',
  '...\n',
  '<<: *a\n',
  '\\',
  '\u0085',
];

export type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'unknown-key'; at: number; key: string }
  | { kind: 'delete'; at: number }
  | { kind: 'nest'; at: number; depth: number; flow: boolean }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate-line'; at: number }
  | { kind: 'insert'; at: number; text: number }
  | { kind: 'alias-bomb'; fanOut: number; levels: number; merge: boolean }
  | { kind: 'repeat-key'; at: number; times: number };

export interface FuzzCase {
  example: number;
  mutations: Mutation[];
}

const position = fc.nat({ max: 1_000_000 });

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    at: position,
    value: fc.nat({ max: ODD_VALUES.length - 1 }),
  }),
  fc.record({
    kind: fc.constant('unknown-key' as const),
    at: position,
    key: fc.string({ maxLength: 12, unit: 'grapheme' }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: position }),
  fc.record({
    kind: fc.constant('nest' as const),
    at: position,
    depth: fc.oneof(fc.nat({ max: 40 }), fc.integer({ min: 240, max: 600 })),
    flow: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: position }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: position,
    text: fc.nat({ max: ODD_TEXT.length - 1 }),
  }),
  fc.record({
    kind: fc.constant('alias-bomb' as const),
    fanOut: fc.integer({ min: 1, max: 12 }),
    levels: fc.integer({ min: 1, max: 6 }),
    merge: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('repeat-key' as const),
    at: position,
    times: fc.integer({ min: 2, max: 2000 }),
  }),
);

export const caseArbitrary: fc.Arbitrary<FuzzCase> = fc.record({
  example: fc.nat({ max: EXAMPLES.length - 1 }),
  mutations: fc.array(mutationArbitrary, { minLength: 1, maxLength: 3 }),
});

type Path = Array<string | number>;

/** Every path into the data, parents before children, in document order. */
function paths(data: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(data)) data.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (data && typeof data === 'object')
    for (const [k, v] of Object.entries(data)) paths(v, [...prefix, k], out);
  return out;
}

function parentAndKey(
  data: unknown,
  path: Path,
): [Record<string | number, unknown>, string | number] | undefined {
  if (path.length === 0) return undefined;
  let node = data as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
  return [node, path[path.length - 1]!];
}

function nested(depth: number, flow: boolean): unknown {
  let value: unknown = flow ? ['leaf'] : { leaf: 'x' };
  for (let i = 0; i < depth; i++) value = flow ? [value] : { [`k${i}`]: value };
  return value;
}

/** Edits the parsed data; text that no longer parses is left as it is. */
function structural(text: string, mutation: Extract<Mutation, { at: number }>): string {
  let data: unknown;
  try {
    data = parse(text, { uniqueKeys: false, logLevel: 'error' });
  } catch {
    return text;
  }
  const all = paths(data);
  const path = all[mutation.at % all.length]!;
  const target = parentAndKey(data, path);
  switch (mutation.kind) {
    case 'set':
      if (!target) return text;
      target[0][target[1]] = ODD_VALUES[(mutation as { value: number }).value];
      break;
    case 'unknown-key': {
      const node = target ? target[0][target[1]] : data;
      if (!node || typeof node !== 'object' || Array.isArray(node)) return text;
      (node as Record<string, unknown>)[(mutation as { key: string }).key] = 'surprise';
      break;
    }
    case 'delete':
      if (!target) return text;
      if (Array.isArray(target[0])) target[0].splice(Number(target[1]), 1);
      else delete target[0][target[1]];
      break;
    case 'nest':
      if (!target) return text;
      target[0][target[1]] = nested(
        (mutation as { depth: number }).depth,
        (mutation as { flow: boolean }).flow,
      );
      break;
    default:
      return text;
  }
  try {
    return stringify(data, { aliasDuplicateObjects: false, lineWidth: 0 });
  } catch {
    return text;
  }
}

/** Anchors each holding `fanOut` references to the one before, `levels` deep, under an `x-` key. */
function aliasBomb(fanOut: number, levels: number, merge: boolean): string {
  const lines = ['x-bomb:', '  l0: &l0 [lol, lol]'];
  for (let i = 1; i <= levels; i++)
    lines.push(`  l${i}: &l${i} [${Array.from({ length: fanOut }, () => `*l${i - 1}`).join(', ')}]`);
  if (merge)
    lines.push(
      '  m0: &m0 { a: 1, b: 2 }',
      '  m1: &m1 { <<: *m0, c: 3 }',
      `  m2: { <<: [*m1, *m0], d: *l${levels} }`,
    );
  return lines.join('\n') + '\n';
}

export function applyMutation(text: string, mutation: Mutation): string {
  const lines = text.split('\n');
  switch (mutation.kind) {
    case 'truncate':
      return text.slice(0, mutation.at % (text.length + 1));
    case 'duplicate-line': {
      const i = mutation.at % lines.length;
      lines.splice(i, 0, lines[i]!);
      return lines.join('\n');
    }
    case 'insert': {
      const at = mutation.at % (text.length + 1);
      return text.slice(0, at) + ODD_TEXT[mutation.text]! + text.slice(at);
    }
    case 'alias-bomb':
      return aliasBomb(mutation.fanOut, mutation.levels, mutation.merge) + text;
    case 'repeat-key': {
      const i = mutation.at % lines.length;
      return [
        ...lines.slice(0, i + 1),
        ...Array.from({ length: mutation.times }, () => lines[i]!),
        ...lines.slice(i + 1),
      ].join('\n');
    }
    default:
      return structural(text, mutation);
  }
}

export function caseText(c: FuzzCase): string {
  return c.mutations.reduce(applyMutation, EXAMPLES[c.example]!.text);
}
