/**
 * A progress deadline for the kinds Kubernetes gives none (StatefulSets, DaemonSets): the wait fails
 * when the status has not moved for deploy.progressDeadline, and every move starts the count anew.
 * A Deployment is left to its own controller's ProgressDeadlineExceeded.
 */
import type { KubeObject } from '@slipway/kube';
import { describe, expect, it } from 'vitest';
import { MemoryCluster } from '../../src/cluster/memory.js';
import { ManualClock } from '../../src/engine/clock.js';
import { RolloutFailed, waitForRollouts } from '../../src/engine/rollout.js';

const ref = { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'bot', name: 'bot' };

async function stuckStatefulSet(cluster: MemoryCluster): Promise<KubeObject> {
  await cluster.create({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'bot', namespace: 'bot' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'bot' } } },
  });
  const sts = (await cluster.get<KubeObject>(ref))!;
  return cluster.replace({
    ...sts,
    status: {
      observedGeneration: sts.metadata.generation,
      replicas: 1,
      readyReplicas: 0,
      currentRevision: 'bot-1',
      updateRevision: 'bot-2',
    },
  });
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('a progress deadline for StatefulSets', () => {
  it('fails the wait once the status stood still for the deadline, naming it', async () => {
    const cluster = new MemoryCluster({ namespace: 'bot' });
    const clock = new ManualClock();
    await stuckStatefulSet(cluster);
    const stop = new AbortController();
    const waiting = waitForRollouts(cluster, [ref], stop.signal, { progressDeadlineMs: 60_000, clock });
    const outcome = waiting.then(
      () => 'completed',
      (e: unknown) => e,
    );
    await settle();
    await clock.advance(59_000);
    await settle();
    expect(await Promise.race([outcome, settle().then(() => 'waiting')])).toBe('waiting');
    await clock.advance(1_000);
    const err = await outcome;
    expect(err).toBeInstanceOf(RolloutFailed);
    expect((err as Error).message).toMatch(
      /^StatefulSet bot made no progress for 60s \(deploy.progressDeadline/,
    );
    stop.abort();
  });

  it('a status that moves starts the count anew; completion ends the wait', async () => {
    const cluster = new MemoryCluster({ namespace: 'bot' });
    const clock = new ManualClock();
    const sts = await stuckStatefulSet(cluster);
    const stop = new AbortController();
    const outcome = waitForRollouts(cluster, [ref], stop.signal, { progressDeadlineMs: 60_000, clock }).then(
      () => 'completed',
      (e: unknown) => e,
    );
    await settle();
    await clock.advance(50_000);
    await settle();
    const moved = await cluster.replace({ ...sts, status: { ...(sts.status as object), readyReplicas: 1 } });
    await settle();
    await clock.advance(50_000);
    await settle();
    expect(await Promise.race([outcome, settle().then(() => 'waiting')])).toBe('waiting');
    await cluster.replace({
      ...moved,
      status: {
        observedGeneration: moved.metadata.generation,
        replicas: 1,
        readyReplicas: 1,
        updatedReplicas: 1,
        currentReplicas: 1,
        currentRevision: 'bot-2',
        updateRevision: 'bot-2',
      },
    });
    expect(await outcome).toBe('completed');
    stop.abort();
  });
});
