import { describe, expect, it } from 'vitest';
import type { DriftReport } from '../../src/drift/check.js';
import { driftExposition } from '../../src/drift/metrics.js';
import { pointerPath } from '../../src/drift/sarif.js';

const report: DriftReport = {
  app: 'shop',
  environment: 'prod',
  revision: 4,
  checked: 9,
  changed: [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 's',
      name: 'web',
      path: '/spec/replicas',
      change: 'changed',
      managers: ['kubectl'],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 's',
      name: 'web',
      path: '/spec/template/spec/containers/0/env',
      change: 'added',
      managers: ['kubectl-set'],
    },
  ],
  missing: [{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 's', name: 'env' }],
  orphans: [{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 's', name: 'stray', managers: [] }],
  notes: [],
};

describe('drift report formats', () => {
  it('metrics: drifted objects per kind, each object once, 0 for a kind in sync', () => {
    const text = driftExposition(report, ['Deployment', 'Service'], new Date('2026-12-06T10:00:00Z'));
    expect(text).toContain('slipway_drift_objects{app="shop",environment="prod",kind="Deployment"} 1');
    expect(text).toContain('slipway_drift_objects{app="shop",environment="prod",kind="ConfigMap"} 2');
    expect(text).toContain('slipway_drift_objects{app="shop",environment="prod",kind="Service"} 0');
    expect(text).toContain(
      'slipway_drift_last_check_timestamp_seconds{app="shop",environment="prod"} 1796551200',
    );
    expect(text).toMatch(/# TYPE slipway_drift_objects gauge/);
  });

  it('JSON pointers become paths with array indexes, ~1 and ~0 unescaped', () => {
    expect(pointerPath('/spec/template/spec/containers/0/image')).toEqual([
      'spec',
      'template',
      'spec',
      'containers',
      0,
      'image',
    ]);
    expect(pointerPath('/spec/selector/slipway.dev~1colour')).toEqual([
      'spec',
      'selector',
      'slipway.dev/colour',
    ]);
  });
});
