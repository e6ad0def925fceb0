import { describe, expect, it } from 'vitest';
import { cpuMillis, cpuQuantity, durationSeconds, formatCpu, hasSubSecond } from '../../src/render/units.js';
import { parseImage, formatImage } from '../../src/render/image.js';
import { contentHash } from '../../src/render/hash.js';
import { labelValue } from '../../src/render/names.js';

describe('durationSeconds', () => {
  it.each([
    ['30s', 30, false],
    ['5m', 300, false],
    ['1h30m', 5400, false],
    ['1500ms', 2, true],
    ['2s500ms', 3, true],
  ])('%s -> %i seconds', (input, seconds, sub) => {
    expect(durationSeconds(input)).toBe(seconds);
    expect(hasSubSecond(input)).toBe(sub);
  });
});

describe('cpu', () => {
  it.each([
    [0.5, 500, '500m'],
    [2, 2000, '2'],
    ['250m', 250, '250m'],
    ['1.5', 1500, '1.5'],
  ] as const)('%s', (input, millis, quantity) => {
    expect(cpuMillis(input)).toBe(millis);
    expect(cpuQuantity(input)).toBe(quantity);
  });
  it.each([
    [1000, '1'],
    [1500, '1500m'],
    [100, '100m'],
  ])('formatCpu(%i) = %s', (m, s) => expect(formatCpu(m)).toBe(s));
});

describe('parseImage', () => {
  it.each([
    ['nginx', { repository: 'nginx' }],
    ['ghcr.io/acme/api:1.2', { repository: 'ghcr.io/acme/api', tag: '1.2' }],
    ['localhost:5000/api', { repository: 'localhost:5000/api' }],
    ['localhost:5000/api:v3', { repository: 'localhost:5000/api', tag: 'v3' }],
    ['api@sha256:abc', { repository: 'api', digest: 'sha256:abc' }],
  ])('%s', (image, ref) => {
    expect(parseImage(image)).toEqual({ digest: undefined, ...ref });
    expect(formatImage(parseImage(image))).toBe(image);
  });
});

describe('contentHash', () => {
  it('ignores key order and undefined fields', () => {
    expect(contentHash({ a: 1, b: { c: 2, d: 3 } })).toBe(
      contentHash({ b: { d: 3, c: 2 }, a: 1, e: undefined }),
    );
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
  });
});

describe('labelValue', () => {
  it.each([
    ['1.2.3', '1.2.3'],
    ['v1+build', 'v1_build'],
    ['-x-', 'x'],
    ['a'.repeat(70), 'a'.repeat(63)],
  ])('%s -> %s', (raw, value) => expect(labelValue(raw)).toBe(value));
});
