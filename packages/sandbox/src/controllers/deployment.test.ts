import type { KubeObject } from '@slipway/kube';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../testing/fake-clock.js';
import { STORE_KINDS, startHarness, type Harness } from '../../testing/harness.js';
import { getCondition, kinds, status, type Condition } from './objects.js';

let clock: FakeClock;
let h: Harness;
afterEach(() => h.close());

function deployment(name: string, image: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 3,
      // Set explicitly: the contract-only store double does not apply the API server's defaults.
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'app',
              image,
              readinessProbe: { httpGet: { path: '/', port: 80 }, initialDelaySeconds: 2 },
            },
          ],
        },
      },
      ...extra,
    },
  };
}

const k = () => kinds(h.store);
const get = (name: string) => h.store.get(k().deployment, 'default', name) as KubeObject;
const replicaSets = (name: string) =>
  h.store
    .list(k().replicaSet, 'default')
    .items.filter((rs) => rs.metadata.ownerReferences?.[0]?.name === name)
    .sort(
      (a, b) =>
        Number(a.metadata.annotations?.['deployment.kubernetes.io/revision']) -
        Number(b.metadata.annotations?.['deployment.kubernetes.io/revision']),
    );
const pods = () => h.store.list(k().pod, 'default').items;
const cond = (o: KubeObject, type: string) =>
  getCondition(status<{ conditions?: Condition[] }>(o).conditions, type);
const step = (ms: number) => clock.advance(ms, () => h.settle());

describe.each(STORE_KINDS)('on %s', (storeKind) => {
  beforeEach(() => {
    clock = new FakeClock();
    h = startHarness({ clock, store: storeKind });
  });

  describe('Deployment controller', () => {
    it('creates a hashed ReplicaSet, revision 1, and reports Available once pods are ready', async () => {
      h.apply(deployment('web', 'nginx:1'));
      await h.settle();
      const [rs] = replicaSets('web');
      expect(rs?.metadata.name).toMatch(/^web-[a-z0-9]+$/);
      const hash = rs?.metadata.labels?.['pod-template-hash'];
      expect(rs?.spec).toMatchObject({
        replicas: 3,
        selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } },
      });
      expect(rs?.metadata.annotations).toMatchObject({
        'deployment.kubernetes.io/revision': '1',
        'deployment.kubernetes.io/desired-replicas': '3',
        'deployment.kubernetes.io/max-replicas': '4',
      });
      expect(pods()).toHaveLength(3);
      expect(cond(get('web'), 'Available')?.status).toBe('False');
      await step(3000);
      const d = get('web');
      expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
      expect(d.status).toMatchObject({
        observedGeneration: 1,
        replicas: 3,
        updatedReplicas: 3,
        readyReplicas: 3,
        availableReplicas: 3,
      });
      expect(cond(d, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
      expect(cond(d, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
      for (const p of pods()) expect(p.spec).toMatchObject({ nodeName: 'sandbox-node' });
      const eventType = h.store.typeFor('v1', 'Event');
      if (eventType) {
        const events = h.store
          .list(eventType, 'default')
          .items.map((e) => `${(e.involvedObject as { kind: string }).kind} ${e.reason}: ${e.message}`);
        expect(events).toContain(
          `Deployment ScalingReplicaSet: Scaled up replica set ${rs?.metadata.name} from 0 to 3`,
        );
        expect(
          events.filter((e) => e.startsWith('ReplicaSet SuccessfulCreate: Created pod: web-')),
        ).toHaveLength(3);
        expect(events.filter((e) => e.startsWith('Pod Started: Started container app'))).toHaveLength(3);
      }
    });

    it('rolls within maxSurge/maxUnavailable, and undo reuses the old ReplicaSet with a new revision', async () => {
      h.apply(
        deployment('web', 'nginx:1', {
          replicas: 4,
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        }),
      );
      await h.settle();
      await step(3000);
      const v1 = get('web').spec as { template: unknown };
      h.apply(
        deployment('web', 'nginx:2', {
          replicas: 4,
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        }),
      );
      await h.settle();
      // maxSurge 25% of 4 rounds up to 1, maxUnavailable rounds down to 1: 3..5 pods, ≥3 available.
      for (let i = 0; i < 40; i++) {
        const active = pods().filter((p) => !p.metadata.deletionTimestamp);
        expect(active.length).toBeLessThanOrEqual(5);
        const available = active.filter((p) => cond(p, 'Ready')?.status === 'True').length;
        expect(available).toBeGreaterThanOrEqual(3);
        await step(500);
      }
      const [old, current] = replicaSets('web');
      expect(current?.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
      expect(old?.spec).toMatchObject({ replicas: 0 });
      expect(get('web').status).toMatchObject({ replicas: 4, updatedReplicas: 4, availableReplicas: 4 });
      expect(get('web').metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');

      // What `kubectl rollout undo` sends: the old RS template without its hash label.
      const template = structuredClone(
        (old?.spec as { template: { metadata: { labels: Record<string, string> } } }).template,
      );
      delete template.metadata.labels['pod-template-hash'];
      expect(template).toEqual(v1.template);
      const d = get('web');
      h.store.update({ ...d, spec: { ...(d.spec as object), template } });
      await h.settle();
      await step(10_000);
      const after = replicaSets('web');
      expect(after).toHaveLength(2);
      const reused = after.find((rs) => rs.metadata.uid === old?.metadata.uid);
      expect(reused?.metadata.annotations).toMatchObject({
        'deployment.kubernetes.io/revision': '3',
        'deployment.kubernetes.io/revision-history': '1',
      });
      expect(reused?.spec).toMatchObject({ replicas: 4 });
      expect(get('web').metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    });

    it('Recreate removes every old pod before the new ReplicaSet scales up', async () => {
      h.apply(deployment('job', 'nginx:1', { strategy: { type: 'Recreate' } }));
      await h.settle();
      await step(3000);
      h.apply(deployment('job', 'nginx:2', { strategy: { type: 'Recreate' } }));
      let sawOverlap = false;
      for (let i = 0; i < 30; i++) {
        await step(200);
        const [oldRs, newRs] = replicaSets('job');
        const owners = new Set(pods().map((p) => p.metadata.ownerReferences?.[0]?.uid));
        if (owners.has(oldRs?.metadata.uid) && owners.has(newRs?.metadata.uid)) sawOverlap = true;
      }
      expect(sawOverlap).toBe(false);
      expect(get('job').status).toMatchObject({ updatedReplicas: 3, availableReplicas: 3 });
    });

    it('turns Progressing False with ProgressDeadlineExceeded when the new pods never get ready', async () => {
      h.apply(deployment('web', 'nginx:1', { progressDeadlineSeconds: 30 }));
      await h.settle();
      await step(3000);
      h.apply(deployment('web', 'nginx:broken', { progressDeadlineSeconds: 30 }));
      await h.settle();
      await step(20_000);
      expect(cond(get('web'), 'Progressing')?.status).toBe('True');
      await step(15_000);
      expect(cond(get('web'), 'Progressing')).toMatchObject({
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
      });
      const broken = pods().find(
        (p) => (p.spec as { containers: { image: string }[] }).containers[0]?.image === 'nginx:broken',
      );
      expect(
        (broken?.status as { containerStatuses: { state: { waiting: { reason: string } } }[] })
          .containerStatuses[0]?.state.waiting.reason,
      ).toBe('ImagePullBackOff');
      // The old pods keep serving: availability never dropped below the minimum.
      expect(cond(get('web'), 'Available')?.status).toBe('True');
    });

    it('counts a pod available only after minReadySeconds', async () => {
      h.apply(deployment('web', 'nginx:1', { replicas: 1, minReadySeconds: 10 }));
      await h.settle();
      await step(3000);
      expect(get('web').status).toMatchObject({ readyReplicas: 1 });
      expect((get('web').status as { availableReplicas?: number }).availableReplicas).toBeUndefined();
      await step(11_000);
      expect(get('web').status).toMatchObject({ availableReplicas: 1 });
    });

    it('does not roll while paused, and rolls on resume; a restart annotation makes a new revision', async () => {
      h.apply(deployment('web', 'nginx:1'));
      await h.settle();
      await step(3000);
      h.apply(deployment('web', 'nginx:2', { paused: true }));
      await step(3000);
      expect(replicaSets('web')).toHaveLength(1);
      expect(cond(get('web'), 'Progressing')).toMatchObject({
        status: 'Unknown',
        reason: 'DeploymentPaused',
      });
      h.apply(deployment('web', 'nginx:2'));
      await step(10_000);
      expect(replicaSets('web')).toHaveLength(2);
      // kubectl rollout restart patches this template annotation.
      const restarted = deployment('web', 'nginx:2');
      (restarted.spec as { template: { metadata: Record<string, unknown> } }).template.metadata.annotations =
        { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:01:00Z' };
      h.apply(restarted);
      await step(10_000);
      expect(
        replicaSets('web').map((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision']),
      ).toEqual(['1', '2', '3']);
      expect(get('web').status).toMatchObject({
        updatedReplicas: 3,
        availableReplicas: 3,
        observedGeneration: get('web').metadata.generation,
      });
    });

    it('adopts the ReplicaSet and pods orphaned by deleting the Deployment with --cascade=orphan', async () => {
      h.apply(deployment('web', 'nginx:1'));
      await h.settle();
      await step(3000);
      const [rs] = replicaSets('web');
      const podNames = pods()
        .map((p) => p.metadata.name)
        .sort();
      h.store.delete(k().deployment, 'default', 'web', { propagationPolicy: 'Orphan' });
      await step(1000);
      expect(h.store.get(k().deployment, 'default', 'web')).toBeUndefined();
      const orphan = h.store.get(k().replicaSet, 'default', rs?.metadata.name as string);
      expect(orphan?.metadata.ownerReferences ?? []).toEqual([]);
      h.apply(deployment('web', 'nginx:1'));
      await step(3000);
      const adopted = h.store.get(k().replicaSet, 'default', rs?.metadata.name as string);
      expect(adopted?.metadata.ownerReferences?.[0]).toMatchObject({
        kind: 'Deployment',
        name: 'web',
        uid: get('web').metadata.uid,
        controller: true,
      });
      expect(
        pods()
          .map((p) => p.metadata.name)
          .sort(),
      ).toEqual(podNames);
      expect(get('web').status).toMatchObject({ availableReplicas: 3 });
    });

    it('spreads a mid-rollout resize over the active ReplicaSets in proportion (sync.go scale)', async () => {
      const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } };
      h.apply(deployment('web', 'nginx:1', { replicas: 10, strategy }));
      await h.settle();
      await step(3000);
      // The new version never gets ready, so the rollout stops part-way.
      h.apply(deployment('web', 'nginx:broken', { replicas: 10, strategy }));
      await step(5000);
      const sizes = () => replicaSets('web').map((rs) => (rs.spec as { replicas: number }).replicas);
      const [oldBefore, newBefore] = sizes() as [number, number];
      expect(oldBefore + newBefore).toBe(13);
      expect(newBefore).toBeGreaterThan(0);
      h.apply(deployment('web', 'nginx:broken', { replicas: 20, strategy }));
      await step(1000);
      const [oldAfter, newAfter] = sizes() as [number, number];
      expect(oldAfter + newAfter).toBe(23);
      expect(oldAfter).toBeGreaterThan(oldBefore);
      expect(newAfter).toBeGreaterThan(newBefore);
      expect(oldAfter - oldBefore).toBeGreaterThanOrEqual(newAfter - newBefore);
      for (const rs of replicaSets('web'))
        expect(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas']).toBe('20');
    });
  });
});
