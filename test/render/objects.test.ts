import { describe, expect, it } from 'vitest';
import { fileKey } from '../../src/render/objects/config.js';
import { migrationHash } from '../../src/render/objects/jobs.js';
import { minimumReplicas, renderPodDisruptionBudget } from '../../src/render/objects/scaling.js';
import { topologySpread, workloadReplicas, ownsVolume } from '../../src/render/objects/workload.js';
import { compareObjects } from '../../src/render/order.js';
import type { Service } from '../../src/spec/schema.js';

describe('fileKey', () => {
  it.each([
    ['/etc/app/config.yaml', 'etc-app-config.yaml'],
    ['/app.ini', 'app.ini'],
    ['/a b/c', 'a-b-c'],
  ])('%s -> %s', (path, key) => expect(fileKey(path)).toBe(key));
});

describe('migrationHash', () => {
  it('changes with the image or the command, not otherwise', () => {
    const h = migrationHash('a:1', ['migrate']);
    expect(h).toMatch(/^[0-9a-f]{10}$/);
    expect(migrationHash('a:1', ['migrate'])).toBe(h);
    expect(migrationHash('a:2', ['migrate'])).not.toBe(h);
    expect(migrationHash('a:1', ['migrate', 'up'])).not.toBe(h);
  });
});

describe('replicas, PDB and volumes', () => {
  it.each<[string, Service, number | undefined, number, boolean]>([
    ['default', {}, 1, 1, false],
    ['fixed 3', { replicas: 3 }, 3, 3, true],
    ['zero', { replicas: 0 }, 0, 0, false],
    ['autoscaled from 2', { replicas: 5, autoscale: { min: 2, max: 4 } }, undefined, 2, true],
    ['autoscaled from 1', { autoscale: { min: 1, max: 4 } }, undefined, 1, false],
  ])('%s: workload replicas %s, floor %i, PDB %s', (_n, service, replicas, floor, pdb) => {
    expect(workloadReplicas(service)).toBe(replicas);
    expect(minimumReplicas(service)).toBe(floor);
    expect(renderPodDisruptionBudget('shop', 'api', service, { name: 'x' }) !== undefined).toBe(pdb);
  });

  it.each<[Service['volumes'], boolean]>([
    [undefined, false],
    [[{ name: 'd', path: '/d', size: '1Gi', shared: true }], false],
    [[{ name: 'd', path: '/d', size: '1Gi' }], true],
  ])('volumes %j: StatefulSet %s', (volumes, stateful) => expect(ownsVolume({ volumes })).toBe(stateful));
});

describe('topologySpread', () => {
  it.each<[Service['placement'], string[] | undefined]>([
    [undefined, ['ScheduleAnyway', 'ScheduleAnyway']],
    [{ spread: 'preferred' }, ['ScheduleAnyway', 'ScheduleAnyway']],
    [{ spread: 'required' }, ['DoNotSchedule', 'DoNotSchedule']],
    [{ spread: 'none' }, undefined],
  ])('%j', (placement, when) => {
    const spread = topologySpread('shop', 'api', { placement }, true);
    expect(spread?.map((c) => c.whenUnsatisfiable)).toEqual(when);
    if (spread)
      expect(spread.map((c) => c.topologyKey)).toEqual([
        'kubernetes.io/hostname',
        'topology.kubernetes.io/zone',
      ]);
  });
});

describe('compareObjects', () => {
  it('orders by Helm install order, then name; unknown kinds last', () => {
    const o = (kind: string, name: string) => ({ apiVersion: 'v1', kind, metadata: { name } });
    const sorted = [
      o('HTTPRoute', 'a'),
      o('Deployment', 'b'),
      o('Deployment', 'a'),
      o('ServiceAccount', 'z'),
      o('NetworkPolicy', 'n'),
    ].sort(compareObjects);
    expect(sorted.map((x) => `${x.kind}/${x.metadata.name}`)).toEqual([
      'NetworkPolicy/n',
      'ServiceAccount/z',
      'Deployment/a',
      'Deployment/b',
      'HTTPRoute/a',
    ]);
  });
});
