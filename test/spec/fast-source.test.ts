/**
 * slipway.yaml through the fast reader (parseSource: src/spec/fast-yaml.ts with the 1.2 core schema)
 * against the yaml library's reading (readSource), on every slipway.yaml and Compose file in the
 * repository, on generated specs, and on documents fast-check makes and mutates: the same data, the
 * same problems, the same position for every path. When the fast reader declines, parseSource is
 * readSource; when it reads, the yaml library must find no problem and the same data.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { stringify, type Tags } from 'yaml';
import { describe, expect, it } from 'vitest';
import { generatedSpec } from '../../bench/render-spec.js';
import { fastRead } from '../../src/spec/fast-yaml.js';
import { initSpecText } from '../../src/spec/init-template.js';
import { locationOf, parseSource, readSource, type PathSegment } from '../../src/spec/source.js';
import { caseArbitrary, caseText, EXAMPLES } from '../fuzz/mutations.js';
import { edit } from '../helpers/text-edits.js';

const ROOT = join(import.meta.dirname, '../..');

const allTags = (tags: Tags) => tags;
const readsFast = (text: string) => fastRead(text, allTags, 'core')?.documents.length === 1;

/** Every path of a value, keyed list items also by `{ name }`, plus a few that do not exist. */
function pathsOf(value: unknown, prefix: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
  out.push(prefix);
  if (Array.isArray(value))
    value.forEach((v, i) => {
      pathsOf(v, [...prefix, i], out);
      const name = (v as { name?: unknown } | null)?.name;
      if (typeof name === 'string') out.push([...prefix, { name }]);
    });
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

/**
 * The differences between parseSource and the yaml library's reading of one text, as readable lines;
 * positions compared for the first `maxPaths` paths (the fuzzer's documents nest hundreds deep).
 */
function differences(text: string, maxPaths = Infinity): string[] {
  const fast = parseSource(text, 'slipway.yaml');
  const slow = readSource(text, 'slipway.yaml');
  if (JSON.stringify(fast.problems) !== JSON.stringify(slow.problems)) return ['problems differ'];
  try {
    expect(fast.source.data).toStrictEqual(slow.source.data);
  } catch {
    return ['data differs'];
  }
  const out: string[] = [];
  const paths = [
    ...pathsOf(slow.source.data).slice(0, maxPaths),
    ['missing'],
    ['services', 'missing', 'x'],
    [0, 'x'],
  ];
  for (const path of paths)
    for (const atKey of [false, true]) {
      const a = locationOf(fast.source, path, atKey);
      const b = locationOf(slow.source, path, atKey);
      if (JSON.stringify(a) !== JSON.stringify(b))
        out.push(`${JSON.stringify(path)} ${atKey}: fast ${a.line}:${a.column}, yaml ${b.line}:${b.column}`);
    }
  return out;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(dir, f));
}

describe('slipway.yaml through the fast reader against the yaml library', () => {
  it('reads every slipway.yaml and Compose file in the repository identically, the examples fast', () => {
    const files = [...yamlFiles(join(ROOT, 'examples')), ...yamlFiles(join(ROOT, 'test/fixtures/compose'))];
    expect(files.length).toBeGreaterThan(15);
    for (const file of files) expect(differences(readFileSync(file, 'utf8')), file).toEqual([]);
    for (const { name, text } of EXAMPLES) expect(readsFast(text), name).toBe(true);
  });

  it('reads generated specs and the init template identically, and fast', () => {
    const texts = [
      stringify(generatedSpec(40)),
      jsyaml.dump(generatedSpec(12)),
      stringify(generatedSpec(5), { collectionStyle: 'flow' }),
      initSpecText({ name: 'shop', image: 'ghcr.io/acme/shop', port: 8080 }),
    ];
    for (const text of texts) {
      expect(readsFast(text), text).toBe(true);
      expect(differences(text), text).toEqual([]);
    }
  });

  it('reads comments after values identically, and fast', () => {
    const text =
      '# only comments above\napp: shop   # the name\nservices:\n  api:\n    image: a/b # no tag\n    port: 80 # http\n' +
      '    env: {A: "1"} # flow\n    command: [run, "x"]  # list\n# between\n    secrets:\n      - K # one\n';
    expect(readsFast(text)).toBe(true);
    expect(differences(text)).toEqual([]);
    expect(differences('# only a comment\n')).toEqual([]);
  });

  it('reads 1.2 core scalars as the yaml library does: yes and 0644 stay as YAML 1.2 has them', () => {
    const text =
      'app: a\nx: {a: yes, b: On, c: 0644, d: 0o17, e: 0x1F, f: 1_000, g: .inf, h: ~, i: 1e3, j: TRUE}\n';
    expect(readsFast(text)).toBe(true);
    expect(parseSource(text, 'slipway.yaml').source.data).toStrictEqual({
      app: 'a',
      x: { a: 'yes', b: 'On', c: 644, d: 15, e: 31, f: '1_000', g: Infinity, h: null, i: 1000, j: true },
    });
    expect(differences(text)).toEqual([]);
  });

  it('leaves YAML errors, anchors, merge keys, several documents and empty files to the yaml library', () => {
    const texts = [
      'app: a\napp: b\n',
      'app: [a\n',
      'x: &d {a: 1}\ny: *d\n',
      'x: {<<: {a: 1}}\n',
      'app: a\n---\napp: b\n',
      '',
      'app:\n\tservices: {}\n',
      '1: one\n',
    ];
    for (const text of texts) {
      expect(readsFast(text), text).toBe(false);
      expect(differences(text), text).toEqual([]);
    }
  });
});

/** Scalars that differ between YAML 1.1 and the 1.2 core schema, need quoting, or are awkward. */
const TRICKY = [
  'yes',
  'No',
  'on',
  'y',
  'true',
  'False',
  'TRUE',
  'tRUE',
  '0644',
  '0o17',
  '0o8',
  '0x1F',
  '0b101',
  '1_000',
  '1:30',
  '+12',
  '-0',
  '1.',
  '.5',
  '1e3',
  '1E+3',
  '.inf',
  '-.Inf',
  '.NaN',
  '~',
  'null',
  'Null',
  'nULL',
  '',
  ' ',
  '2001-12-14',
  '${db.url}',
  'a: b',
  '#x',
  'x #y',
  '- a',
  '-',
  ':',
  "it's",
  '"q"',
  'back\\slash',
  'multi\nline',
  'trailing\n',
  ' lead',
  '[a]',
  '{a}',
  'é',
  '🚀',
  'x'.repeat(90),
];
const KEYS = [
  'app',
  'services',
  'name',
  'image',
  'env',
  'on',
  'yes',
  'true',
  'a b',
  'x.y/z',
  '',
  '__proto__',
];

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

const layout = fc.record({
  writer: fc.constantFrom('yaml', 'js-yaml'),
  flowLevel: fc.integer({ min: -1, max: 3 }),
  stringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
  indent: fc.constantFrom(2, 4),
  indentSeq: fc.boolean(),
});

function write(value: unknown, style: typeof layout extends fc.Arbitrary<infer T> ? T : never): string {
  if (style.writer === 'js-yaml')
    return jsyaml.dump(value, {
      flowLevel: style.flowLevel,
      indent: style.indent,
      noRefs: true,
      lineWidth: 40,
    });
  return stringify(value, {
    indent: style.indent,
    indentSeq: style.indentSeq,
    defaultStringType: style.stringType,
    defaultKeyType: 'PLAIN',
    lineWidth: 40,
    minContentWidth: 10,
    ...(style.flowLevel === 0 ? { collectionStyle: 'flow' as const } : {}),
  });
}

/** Comments, blank lines and YAML punctuation inserted at random lines of `text`. */
const edits = fc.array(
  fc.record({
    line: fc.nat(),
    what: fc.constantFrom(
      '# comment',
      ' # after a value',
      '',
      '  # indented',
      ' ',
      '\t',
      ':',
      '-',
      '---',
      '&',
      '*',
      '!',
      '"',
      '[',
      '#',
    ),
    insert: fc.boolean(),
  }),
  { maxLength: 3 },
);

const RUNS = Number(process.env.FAST_YAML_RUNS ?? 200);

describe('slipway.yaml through the fast reader, on generated and mutated documents', () => {
  it('agrees with the yaml library on data, problems and positions, or declines', () => {
    let fast = 0;
    fc.assert(
      fc.property(tree, layout, edits, (services, style, changes) => {
        const text = edit(write({ app: 'a', services }, style), changes);
        if (readsFast(text)) fast++;
        expect(differences(text), text).toEqual([]);
      }),
      { numRuns: RUNS },
    );
    // Most generated documents are plain enough for the fast reader: the comparison is not vacuous.
    expect(fast).toBeGreaterThan(RUNS / 3);
  });

  // Few runs: building a case costs some 40 ms (test/fuzz/front-door.test.ts runs 200 through the CLI).
  it("agrees on the front-door fuzzer's mutated example specs", () => {
    fc.assert(
      fc.property(caseArbitrary, (c) => {
        const text = caseText(c);
        expect(differences(text, 200), text).toEqual([]);
      }),
      { numRuns: Math.ceil(RUNS / 8) },
    );
  });
});
