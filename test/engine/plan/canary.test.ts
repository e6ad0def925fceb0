import { describe, expect, it } from 'vitest';
import {
  baseReplicas,
  replicaRatioSplit,
  routedSplit,
  sizeCanaryStep,
} from '../../../src/engine/plan/canary.js';

describe('replica-ratio canary split (Argo Rollouts approximateWeightedCanaryStableReplicaCounts)', () => {
  // The first four rows are the examples in Argo's own doc comment on CalculateReplicaCountsForBasicCanary.
  it.each([
    [10, 10, 1, 1, 9],
    [10, 30, 3, 3, 7],
    [1, 5, 1, 1, 1],
    [1, 95, 1, 1, 1],
    [3, 50, 0, 2, 1], // floor and ceiling tie: the larger canary
    [4, 25, 1, 1, 3],
    [10, 0, 1, 0, 10],
    [10, 100, 1, 10, 0],
    [0, 50, 1, 0, 0],
    [1, 50, 0, 1, 0], // one replica, no surge: zero is allowed, the tie picks the canary
    [5, 33, 2, 2, 4], // surging to 6 pods gets 33.3%, closer than 2/5 or 1/5
    [2, 10, 0, 1, 1], // 1..99 never rounds the canary to zero when two pods run
  ])(
    'replicas %i, weight %i%%, maxSurge %i → canary %i, stable %i',
    (replicas, weight, surge, canary, stable) => {
      expect(replicaRatioSplit(replicas, weight, surge)).toEqual({ canary, stable });
    },
  );

  it('routed traffic: the canary gets ceil(replicas × weight) and the stable stays whole', () => {
    expect(routedSplit(10, 25)).toEqual({ canary: 3, stable: 10 });
    expect(routedSplit(3, 10)).toEqual({ canary: 1, stable: 3 });
  });
});

describe('canary sizing that respects an HPA', () => {
  it.each<[string, number | undefined, { min: number; max: number } | undefined, number | undefined, number]>(
    [
      ['no HPA: the live count', 3, undefined, 5, 5],
      ['no HPA, nothing live: the spec', 3, undefined, undefined, 3],
      ['HPA: its current count', 2, { min: 2, max: 10 }, 7, 7],
      ['HPA: clamped to max', 2, { min: 2, max: 10 }, 15, 10],
      ['HPA: nothing live yet, its min', 2, { min: 3, max: 10 }, undefined, 3],
    ],
  )('%s', (_name, spec, hpa, current, expected) => {
    expect(baseReplicas(spec, hpa, current)).toBe(expected);
  });

  it('no surge pod when the HPA is at its max, and the stable never below the HPA min', () => {
    expect(sizeCanaryStep(4, 50, 1, { min: 3, max: 4 }, 'replicas')).toEqual({
      canary: 2,
      stable: 3,
      effectiveWeight: 40,
    });
    expect(sizeCanaryStep(4, 25, 1, undefined, 'replicas')).toEqual({
      canary: 1,
      stable: 3,
      effectiveWeight: 25,
    });
    expect(sizeCanaryStep(10, 20, 3, { min: 2, max: 20 }, 'replicas')).toEqual({
      canary: 2,
      stable: 8,
      effectiveWeight: 20,
    });
    expect(sizeCanaryStep(4, 100, 1, { min: 3, max: 4 }, 'replicas')).toEqual({
      canary: 4,
      stable: 0,
      effectiveWeight: 100,
    });
  });
});
