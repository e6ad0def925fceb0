/**
 * The fast reader of check's input (src/spec/fast-yaml.ts) against the yaml library's reading
 * (slowManifests): for every manifest in the repository and every document fast-check makes, either
 * the fast reader declines (and parseManifests reads with the yaml library) or both give the same
 * objects, the same problems and the same position for every path of every object.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { stringify, type Tags } from 'yaml';
import { describe, expect, it } from 'vitest';
import { corpusFiles } from '../../bench/check-corpus.js';
import { generatedSpec } from '../../bench/render-spec.js';
import { fastRead } from '../../src/spec/fast-yaml.js';
import { parseManifests, slowManifests, YAML_OPTIONS } from '../../src/policy/load/parse.js';
import type { Manifest, Path } from '../../src/policy/types.js';
import { renderApp } from '../../src/render/index.js';
import { toYamlStream } from '../../src/render/yaml.js';
import { parseSpec } from '../../src/spec/parse.js';
import { resolveEnvironment } from '../../src/spec/resolve.js';
import { edit } from '../helpers/text-edits.js';

const ROOT = join(import.meta.dirname, '../..');

const readsFast = (text: string) =>
  fastRead(text, YAML_OPTIONS.customTags as (tags: Tags) => Tags) !== undefined;

/** Every path of a value: the value itself, each key and item, down to the leaves. */
function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

const plain = (m: Manifest) => {
  const { locate: _locate, ...rest } = m;
  return rest;
};

/** The differences between the fast and the yaml reading of one text, as readable lines. */
function differences(text: string, file: string): string[] {
  const fast = parseManifests(text, file);
  const slow = slowManifests(text, file, {});
  const out: string[] = [];
  if (JSON.stringify(fast.problems) !== JSON.stringify(slow.problems)) out.push('problems differ');
  try {
    expect(fast.manifests.map(plain)).toStrictEqual(slow.manifests.map(plain));
  } catch {
    out.push('objects differ');
    return out;
  }
  fast.manifests.forEach((m, i) => {
    const other = slow.manifests[i]!;
    // Every path that exists, and some that do not (the nearest existing node is reported).
    for (const path of [...pathsOf(m.body), ['missing'], ['spec', 'missing', 0], ['metadata', 'name', 'x']]) {
      const a = m.locate(path);
      const b = other.locate(path);
      if (a.line !== b.line || a.column !== b.column || a.approximate !== b.approximate)
        out.push(
          `${m.ref.kind} ${JSON.stringify(path)}: fast ${a.line}:${a.column}, yaml ${b.line}:${b.column}`,
        );
    }
  });
  return out;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(dir, f));
}

function renderedExamples(): Array<{ name: string; text: string }> {
  const out: Array<{ name: string; text: string }> = [];
  const specs: Array<[string, string]> = [['generated', stringify(generatedSpec(3))]];
  for (const example of readdirSync(join(ROOT, 'examples')))
    specs.push([example, readFileSync(join(ROOT, 'examples', example, 'slipway.yaml'), 'utf8')]);
  for (const [name, source] of specs) {
    const spec = parseSpec(source, 'slipway.yaml');
    for (const env of Object.keys(spec.environments ?? {}))
      out.push({
        name: `${name}-${env}`,
        text: toYamlStream(renderApp(resolveEnvironment(spec, env)).objects),
      });
  }
  return out;
}

describe('the fast reader against the yaml library, on the repository manifests', () => {
  it('reads the test fixtures and examples as the yaml library does, or declines', () => {
    const files = [...yamlFiles(join(ROOT, 'test/fixtures')), ...yamlFiles(join(ROOT, 'examples'))];
    expect(files.length).toBeGreaterThan(20);
    let fast = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      if (readsFast(text)) fast++;
      expect(differences(text, file), file).toEqual([]);
    }
    expect(fast).toBeGreaterThan(files.length / 2);
  });

  it("reads the examples' rendered manifests and the benchmark corpus itself, identically", () => {
    const files = [...renderedExamples(), ...corpusFiles(4)];
    expect(files.length).toBeGreaterThan(15);
    for (const { name, text } of files) {
      expect(readsFast(text), name).toBe(true);
      expect(differences(text, name), name).toEqual([]);
    }
  });

  it('leaves anchors, tags, merge keys, directives, non-string keys and bad YAML to the yaml library', () => {
    const head = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n';
    for (const body of [
      'data: &a {x: "1"}\n',
      'data: !!map {x: "1"}\n',
      'data: ! {x: "1"}\n',
      'data: {<<: {x: "1"}}\n',
      'data: {1: one}\n',
      'data: {on: one}\n',
      'data: {[a]: one}\n',
      'data: {x: "1", x: "2"}\n',
      'data: [a\n',
      'data: {x: "a"# comment\n}\n',
      'data:\n  b:\n  #- commented out\n    yes\n  k: 1\n',
      'data: {x: "joined\\\n\n  lines"}\n',
    ]) {
      expect(readsFast(head + body), body).toBe(false);
      expect(differences(head + body, 'f.yaml'), body).toEqual([]);
    }
    expect(readsFast(`%YAML 1.1\n---\n${head}`)).toBe(false);
    expect(readsFast(head.replace(/\n/g, '\r\n'))).toBe(false);
    expect(readsFast(head)).toBe(true);
  });

  it('places every path of hand-written layouts as the yaml library does', () => {
    const head = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n';
    const bodies = [
      'data:\n  a:\n  b: 1\n',
      'data:\n- \n- a\n-\n  - b\n',
      'data:\n  - - a\n    - b\n  - - c: 1\n      d: 2\n',
      'data:\n  # before\n  a: 1 # after\n  # between\n  b:\n    # inside\n    c: 2\n',
      'data:\n  - # on the dash\n    a: 1\n',
      'data:\n  ? a\n  : 1\n  ? b\n',
      'data: {a: 1, b: [x, {c: d}], e: {}}\n',
      'data: {a, b: c}\n',
      'data: [a: 1, b]\n',
      "data:\n  a: |\n    one\n\n    two\n  b: >-\n    folded\n    text\n\n  c: \"multi\n    line\"\n  d: 'it''s'\n",
      'data:\n  a: plain\n    continued\n  b: 1\n',
      'data: \n  [\n    a,\n    b\n  ]\n',
      'data:\n  k: v\n...\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n',
      'data:\n  "quoted key": 1\n  \'single\': 2\n  "": 3\n',
      'data:\n  a: 1\n---\n# only a comment\n---\n',
    ];
    for (const body of bodies) expect(differences(head + body, 'f.yaml'), body).toEqual([]);
    expect(readsFast(head + bodies[0]!)).toBe(true);
  });

  it('resolves plain scalars of every first character as the yaml library does', () => {
    const suffixes = [
      '',
      '0',
      '1',
      '.5',
      'e3',
      '0.5e+3',
      ':30',
      '_1',
      'x1F',
      'b1',
      'rue',
      'es',
      'n',
      'ff',
      'ull',
      'nf',
      'an',
    ];
    const values: string[] = [];
    for (let c = 0x21; c < 0x7f; c++) {
      const first = String.fromCharCode(c);
      if ('#&*!|>\'"%@`,[]{}?:-'.includes(first)) continue; // indicators: no plain scalar starts so
      for (const suffix of suffixes) values.push(first + suffix);
    }
    for (const sign of ['-', '+', '.', '-.', '+.'])
      for (const suffix of suffixes) values.push(sign + suffix, `${sign}1${suffix}`, `${sign}.${suffix}`);
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n${values
      .filter((v) => v !== '-')
      .map((v, i) => `  k${i}: ${v}\n`)
      .join('')}`;
    expect(readsFast(text)).toBe(true);
    expect(differences(text, 'f.yaml')).toEqual([]);
  });

  it('reads YAML 1.1 scalars as kubectl does: yes/on booleans, 0644 octal, timestamps as text', () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: yes, b: On, c: n, d: 0644, e: 1_000, f: 0x1F, g: 1:30, h: .inf, i: 2001-12-14, j: ~, k: "yes"}\n';
    expect(readsFast(text)).toBe(true);
    expect(parseManifests(text, 'f.yaml').manifests[0]!.body.data).toStrictEqual({
      a: true,
      b: true,
      c: false,
      d: 420,
      e: 1000,
      f: 31,
      g: 90,
      h: Infinity,
      i: '2001-12-14',
      j: null,
      k: 'yes',
    });
    expect(differences(text, 'f.yaml')).toEqual([]);
  });
});

/** Scalars that mean different things in YAML 1.1 and 1.2, need quoting, or are awkward to lay out. */
const TRICKY = [
  'yes',
  'No',
  'on',
  'OFF',
  'y',
  'n',
  'true',
  'False',
  '0644',
  '0o17',
  '0x1F',
  '0b101',
  '1_000',
  '1:30',
  '-1:30',
  '1.5',
  '.5',
  '1e3',
  '1.0e+3',
  '.inf',
  '-.Inf',
  '.nan',
  '~',
  'null',
  'NULL',
  '',
  ' ',
  '2001-12-14',
  '2001-12-14T21:59:43.10-05:00',
  'a: b',
  'a:b',
  '#x',
  'x #y',
  'x#y',
  '- a',
  '-',
  '?',
  ':',
  "it's",
  '"q"',
  'back\\slash',
  'tab\there',
  'multi\nline',
  'multi\n\nblank',
  'trailing\n',
  ' lead',
  'trail ',
  '@x',
  '`x`',
  '%x',
  '!x',
  '&x',
  '*x',
  '|',
  '>',
  '[a]',
  '{a}',
  ',',
  'é',
  '日本',
  '🚀',
  'x'.repeat(90),
];
const KEYS = ['a', 'name', 'on', 'yes', '1', 'a b', 'x.y/z', 'é', '-k', '"q"', '', 'k'.repeat(40)];

const scalar = fc.oneof(
  fc.constantFrom<unknown>(...TRICKY),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
);
const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('tree'), { maxKeys: 4 }),
  ),
}));

const STRING_TYPES = ['PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'] as const;

/** One value as YAML text, in a style fast-check picks: the yaml library's or js-yaml's writer. */
const layout = fc.record({
  writer: fc.constantFrom('yaml', 'js-yaml'),
  flowLevel: fc.integer({ min: -1, max: 3 }),
  stringType: fc.constantFrom(...STRING_TYPES),
  indent: fc.constantFrom(2, 4),
  indentSeq: fc.boolean(),
});

type Layout = typeof layout extends fc.Arbitrary<infer T> ? T : never;

function write(value: unknown, style: Layout): string {
  if (style.writer === 'js-yaml')
    return jsyaml.dump(value, {
      flowLevel: style.flowLevel,
      indent: style.indent,
      noRefs: true,
      lineWidth: 40,
    });
  const defaultStringType = style.stringType;
  return stringify(value, {
    version: '1.1',
    indent: style.indent,
    indentSeq: style.indentSeq,
    defaultStringType,
    defaultKeyType: 'PLAIN',
    lineWidth: 40,
    minContentWidth: 10,
    ...(style.flowLevel === 0 ? { collectionStyle: 'flow' as const } : {}),
  });
}

/** Comments, blank lines and stray characters inserted at random lines of `text`. */
const edits = fc.array(
  fc.record({
    line: fc.nat(),
    what: fc.constantFrom(
      '# comment',
      '',
      '  # indented comment',
      ' ',
      '\t',
      ':',
      '-',
      '---',
      '&',
      '*',
      '!',
      '"',
      "'",
      '[',
      '{',
      '#',
    ),
    insert: fc.boolean(),
  }),
  { maxLength: 3 },
);

describe('the fast reader against the yaml library, on generated documents', () => {
  it('agrees on objects, problems and positions, or declines', () => {
    let fastCount = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(tree, layout), { minLength: 1, maxLength: 3 }),
        edits,
        fc.boolean(),
        (docs, changes, markers) => {
          const texts = docs.map(([data, style]) =>
            write({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data }, style),
          );
          const text = edit((markers ? '---\n' : '') + texts.join('---\n'), changes);
          if (readsFast(text)) fastCount++;
          expect(differences(text, 'gen.yaml'), text).toEqual([]);
        },
      ),
      { numRuns: Number(process.env.FAST_YAML_RUNS ?? 200) },
    );
    // Most generated documents are plain enough for the fast reader: the comparison is not vacuous.
    expect(fastCount).toBeGreaterThan(Number(process.env.FAST_YAML_RUNS ?? 200) / 3);
  });
});
