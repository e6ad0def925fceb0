/** `kubectl rollout status` semantics per kind (polymorphichelpers/rollout_status.go), table-driven. */
import { describe, expect, it } from 'vitest';
import {
  daemonSetComplete,
  deploymentComplete,
  RolloutFailed,
  statefulSetComplete,
  type DaemonSet,
  type StatefulSet,
} from '../../src/engine/rollout-status.js';

const sts = (spec: StatefulSet['spec'], status: StatefulSet['status'], generation = 2): StatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', generation },
  spec,
  status,
});
const ds = (status: DaemonSet['status'], generation = 1): DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', generation },
  status,
});

describe('statefulSetComplete', () => {
  it.each([
    [
      'not observed yet',
      sts(
        { replicas: 2 },
        { observedGeneration: 1, readyReplicas: 2, currentRevision: 'a', updateRevision: 'a' },
      ),
      false,
    ],
    [
      'a replica not ready',
      sts(
        { replicas: 2 },
        { observedGeneration: 2, readyReplicas: 1, currentRevision: 'b', updateRevision: 'b' },
      ),
      false,
    ],
    [
      'revisions differ (pods still rolling)',
      sts(
        { replicas: 2 },
        { observedGeneration: 2, readyReplicas: 2, currentRevision: 'a', updateRevision: 'b' },
      ),
      false,
    ],
    [
      'current caught up with update',
      sts(
        { replicas: 2 },
        { observedGeneration: 2, readyReplicas: 2, currentRevision: 'b', updateRevision: 'b' },
      ),
      true,
    ],
    [
      'partition 1 of 3: two updated is done',
      sts(
        { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } },
        {
          observedGeneration: 2,
          readyReplicas: 3,
          updatedReplicas: 2,
          currentRevision: 'a',
          updateRevision: 'b',
        },
      ),
      true,
    ],
    [
      'partition 1 of 3: one updated is not',
      sts(
        { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } },
        {
          observedGeneration: 2,
          readyReplicas: 3,
          updatedReplicas: 1,
          currentRevision: 'a',
          updateRevision: 'b',
        },
      ),
      false,
    ],
    [
      'OnDelete: done once ready',
      sts(
        { replicas: 1, updateStrategy: { type: 'OnDelete' } },
        { observedGeneration: 2, readyReplicas: 1, currentRevision: 'a', updateRevision: 'b' },
      ),
      true,
    ],
    [
      'minReadySeconds: ready and caught up but not yet available is not done',
      sts(
        { replicas: 2, minReadySeconds: 2 },
        {
          observedGeneration: 2,
          readyReplicas: 2,
          availableReplicas: 1,
          currentRevision: 'b',
          updateRevision: 'b',
        },
      ),
      false,
    ],
    [
      'minReadySeconds: every replica available is done',
      sts(
        { replicas: 2, minReadySeconds: 2 },
        {
          observedGeneration: 2,
          readyReplicas: 2,
          availableReplicas: 2,
          currentRevision: 'b',
          updateRevision: 'b',
        },
      ),
      true,
    ],
  ])('%s', (_name, obj, done) => {
    expect(statefulSetComplete(obj)).toBe(done);
  });
});

describe('daemonSetComplete', () => {
  it.each([
    [
      'not observed',
      ds({ observedGeneration: 0, desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberAvailable: 1 }),
      false,
    ],
    [
      'not all updated',
      ds({ observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 1, numberAvailable: 2 }),
      false,
    ],
    [
      'updated but not available',
      ds({ observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 1 }),
      false,
    ],
    [
      'all updated and available',
      ds({ observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 }),
      true,
    ],
  ])('%s', (_name, obj, done) => {
    expect(daemonSetComplete(obj)).toBe(done);
  });
});

describe('deploymentComplete', () => {
  it('a progress deadline is a failure, not a wait', () => {
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', generation: 1 },
      status: {
        observedGeneration: 1,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "web-1" has timed out progressing.',
          },
        ],
      },
    };
    expect(() => deploymentComplete(d)).toThrow(RolloutFailed);
  });
});
