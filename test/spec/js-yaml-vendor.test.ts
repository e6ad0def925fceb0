/**
 * The built code reads YAML fast with dist/vendor/js-yaml.js, js-yaml joined into one file with one
 * change (scripts/bundle-vendor.mjs: the mappings share one empty table of merged keys until a `<<`
 * merge key needs one of its own). Sources under vitest get the package itself, so the comparison
 * tests of the fast reader never run the copy: here the copy and the package read the same texts —
 * every YAML file of the repository's examples, tests and workflows, flow and block mappings of every
 * shape the change touches (merge keys, overrides, duplicates), and documents fast-check makes — and
 * must give the same data, the same parse events and the same errors.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { builtCli, repoRoot } from '../helpers/built-cli.js';

const built = builtCli('the comparison of dist/vendor/js-yaml.js with js-yaml', 'vendor/js-yaml.js');
type JsYaml = typeof jsyaml;

/** What one library makes of a text: the documents (or the error) and the listener's events. */
function reading(lib: JsYaml, text: string): string {
  const events: string[] = [];
  const listener = (type: string, state: { position: number; kind: string | null }) =>
    events.push(`${type}@${state.position}:${state.kind}`);
  try {
    const docs = lib.loadAll(text, undefined, { listener, json: false });
    return JSON.stringify({ docs, events });
  } catch (error) {
    return JSON.stringify({ error: (error as Error).message, events });
  }
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yamlFiles(path, out);
    else if (/\.ya?ml$/.test(entry)) out.push(path);
  }
  return out;
}

/** Mappings as the change meets them: flow and block, nested, with merge keys, overrides, duplicates, pairs, errors. */
const MAPPING_CASES = [
  '[a, b, {c: d}]',
  '{a: 1, b: [1, 2, {c: [3]}]}',
  'k: {a: 1, a: 2}',
  'k: {<<: {a: 1}, a: 2}',
  'k: {<<: [{a: 1}, {b: 2}], a: 3}',
  'base: &b {a: 1}\nk: {<<: *b, a: 2}',
  '[a: 1, b: 2]',
  '{? a : b}',
  '[{a: 1}, {a: 1, a: 2}]',
  '{a: [1, 2}',
  '{a: 1,, b: 2}',
  '- {x: !!str 1}\n- [!!int "2"]\n',
  'outer:\n  inner: {a: {b: {c: [1, {d: e}]}}}\n',
  // Block mappings: merges, the keys a merge brought in set again, and real duplicates after them.
  '<<: {a: 1}\na: 2\n',
  'base: &b\n  a: 1\n  b: 2\nk:\n  <<: *b\n  a: 3\n  c: 4\n',
  'k:\n  <<: {a: 1}\n  a: 2\n  a: 3\n',
  'k:\n  a: 0\n  <<: {a: 1, b: 2}\n  b: 3\n',
  'k:\n  <<: [{a: 1}, {b: 2}]\n  <<: {c: 3}\n  c: 4\n',
  'k:\n  <<: {a: 1}\nj:\n  a: 1\n  a: 2\n',
  'k:\n  <<: 5\n',
  '- <<: {a: 1}\n  a: 2\n- a: 1\n  a: 1\n',
  '[<<: {a: 1}, a: 2]',
];

describe.skipIf(!built)('dist/vendor/js-yaml.js reads as js-yaml does', async () => {
  const vendored = built
    ? (
        (await import(pathToFileURL(join(repoRoot, 'dist', 'vendor', 'js-yaml.js')).href)) as {
          default: JsYaml;
        }
      ).default
    : jsyaml;

  it('on every YAML file of the examples, the tests (goldens and fixtures) and the workflows', () => {
    const files = ['examples', 'test', '.github'].flatMap((d) => yamlFiles(join(repoRoot, d)));
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(reading(vendored, text), file).toBe(reading(jsyaml, text));
    }
  });

  it('on flow collections and block mappings of every shape, merge keys and errors included', () => {
    for (const text of MAPPING_CASES) expect(reading(vendored, text), text).toBe(reading(jsyaml, text));
    // The cases reach both answers: data and errors (duplicate key, unclosed and broken collections).
    const errors = MAPPING_CASES.filter((t) => reading(jsyaml, t).startsWith('{"error"'));
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(errors.length).toBeLessThan(MAPPING_CASES.length);
  });

  it('on documents fast-check makes from flow and block pieces', () => {
    const piece = fc.constantFrom(
      '[',
      ']',
      '{',
      '}',
      ', ',
      ': ',
      'a',
      'b',
      '<<',
      '1',
      '- ',
      '\n',
      '  ',
      '"x"',
      '&n ',
      '*n',
      '? ',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        expect(reading(vendored, text)).toBe(reading(jsyaml, text));
      }),
      { numRuns: 2000 },
    );
  });
});
