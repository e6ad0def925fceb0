/**
 * The linear duplicate-key check (src/spec/yaml-input.ts) against the yaml library's own pairwise
 * check (`uniqueKeys: true`) as the judge: on small generated mappings, block and flow, with
 * quoted, numeric, null, merge and anchored keys, both report DUPLICATE_KEY at the same offsets
 * (ours in offset order; the library reports an inner mapping's before its parent's).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { readYaml } from '../../src/spec/yaml-input.js';

const KEYS = [
  'a',
  'b',
  '"a"',
  "'a'",
  '1',
  '"1"',
  '01',
  '1.0',
  'true',
  'True',
  '~',
  'null',
  '""',
  '<<',
  '&k a',
  '!!str a',
  '.nan',
  '-0',
  '0',
  'a b',
];
const VALUES = [
  '1',
  'x',
  '{a: 1, a: 2}',
  '{a: 1, b: 2}',
  '[a, a]',
  '{}',
  '*k',
  '&v {c: 1}',
  '[{a: 1}, {a: 2, a: 3}]',
];

const entry = fc.record({ key: fc.constantFrom(...KEYS), value: fc.constantFrom(...VALUES) });
const mapping = fc.record({
  entries: fc.array(entry, { minLength: 1, maxLength: 6 }),
  flow: fc.boolean(),
  nestedUnder: fc.option(fc.constantFrom(...KEYS)),
});

function text(m: {
  entries: Array<{ key: string; value: string }>;
  flow: boolean;
  nestedUnder: string | null;
}): string {
  const body = m.flow
    ? `{ ${m.entries.map((e) => `${e.key}: ${e.value}`).join(', ')} }\n`
    : m.entries.map((e) => `${m.nestedUnder === null ? '' : '  '}${e.key}: ${e.value}\n`).join('');
  if (m.nestedUnder === null) return body;
  return m.flow ? `${m.nestedUnder}: ${body}` : `${m.nestedUnder}:\n${body}`;
}

const duplicateOffsets = (errors: ReadonlyArray<{ code: string; pos: [number, number] }>) =>
  errors
    .filter((e) => e.code === 'DUPLICATE_KEY')
    .map((e) => e.pos[0])
    .sort((a, b) => a - b);

describe('duplicate keys, found in linear time', () => {
  it('are reported where the yaml library reports them', () => {
    for (const merge of [true, false]) {
      fc.assert(
        fc.property(fc.array(mapping, { minLength: 1, maxLength: 3 }), (maps) => {
          const source = maps.map(text).join('---\n');
          const judge = parseAllDocuments(source, { uniqueKeys: true, merge, prettyErrors: false });
          const ours = readYaml(source, 'f.yaml', { uniqueKeys: true, merge, prettyErrors: false });
          const expected = (Array.isArray(judge) ? judge : []).map((d) => duplicateOffsets(d.errors));
          expect(ours.documents.map((d) => duplicateOffsets(d.errors))).toEqual(expected);
        }),
        { seed: 25, numRuns: 500 },
      );
    }
  });

  it('are found in a mapping of 100,000 keys', () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `k${i}: ${i}`);
    keys.push('k500: again');
    const [doc] = readYaml(keys.join('\n'), 'big.yaml', { uniqueKeys: true }).documents;
    expect(duplicateOffsets(doc!.errors)).toEqual([keys.slice(0, -1).join('\n').length + 1]);
  });
});
