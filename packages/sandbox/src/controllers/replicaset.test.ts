import type { KubeObject } from '@slipway/kube';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../testing/fake-clock.js';
import { STORE_KINDS, startHarness, type Harness } from '../../testing/harness.js';
import { FAULT_ANNOTATION } from '../runtime/faults.js';
import { isPodReady, kinds } from './objects.js';

let clock: FakeClock;
let h: Harness;
afterEach(() => h.close());
const step = (ms: number) => clock.advance(ms, () => h.settle());
const k = () => kinds(h.store);
const active = () => h.store.list(k().pod, 'default').items.filter((p) => !p.metadata.deletionTimestamp);

function replicaSet(replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'rs', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'rs' } },
      template: {
        metadata: { labels: { app: 'rs' } },
        spec: { containers: [{ name: 'c', image: 'nginx:1' }] },
      },
    },
  };
}

describe.each(STORE_KINDS)('on %s', (storeKind) => {
  beforeEach(() => {
    clock = new FakeClock();
    h = startHarness({ clock, store: storeKind });
  });

  describe('ReplicaSet controller', () => {
    it('creates owned pods from the template and replaces a deleted one', async () => {
      const rs = h.apply(replicaSet(2));
      await step(1000);
      const pods = active();
      expect(pods).toHaveLength(2);
      for (const p of pods) {
        expect(p.metadata.name).toMatch(/^rs-/);
        expect(p.metadata.ownerReferences).toEqual([
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'rs',
            uid: rs.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ]);
      }
      h.store.delete(k().pod, 'default', pods[0]?.metadata.name as string);
      await step(1000);
      expect(active()).toHaveLength(2);
      expect(h.store.get(k().replicaSet, 'default', 'rs')?.status).toMatchObject({
        replicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
        observedGeneration: 1,
      });
    });

    it('deletes a not-ready pod first when scaling down', async () => {
      h.apply(replicaSet(3));
      await step(1000);
      const victim = active()[1] as KubeObject;
      // Make one pod never ready by deleting and letting a never-ready replacement come (fault on the pod itself).
      h.store.delete(k().pod, 'default', victim.metadata.name as string);
      await h.settle();
      const fresh = active().find((p) => !isPodReady(p)) as KubeObject;
      expect(fresh).toBeDefined();
      h.apply({ ...replicaSet(2) });
      await h.settle();
      const left = active();
      expect(left).toHaveLength(2);
      expect(left.map((p) => p.metadata.name)).not.toContain(fresh.metadata.name);
      expect(left.every(isPodReady)).toBe(true);
    });

    it('a never-ready fault keeps the pod out of readyReplicas', async () => {
      const rs = replicaSet(1);
      (rs.spec as { template: { metadata: Record<string, unknown> } }).template.metadata.annotations = {
        [FAULT_ANNOTATION]: 'never-ready',
      };
      h.apply(rs);
      await step(5000);
      expect(active()).toHaveLength(1);
      expect(isPodReady(active()[0] as KubeObject)).toBe(false);
      expect(
        (h.store.get(k().replicaSet, 'default', 'rs')?.status as { readyReplicas?: number }).readyReplicas,
      ).toBeUndefined();
    });
  });
});
