import type { KubeObject } from '@slipway/kube';
import { describe, expect, it } from 'vitest';
import { definitionSchema } from '../schema.js';
import { applyJsonPatch } from './json-patch.js';
import { jsonMergePatch } from './json-merge.js';
import { recordUpdate, serverSideApply } from './managed-fields.js';
import { strategicMergePatch } from './strategic-merge.js';

const deploymentSchema = definitionSchema('io.k8s.api.apps.v1.Deployment');

function live(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        spec: {
          containers: [
            { name: 'web', image: 'nginx:1.27', env: [{ name: 'A', value: '1' }] },
            { name: 'sidecar', image: 'envoy:1' },
          ],
        },
      },
    },
  };
}

const containers = (o: unknown) =>
  (o as { spec: { template: { spec: { containers: { name: string; image: string; env?: unknown[] }[] } } } })
    .spec.template.spec.containers;

describe('strategic merge patch', () => {
  it('merges containers by name, keeps order hints and deletes with $patch', () => {
    const patched = strategicMergePatch(
      live(),
      {
        spec: {
          template: {
            spec: {
              $setElementOrder: undefined,
              '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'web' }],
              containers: [{ name: 'web', image: 'nginx:1.28' }],
            },
          },
        },
      },
      deploymentSchema,
    );
    expect(containers(patched).map((c) => `${c.name}=${c.image}`)).toEqual([
      'sidecar=envoy:1',
      'web=nginx:1.28',
    ]);
    expect(containers(patched)[1]?.env).toEqual([{ name: 'A', value: '1' }]);
    const removed = strategicMergePatch(
      live(),
      { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } },
      deploymentSchema,
    );
    expect(containers(removed).map((c) => c.name)).toEqual(['web']);
  });

  it('honours $retainKeys on the strategy and null deletion', () => {
    const patched = strategicMergePatch(
      live(),
      {
        metadata: { labels: { app: null } },
        spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } },
      },
      deploymentSchema,
    ) as KubeObject;
    expect((patched.spec as { strategy: unknown }).strategy).toEqual({ type: 'Recreate' });
    expect(patched.metadata.labels).toEqual({});
  });
});

describe('JSON merge and JSON patch', () => {
  it('merge patch replaces lists and deletes with null', () => {
    expect(jsonMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: null }, l: [3] })).toEqual({
      a: { b: 1 },
      l: [3],
    });
  });

  it('JSON patch applies operations in order and fails a test op', () => {
    const doc = { metadata: { annotations: { x: '1' } }, list: [1, 2] };
    expect(
      applyJsonPatch(doc, [
        { op: 'replace', path: '/metadata/annotations', value: { y: '2' } },
        { op: 'add', path: '/list/-', value: 3 },
        { op: 'remove', path: '/list/0' },
        { op: 'copy', from: '/list/0', path: '/first' },
      ]),
    ).toEqual({ metadata: { annotations: { y: '2' } }, list: [2, 3], first: 2 });
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/list/0', value: 9 }])).toThrow(/testing value/);
  });
});

describe('server-side apply', () => {
  const ctx = (manager: string, force = false) => ({
    manager,
    schema: deploymentSchema,
    time: '2026-01-01T00:00:00Z',
    force,
  });
  const applied = (replicas: number, image = 'nginx:1.27'): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { replicas, template: { spec: { containers: [{ name: 'web', image }] } } },
  });

  it('records ownership in FieldsV1, conflicts with other managers, and forces', () => {
    const first = serverSideApply(undefined, applied(2), ctx('alice'));
    const fields = first.metadata.managedFields?.[0] as {
      manager: string;
      operation: string;
      fieldsV1: Record<string, unknown>;
    };
    expect(fields).toMatchObject({ manager: 'alice', operation: 'Apply' });
    expect(fields.fieldsV1).toEqual({
      'f:spec': {
        'f:replicas': {},
        'f:template': {
          'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    });
    // Same value: shared ownership, no conflict.
    const shared = serverSideApply(first, applied(2), ctx('bob'));
    expect(() => serverSideApply(shared, applied(5), ctx('bob'))).toThrow(
      expect.objectContaining({
        code: 409,
        message: expect.stringContaining('conflict with "alice" using apps/v1: .spec.replicas'),
      }),
    );
    const forced = serverSideApply(shared, applied(5), ctx('bob', true));
    expect((forced.spec as { replicas: number }).replicas).toBe(5);
  });

  it('removes fields the manager applied before and omits now, unless someone else owns them', () => {
    const withSidecar: KubeObject = {
      ...applied(2),
      spec: {
        replicas: 2,
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'a' },
              { name: 'side', image: 'b' },
            ],
          },
        },
      },
    };
    const first = serverSideApply(undefined, withSidecar, ctx('alice'));
    const second = serverSideApply(first, { ...applied(2, 'a') }, ctx('alice'));
    expect(containers(second).map((c) => c.name)).toEqual(['web']);
  });

  it('attributes changed fields of a non-apply write to its manager and takes them from others', () => {
    const first = serverSideApply(undefined, applied(2), ctx('alice'));
    const next = structuredClone(first);
    (next.spec as { replicas: number }).replicas = 4;
    recordUpdate(first, next, {
      manager: 'kubectl-scale',
      schema: deploymentSchema,
      time: '2026-01-01T00:00:01Z',
    });
    const managers = (
      next.metadata.managedFields as {
        manager: string;
        operation: string;
        fieldsV1: Record<string, unknown>;
      }[]
    ).map((m) => [m.manager, m.operation, JSON.stringify(m.fieldsV1).includes('f:replicas')]);
    expect(managers).toEqual([
      ['alice', 'Apply', false],
      ['kubectl-scale', 'Update', true],
    ]);
  });
});
