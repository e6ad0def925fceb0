/** The pure half of `slipway drift`: managedFields read back into pointers, and one object's drift from its dry run. */
import type { KubeObject } from '@slipway/kube';
import { describe, expect, it } from 'vitest';
import { MemoryCluster } from '../../src/cluster/memory.js';
import { compareLive, objectDrift, MASKED } from '../../src/drift/check.js';
import { managersOf, ownedFields } from '../../src/drift/fields.js';

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };

function deployment(opts: {
  image: string;
  replicas?: number;
  env?: unknown[];
  annotations?: Record<string, string>;
}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'shop',
      resourceVersion: '7',
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    spec: {
      ...(opts.replicas === undefined ? {} : { replicas: opts.replicas }),
      template: {
        spec: {
          containers: [{ name: 'web', image: opts.image, ...(opts.env ? { env: opts.env } : {}) }],
        },
      },
    },
  } as KubeObject;
}

const slipwayFields = {
  manager: 'slipway',
  operation: 'Apply',
  fieldsV1: {
    'f:spec': {
      'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:name': {} } } } },
    },
  },
};

describe('ownedFields', () => {
  it('resolves map keys, list items by key and by value, and drops paths no longer in the object', () => {
    const live = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p',
        finalizers: ['a', 'b'],
        managedFields: [
          {
            manager: 'm',
            operation: 'Update',
            fieldsV1: {
              'f:metadata': { 'f:finalizers': { 'v:"b"': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"two"}': {
                    'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {} } },
                  },
                  'k:{"name":"gone"}': { 'f:image': {} },
                },
              },
            },
          },
        ],
      },
      spec: {
        containers: [{ name: 'one' }, { name: 'two', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
      },
    } as KubeObject;
    const [m] = ownedFields(live);
    expect([...(m?.leaves ?? [])].sort()).toEqual(['/metadata/finalizers/1', '/spec/containers/1/ports/0']);
    expect(m?.pointers.has('/spec/containers/1')).toBe(true);
  });

  it('names a manager for a field it owns, one inside it or an atomic field around it, never for a shared parent', () => {
    const live = deployment({ image: 'web:2', env: [{ name: 'A', value: '1' }] });
    live.metadata.managedFields = [
      slipwayFields,
      {
        manager: 'kubectl-set',
        operation: 'Update',
        fieldsV1: {
          'f:spec': {
            'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:env': {} } } } },
          },
        },
      },
      {
        manager: 'kubectl-patch',
        operation: 'Update',
        fieldsV1: {
          'f:spec': {
            'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } },
          },
        },
      },
    ];
    const owned = ownedFields(live);
    expect(managersOf(owned, '/spec/template/spec/containers/0/image', 'slipway')).toEqual(['kubectl-patch']);
    expect(managersOf(owned, '/spec/template/spec/containers/0/env/0/value', 'slipway')).toEqual([
      'kubectl-set',
    ]);
    expect(managersOf(owned, '/spec/template/spec/containers/0', 'slipway')).toEqual([
      'kubectl-patch',
      'kubectl-set',
    ]);
  });
});

describe('objectDrift', () => {
  it('reports a field the dry run would change, with its live and released values and its manager', () => {
    const live = deployment({ image: 'web:2' });
    live.metadata.managedFields = [
      slipwayFields,
      {
        manager: 'kubectl-edit',
        operation: 'Update',
        fieldsV1: {
          'f:spec': {
            'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } },
          },
        },
      },
    ];
    const released = {
      ...deployment({ image: 'web:1' }),
      metadata: { ...live.metadata, resourceVersion: '8' },
    };
    expect(objectDrift(ref, live, released)).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'shop',
        name: 'web',
        path: '/spec/template/spec/containers/0/image',
        change: 'changed',
        live: 'web:2',
        released: 'web:1',
        managers: ['kubectl-edit'],
      },
    ]);
  });

  it('leaves replicas and annotations Slipway never set to their managers, but reports an added env', () => {
    const live = deployment({
      image: 'web:1',
      replicas: 4,
      annotations: { 'sidecar.example.com/injected': 'true' },
      env: [{ name: 'DEBUG', value: '1' }],
    });
    live.metadata.managedFields = [
      slipwayFields,
      {
        manager: 'hpa',
        operation: 'Update',
        subresource: 'scale',
        fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      },
      {
        manager: 'injector',
        operation: 'Update',
        fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:sidecar.example.com/injected': {} } } },
      },
      {
        manager: 'kubectl-set',
        operation: 'Update',
        fieldsV1: {
          'f:spec': {
            'f:template': {
              'f:spec': {
                'f:containers': {
                  'k:{"name":"web"}': {
                    'f:env': { '.': {}, 'k:{"name":"DEBUG"}': { 'f:name': {}, 'f:value': {} } },
                  },
                },
              },
            },
          },
        },
      },
    ];
    // The dry run keeps what others own: the released object equals the live one.
    const drift = objectDrift(ref, live, structuredClone(live));
    expect(drift).toMatchObject([
      {
        path: '/spec/template/spec/containers/0/env',
        change: 'added',
        live: [{ name: 'DEBUG', value: '1' }],
        managers: ['kubectl-set'],
      },
    ]);
  });

  it('masks Secret values on both sides', () => {
    const secret = (v: string, rv: string) =>
      ({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's', resourceVersion: rv },
        data: { key: v },
      }) as KubeObject;
    const drift = objectDrift(
      { apiVersion: 'v1', kind: 'Secret', name: 's' },
      secret('bGl2ZQ==', '1'),
      secret('cmVs', '2'),
    );
    expect(drift).toMatchObject([{ path: '/data/key', live: MASKED, released: MASKED }]);
    expect(JSON.stringify(drift)).not.toContain('bGl2ZQ');
  });
});

describe('compareLive', () => {
  it('reads the object again when it changes between the read and the dry run', async () => {
    const cluster = new MemoryCluster();
    await cluster.apply([deployment({ image: 'web:1' })], { fieldManager: 'slipway' });
    const stored = (await cluster.get<KubeObject>(ref))!;
    // Another writer changes the image after compareLive read the object, before its dry run.
    let interfered = false;
    const racing = Object.assign(Object.create(cluster) as MemoryCluster, {
      apply: async (objects: KubeObject[], opts: Parameters<MemoryCluster['apply']>[1]) => {
        if (!interfered) {
          interfered = true;
          await cluster.replace({ ...stored, spec: deployment({ image: 'web:2' }).spec });
        }
        return cluster.apply(objects, opts);
      },
    });
    const released = deployment({ image: 'web:1' });
    delete released.metadata.resourceVersion;
    const fields = await compareLive(racing, ref, released);
    expect(interfered).toBe(true);
    // Compared with the version the dry run merged into: web:2 live, web:1 released.
    expect(fields?.map((f) => [f.path, f.live, f.released])).toEqual([
      ['/spec/template/spec/containers/0/image', 'web:2', 'web:1'],
    ]);
  });

  it('gives up with the conflict when the object never holds still', async () => {
    const cluster = new MemoryCluster();
    await cluster.apply([deployment({ image: 'web:1' })], { fieldManager: 'slipway' });
    let n = 0;
    const racing = Object.assign(Object.create(cluster) as MemoryCluster, {
      apply: async (objects: KubeObject[], opts: Parameters<MemoryCluster['apply']>[1]) => {
        const live = (await cluster.get<KubeObject>(ref))!;
        await cluster.replace({ ...live, spec: deployment({ image: `web:${++n + 1}` }).spec });
        return cluster.apply(objects, opts);
      },
    });
    await expect(compareLive(racing, ref, deployment({ image: 'web:1' }))).rejects.toThrow(
      /has been modified/,
    );
    expect(n).toBe(5);
  });
});
