/**
 * parseDuration against Go's time.ParseDuration. golang/go's own parseDurationTests could not be
 * brought here (its repository snapshot is over the mirror's size limit), so these are worked
 * cases: the value each input has under Go's rules, in milliseconds.
 */
import { describe, expect, it } from 'vitest';
import {
  DurationError,
  durationSeconds,
  formatDuration,
  parseDuration,
  tryParseDuration,
} from '../src/index.js';

const NS = 1e-6;

describe('parseDuration accepts what time.ParseDuration accepts', () => {
  it.each<[string, number]>([
    ['0', 0],
    ['-0', 0],
    ['+0', 0],
    ['0s', 0],
    ['-0s', 0],
    ['5s', 5000],
    ['+5s', 5000],
    ['-5s', -5000],
    ['5.s', 5000],
    ['.5s', 500],
    ['1.004s', 1004],
    ['100.00100s', 100_001],
    ['10ns', 10 * NS],
    ['11us', 0.011],
    ['12\u00b5s', 0.012], // micro sign
    ['12\u03bcs', 0.012], // Greek mu
    ['13ms', 13],
    ['15m', 900_000],
    ['16h', 57_600_000],
    ['3h30m', 12_600_000],
    ['10.5s4m', 250_500], // units in any order, summed
    ['1h1h', 7_200_000],
    ['-2m3.4s', -123_400],
    ['1h2m3s4ms5us6ns', 3_723_004.005006],
    ['0.3333333333333333333h', 1_200_000], // 20m: digits beyond int64 are dropped
    // The int64 limits: 2^63 - 1 and -2^63 nanoseconds (as close as a double in ms gets).
    ['9223372036854775807ns', 2 ** 63 / 1e6],
    ['-9223372036854775808ns', -(2 ** 63) / 1e6],
    ['2562047h47m16.854775807s', 2 ** 63 / 1e6],
  ])('%s = %d ms', (text, ms) => {
    const got = parseDuration(text);
    expect(Object.is(got, -0)).toBe(false);
    if (Number.isInteger(ms)) expect(got).toBe(ms);
    else expect(got).toBeCloseTo(ms, 6);
  });
});

describe('parseDuration refuses what time.ParseDuration refuses', () => {
  it.each([
    '',
    '3', // a unit is required except for 0
    '00',
    '-',
    's',
    '.',
    '-.',
    '.s',
    '+.s',
    '1d', // no day unit
    '1sm',
    '1 s',
    '3000000h', // beyond int64 nanoseconds
    '9223372036854775808ns',
    '2562047h47m16.854775808s',
    '9223372036854775810ns',
    '-9223372036854775809ns',
  ])('%j', (text) => {
    expect(tryParseDuration(text)).toBeUndefined();
    expect(() => parseDuration(text)).toThrow(DurationError);
  });
});

describe('helpers', () => {
  it('rounds durationSeconds up', () => {
    expect(durationSeconds('1500ms')).toBe(2);
    expect(durationSeconds('2m')).toBe(120);
  });
  it('formats milliseconds back', () => {
    expect([120_000, 90_000, 1500, 250, 3_723_000].map(formatDuration)).toEqual([
      '2m',
      '1m30s',
      '1.5s',
      '250ms',
      '1h2m3s',
    ]);
  });
});
