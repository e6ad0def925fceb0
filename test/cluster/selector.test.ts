import { describe, expect, it } from 'vitest';
import { listSelector } from '../../src/cluster/cluster.js';

const labels = { app: 'shop', tier: 'web', 'slipway.dev/colour': 'blue' };

describe('label selectors (apimachinery labels.Parse semantics)', () => {
  it.each([
    ['app=shop', true],
    ['app==shop', true],
    ['app=other', false],
    ['app!=other', true],
    ['missing!=x', true],
    ['tier in (web, api)', true],
    ['tier notin (web)', false],
    ['app,tier', true],
    ['!missing', true],
    ['!app', false],
    ['app=shop,slipway.dev/colour in (green)', false],
    ['app=shop,slipway.dev/colour=blue', true],
    ['', true],
  ])('%s → %s', (selector, expected) => {
    expect(listSelector(selector).matches(labels)).toBe(expected);
  });

  it('a map selector requires every label', () => {
    expect(listSelector({ app: 'shop', tier: 'web' }).matches(labels)).toBe(true);
    expect(listSelector({ app: 'shop', tier: 'api' }).matches(labels)).toBe(false);
  });
});
