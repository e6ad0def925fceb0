import type { KubeObject } from '@slipway/kube';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../testing/fake-clock.js';
import { STORE_KINDS, startHarness, type Harness } from '../../testing/harness.js';
import { kinds } from './objects.js';

let clock: FakeClock;
let h: Harness;
afterEach(() => h.close());
const step = (ms: number) => clock.advance(ms, () => h.settle());
const k = () => kinds(h.store);

function pod(name: string, labels: Record<string, string>, readyAfter: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'nginx:1',
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: readyAfter },
        },
      ],
    },
  };
}

describe.each(STORE_KINDS)('on %s', (storeKind) => {
  beforeEach(() => {
    clock = new FakeClock();
    h = startHarness({ clock, store: storeKind });
  });

  describe('Endpoints and EndpointSlice controller', () => {
    it('lists ready pods as addresses, others as notReadyAddresses, and resolves named target ports', async () => {
      h.apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'default' },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      });
      h.apply(pod('a', { app: 'web' }, 1));
      h.apply(pod('b', { app: 'web' }, 100));
      h.apply(pod('other', { app: 'other' }, 0));
      await step(5000);
      const ep = h.store.get(k().endpoints, 'default', 'web') as KubeObject & {
        subsets: {
          addresses: { targetRef: { name: string } }[];
          notReadyAddresses: { targetRef: { name: string } }[];
          ports: unknown[];
        }[];
      };
      expect(ep.subsets).toHaveLength(1);
      expect(ep.subsets[0]?.addresses.map((a) => a.targetRef.name)).toEqual(['a']);
      expect(ep.subsets[0]?.notReadyAddresses.map((a) => a.targetRef.name)).toEqual(['b']);
      expect(ep.subsets[0]?.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
      const slices = h.store.list(k().endpointSlice, 'default', {
        labelSelector: 'kubernetes.io/service-name=web',
      }).items;
      expect(slices).toHaveLength(1);
      const endpoints = (
        slices[0] as unknown as {
          endpoints: { targetRef: { name: string }; conditions: { ready: boolean } }[];
        }
      ).endpoints;
      expect(endpoints.map((e) => [e.targetRef.name, e.conditions.ready]).sort()).toEqual([
        ['a', true],
        ['b', false],
      ]);
      await step(100_000);
      const later = h.store.get(k().endpoints, 'default', 'web') as KubeObject & {
        subsets: { addresses: unknown[] }[];
      };
      expect(later.subsets[0]?.addresses).toHaveLength(2);
    });

    it('drops a terminating pod from Endpoints at once and deletes Endpoints with the Service', async () => {
      h.apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'default' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
      });
      h.apply(pod('a', { app: 'web' }, 0));
      await step(2000);
      h.store.delete(k().pod, 'default', 'a');
      await h.settle();
      const ep = h.store.get(k().endpoints, 'default', 'web') as KubeObject;
      expect(ep.subsets).toBeUndefined();
      h.store.delete(k().service, 'default', 'web');
      await h.settle();
      expect(h.store.get(k().endpoints, 'default', 'web')).toBeUndefined();
    });
  });
});
