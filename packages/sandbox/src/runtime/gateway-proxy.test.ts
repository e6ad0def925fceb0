import { describe, expect, it } from 'vitest';
import { pickWeighted } from './gateway-proxy.js';

describe('gateway proxy: smooth weighted round robin over backendRefs', () => {
  const pick = (weights: Record<string, number>, n: number) => {
    const current = new Map<string, number>();
    const items = Object.entries(weights).map(([key, weight]) => ({ key, weight, item: key }));
    return Array.from({ length: n }, () => pickWeighted(items, current));
  };

  it('80/20 gives exactly 8 and 2 of every 10, interleaved rather than in a block', () => {
    const picks = pick({ stable: 80, canary: 20 }, 10);
    expect(picks.filter((p) => p === 'canary')).toHaveLength(2);
    expect(picks.join(',')).toBe('stable,stable,canary,stable,stable,stable,stable,canary,stable,stable');
  });

  it('a weight of 0 gets nothing; no weights at all pick nothing', () => {
    expect(new Set(pick({ stable: 100, canary: 0 }, 20))).toEqual(new Set(['stable']));
    expect(pick({ canary: 0 }, 3)).toEqual([undefined, undefined, undefined]);
  });
});
