import type { KubeObject } from '@slipway/kube';
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../testing/fake-clock.js';
import { STORE_KINDS, startHarness, type Harness } from '../../testing/harness.js';
import { getCondition, kinds, status, type Condition } from './objects.js';

let clock: FakeClock;
let h: Harness;
afterEach(() => h.close());
const step = (ms: number) => clock.advance(ms, () => h.settle());
const k = () => kinds(h.store);
const cond = (o: KubeObject | undefined, type: string) =>
  getCondition(status<{ conditions?: Condition[] }>(o ?? ({} as KubeObject)).conditions, type);
const container = { name: 'c', image: 'busybox:1' };

describe.each(STORE_KINDS)('on %s', (storeKind) => {
  beforeEach(() => {
    clock = new FakeClock(Date.parse('2026-01-01T00:00:30Z'));
    h = startHarness({ clock, store: storeKind });
  });

  describe('Job controller', () => {
    it('runs completions with parallelism and ends Complete', async () => {
      h.apply({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'j', namespace: 'default' },
        spec: {
          completions: 3,
          parallelism: 2,
          template: { spec: { restartPolicy: 'Never', containers: [container] } },
        },
      });
      await h.settle();
      expect(h.store.list(k().pod, 'default').items).toHaveLength(2);
      await step(5000);
      const job = h.store.get(k().job, 'default', 'j');
      expect(cond(job, 'Complete')?.status).toBe('True');
      expect(job?.status).toMatchObject({ succeeded: 3 });
      expect(h.store.list(k().pod, 'default').items).toHaveLength(3);
    });

    it('fails with BackoffLimitExceeded once failures pass backoffLimit', async () => {
      h.apply({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'j', namespace: 'default' },
        spec: {
          backoffLimit: 1,
          template: {
            metadata: { annotations: { 'sandbox.slipway.dev/exit-code': '1' } },
            spec: { restartPolicy: 'Never', containers: [container] },
          },
        },
      });
      await step(10_000);
      const job = h.store.get(k().job, 'default', 'j');
      expect(cond(job, 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
      expect(job?.status).toMatchObject({ failed: 2 });
    });
  });

  describe('PodDisruptionBudget status', () => {
    // The contract double serves only the kinds the other controllers need.
    it.runIf(storeKind === 'MemoryStore')(
      'counts healthy pods against minAvailable and maxUnavailable',
      async () => {
        h.apply({
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: { name: 'web', namespace: 'default' },
          spec: {
            replicas: 3,
            selector: { matchLabels: { app: 'web' } },
            template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } },
          },
        });
        h.apply({
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name: 'min', namespace: 'default' },
          spec: { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } },
        });
        h.apply({
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name: 'max', namespace: 'default' },
          spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'web' } } },
        });
        await step(2000);
        const pdb = (n: string) =>
          h.store.get(h.store.typeFor('policy/v1', 'PodDisruptionBudget')!, 'default', n) as KubeObject;
        expect(pdb('min').status).toMatchObject({
          expectedPods: 3,
          currentHealthy: 3,
          desiredHealthy: 2,
          disruptionsAllowed: 1,
          observedGeneration: 1,
        });
        expect(cond(pdb('min'), 'DisruptionAllowed')).toMatchObject({
          status: 'True',
          reason: 'SufficientPods',
        });
        expect(pdb('max').status).toMatchObject({ desiredHealthy: 3, disruptionsAllowed: 0 });
        expect(cond(pdb('max'), 'DisruptionAllowed')).toMatchObject({
          status: 'False',
          reason: 'InsufficientPods',
        });
      },
    );
  });

  describe('Job deadlines', () => {
    it('fails at activeDeadlineSeconds and is deleted ttlSecondsAfterFinished later', async () => {
      h.apply({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'j', namespace: 'default' },
        spec: {
          activeDeadlineSeconds: 5,
          ttlSecondsAfterFinished: 10,
          template: {
            metadata: { annotations: { 'sandbox.slipway.dev/run-seconds': '60' } },
            spec: { restartPolicy: 'Never', containers: [container] },
          },
        },
      });
      await step(4000);
      expect(cond(h.store.get(k().job, 'default', 'j'), 'Failed')).toBeUndefined();
      await step(2000);
      expect(cond(h.store.get(k().job, 'default', 'j'), 'Failed')).toMatchObject({
        status: 'True',
        reason: 'DeadlineExceeded',
      });
      expect(
        h.store.list(k().pod, 'default').items.filter((p) => !p.metadata.deletionTimestamp),
      ).toHaveLength(0);
      await step(11_000);
      expect(h.store.get(k().job, 'default', 'j')).toBeUndefined();
    });
  });

  describe('CronJob controller', () => {
    it('creates a Job at each scheduled minute and keeps the history limit', async () => {
      h.apply({
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'tick', namespace: 'default' },
        spec: {
          schedule: '* * * * *',
          successfulJobsHistoryLimit: 2,
          jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [container] } } } },
        },
      });
      await h.settle();
      expect(h.store.list(k().job, 'default').items).toHaveLength(0);
      await step(31_000);
      const first = h.store.list(k().job, 'default').items;
      expect(first.map((j) => j.metadata.name)).toEqual([
        `tick-${Date.parse('2026-01-01T00:01:00Z') / 60_000}`,
      ]);
      expect(h.store.get(k().cronJob, 'default', 'tick')?.status).toMatchObject({
        lastScheduleTime: '2026-01-01T00:01:00Z',
      });
      for (let i = 0; i < 4; i++) await step(60_000);
      const jobs = h.store.list(k().job, 'default').items.filter((j) => !j.metadata.deletionTimestamp);
      expect(jobs.filter((j) => cond(j, 'Complete')?.status === 'True').length).toBeLessThanOrEqual(2);
      expect(h.store.get(k().cronJob, 'default', 'tick')?.status).toMatchObject({
        lastScheduleTime: '2026-01-01T00:05:00Z',
      });
    });
  });

  describe('CronJob concurrency', () => {
    const cron = (policy: string): KubeObject => ({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'slow', namespace: 'default' },
      spec: {
        schedule: '* * * * *',
        concurrencyPolicy: policy,
        jobTemplate: {
          spec: {
            template: {
              metadata: { annotations: { 'sandbox.slipway.dev/run-seconds': '150' } },
              spec: { restartPolicy: 'Never', containers: [container] },
            },
          },
        },
      },
    });
    const liveJobs = () =>
      h.store.list(k().job, 'default').items.filter((j) => !j.metadata.deletionTimestamp);

    it('Forbid skips a run while the previous Job is still active', async () => {
      h.apply(cron('Forbid'));
      for (let i = 0; i < 3; i++) await step(60_000);
      // The first Job (01:00) runs 150 s, so 02:00 and 03:00 are skipped.
      expect(liveJobs().map((j) => j.metadata.name)).toEqual([
        `slow-${Date.parse('2026-01-01T00:01:00Z') / 60_000}`,
      ]);
      expect(h.store.get(k().cronJob, 'default', 'slow')?.status).toMatchObject({
        active: [{ kind: 'Job' }],
        lastScheduleTime: '2026-01-01T00:01:00Z',
      });
    });

    it('Replace deletes the running Job when the next one is due', async () => {
      h.apply(cron('Replace'));
      for (let i = 0; i < 3; i++) await step(60_000);
      const jobs = liveJobs();
      expect(jobs).toHaveLength(1);
      expect(jobs[0]?.metadata.name).toBe(`slow-${Date.parse('2026-01-01T00:03:00Z') / 60_000}`);
    });

    it('Allow runs them side by side', async () => {
      h.apply(cron('Allow'));
      for (let i = 0; i < 3; i++) await step(60_000);
      expect(liveJobs()).toHaveLength(3);
    });
  });

  describe('StatefulSet controller', () => {
    it('creates ordinals in order, each after the previous is ready, with bound PVCs', async () => {
      h.apply({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'db', namespace: 'default' },
        spec: {
          replicas: 3,
          serviceName: 'db',
          selector: { matchLabels: { app: 'db' } },
          template: {
            metadata: { labels: { app: 'db' } },
            spec: { containers: [{ ...container, volumeMounts: [{ name: 'data', mountPath: '/data' }] }] },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          ],
        },
      });
      await h.settle();
      expect(h.store.list(k().pod, 'default').items.map((p) => p.metadata.name)).toEqual(['db-0']);
      await step(2000);
      expect(h.store.list(k().pod, 'default').items.map((p) => p.metadata.name)).toEqual([
        'db-0',
        'db-1',
        'db-2',
      ]);
      const pvc = h.store.get(k().pvc, 'default', 'data-db-1') as KubeObject;
      expect(pvc.status).toMatchObject({ phase: 'Bound', capacity: { storage: '1Gi' } });
      const pv = h.store.get(
        k().pv,
        undefined,
        (pvc.spec as { volumeName: string }).volumeName,
      ) as KubeObject;
      expect(existsSync((pv.spec as { hostPath: { path: string } }).hostPath.path)).toBe(true);
      const st = h.store.get(k().statefulSet, 'default', 'db')?.status as {
        readyReplicas: number;
        currentRevision: string;
        updateRevision: string;
      };
      expect(st.readyReplicas).toBe(3);
      expect(st.currentRevision).toBe(st.updateRevision);
      // Scale down removes the highest ordinal first.
      const sts = h.store.get(k().statefulSet, 'default', 'db') as KubeObject;
      h.store.update({ ...sts, spec: { ...(sts.spec as object), replicas: 1 } });
      await step(2000);
      expect(h.store.list(k().pod, 'default').items.map((p) => p.metadata.name)).toEqual(['db-0']);
    });

    it('with minReadySeconds, counts and waits for available pods, not just ready ones', async () => {
      const sts = (image: string): KubeObject => ({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'bot', namespace: 'default' },
        spec: {
          replicas: 2,
          minReadySeconds: 10,
          serviceName: 'bot',
          selector: { matchLabels: { app: 'bot' } },
          updateStrategy: { type: 'RollingUpdate' },
          template: { metadata: { labels: { app: 'bot' } }, spec: { containers: [{ ...container, image }] } },
        },
      });
      const names = () => h.store.list(k().pod, 'default').items.map((p) => p.metadata.name);
      const st = () =>
        h.store.get(k().statefulSet, 'default', 'bot')?.status as {
          readyReplicas?: number;
          availableReplicas?: number;
          currentRevision?: string;
          updateRevision?: string;
        };
      const revision = (name: string) =>
        h.store.get(k().pod, 'default', name)?.metadata.labels?.['controller-revision-hash'];
      h.apply(sts('busybox:1'));
      await h.settle();
      await step(2000);
      // bot-0 is ready but not yet available: bot-1 waits.
      expect(names()).toEqual(['bot-0']);
      expect(st()).toMatchObject({ readyReplicas: 1, availableReplicas: 0 });
      // Nothing happens to the pod when it becomes available: the controller looks again by itself.
      await step(10_000);
      expect(st().availableReplicas).toBe(1);
      expect(names()).toEqual(['bot-0', 'bot-1']);
      await step(12_000);
      expect(st()).toMatchObject({ readyReplicas: 2, availableReplicas: 2 });
      const first = revision('bot-0');
      // A template change rolls bot-1 first; bot-0 goes only once the new bot-1 is available.
      h.apply(sts('busybox:2'));
      await step(4000);
      expect(revision('bot-1')).not.toBe(first);
      expect(st()).toMatchObject({ readyReplicas: 2, availableReplicas: 1 });
      expect(revision('bot-0')).toBe(first);
      await step(12_000);
      expect(revision('bot-0')).not.toBe(first);
      await step(12_000);
      expect(st()).toMatchObject({ readyReplicas: 2, availableReplicas: 2 });
      expect(st().currentRevision).toBe(st().updateRevision);
    });
  });

  describe('PersistentVolumeClaim protection', () => {
    it('a claim deleted while a pod uses it keeps its volume directory until the pod is gone', async () => {
      h.apply({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'scratch', namespace: 'default' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      });
      h.apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'user', namespace: 'default' },
        spec: {
          containers: [{ name: 'c', image: 'app:1' }],
          volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'scratch' } }],
        },
      });
      await step(2000);
      const claim = h.store.get(k().pvc, 'default', 'scratch') as KubeObject;
      const volume = (claim.spec as { volumeName: string }).volumeName;
      const dir = (h.store.get(k().pv, undefined, volume)?.spec as { hostPath: { path: string } }).hostPath
        .path;
      h.store.delete(k().pvc, 'default', 'scratch');
      await step(2000);
      expect(h.store.get(k().pvc, 'default', 'scratch')).toBeUndefined();
      expect(existsSync(dir)).toBe(true);
      expect(h.store.get(k().pv, undefined, volume)).toBeDefined();
      h.store.delete(k().pod, 'default', 'user', { gracePeriodSeconds: 0 });
      await step(2000);
      expect(h.store.get(k().pv, undefined, volume)).toBeUndefined();
      expect(existsSync(dir)).toBe(false);
    });
  });

  describe('DaemonSet controller', () => {
    it('runs one pod on the sandbox node and replaces it on a template change', async () => {
      const ds = (image: string): KubeObject => ({
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent', namespace: 'default' },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image }] } },
        },
      });
      h.apply(ds('agent:1'));
      await step(2000);
      expect(h.store.get(k().daemonSet, 'default', 'agent')?.status).toMatchObject({
        desiredNumberScheduled: 1,
        numberReady: 1,
        updatedNumberScheduled: 1,
      });
      h.apply(ds('agent:2'));
      await step(2000);
      const pods = h.store.list(k().pod, 'default').items;
      expect(pods).toHaveLength(1);
      expect((pods[0]?.spec as { containers: { image: string }[] }).containers[0]?.image).toBe('agent:2');
    });
  });
});
