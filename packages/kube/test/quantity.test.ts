/**
 * canonicalQuantity and parseQuantity against apimachinery's resource.Quantity. The pairs are the
 * input and canonical-output data of pkg/api/resource/quantity_test.go (TestQuantityParseEmit, and
 * TestQuantityString's alternate spellings with the string they canonicalise to); the rest are
 * worked cases of the same rules.
 */
import { describe, expect, it } from 'vitest';
import { canonicalQuantity, parseQuantity } from '../src/index.js';

const PAIRS: [string, string][] = [
  // TestQuantityParseEmit
  ['1Ki', '1Ki'],
  ['1Mi', '1Mi'],
  ['1Gi', '1Gi'],
  ['1024Mi', '1Gi'],
  ['1000M', '1G'],
  ['.001Ki', '1024m'],
  ['.000001Ki', '1024u'],
  ['.000000001Ki', '1024n'],
  ['.000000000001Ki', '2n'],
  // TestQuantityString: alternate spelling -> canonical
  ['1024Mi', '1Gi'],
  ['307200Ki', '300Mi'],
  ['1025024Mi', '1001Gi'],
  ['1024Gi', '1Ti'],
  ['5000m', '5'],
  ['0.5', '500m'],
  ['1000M', '1G'],
  ['0.001T', '1G'],
  ['1000u', '1m'],
  ['1.08', '1080m'],
  ['1080000000n', '1080m'],
  ['.001e12', '1e9'],
  ['0.001e0', '1e-3'],
  ['1000e-12', '1e-9'],
  ['00', '0'],
  // worked cases
  ['1.5Gi', '1536Mi'],
  ['0.5Ki', '512'],
  ['1025Ki', '1025Ki'],
  ['1e21', '1e21'],
  ['80e-3', '80e-3'],
  ['1e-10', '1e-9'],
  ['0Gi', '0'],
  ['100m', '100m'],
  ['2000m', '2'],
  ['1500000k', '1500M'],
];

describe('canonicalQuantity', () => {
  it.each(PAIRS)('%s -> %s', (input, canonical) => {
    expect(canonicalQuantity(input)).toBe(canonical);
    // Canonical is a fixed point.
    expect(canonicalQuantity(canonical)).toBe(canonical);
  });
  it.each(PAIRS.filter(([, c]) => c !== '0'))('-%s -> -%s', (input, canonical) => {
    expect(canonicalQuantity(`-${input}`)).toBe(`-${canonical}`);
  });
  it('keeps a whole binary quantity of 1024 or more without a decimal suffix', () => {
    // 2000 written in Ki: binary format, no power of 1024 divides it, so plain digits (not `2k`).
    // Read back, `2000` is a decimal quantity and prints `2k`, as apimachinery's would.
    expect(canonicalQuantity('1.953125Ki')).toBe('2000');
    expect(canonicalQuantity('2000')).toBe('2k');
  });
  it('leaves what is not a quantity unchanged', () => {
    for (const bad of ['', '.', 'abc', '1KiB', '1.2.3', '1 Gi', '--1'])
      expect(canonicalQuantity(bad)).toBe(bad);
  });
  it('writes numbers in canonical form too', () => {
    expect(canonicalQuantity(0.25)).toBe('250m');
    expect(canonicalQuantity(3)).toBe('3');
  });
});

describe('parseQuantity', () => {
  it.each<[unknown, number | undefined]>([
    ['500m', 0.5],
    ['1Gi', 1024 ** 3],
    ['1.5Ki', 1536],
    ['2e3', 2000],
    ['1E-3', 0.001],
    ['3M', 3e6],
    ['-2', -2],
    [4, 4],
    ['1KiB', undefined],
    ['', undefined],
    [null, undefined],
  ])('%j = %j', (input, value) => {
    const got = parseQuantity(input);
    if (value === undefined) expect(got).toBeUndefined();
    else expect(got).toBeCloseTo(value, 9);
  });
});
