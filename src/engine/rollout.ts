/**
 * Waiting for workloads to roll out (Deployments, StatefulSets, DaemonSets; `rollout-status.ts`
 * decides per kind as `kubectl rollout status` does), failing fast on the new version's pods
 * (`pod-failures.ts`), and saying why pods are not ready when a wait ends without success.
 */
import type { KubeObject, ObjectRef } from '@slipway/kube';
import type { Cluster } from '../cluster/cluster.js';
import { systemClock, type Clock } from './clock.js';
import { LinkedSignal } from './deadline.js';
import { durationOr } from '../spec/duration.js';
import { FAILURES_ALLOWED_PER_REPLICA, PROGRESS_DEADLINE_SECONDS } from './defaults.js';
import { describePodFailure, watchPodFailures, type CurrentRevision, type Pod } from './pod-failures.js';
import {
  podSelector,
  RolloutFailed,
  rolloutComplete,
  type Deployment,
  type StatefulSet,
} from './rollout-status.js';

export { RolloutFailed, rolloutComplete, type Deployment } from './rollout-status.js';

/** The Deployment controller's revision annotation, on the Deployment and each of its ReplicaSets. */
const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
/** The StatefulSet (and DaemonSet) controller's label naming the ControllerRevision a pod runs. */
export const CONTROLLER_REVISION_LABEL = 'controller-revision-hash';

interface Event extends KubeObject {
  type?: string;
  reason?: string;
  message?: string;
  involvedObject?: { kind?: string; name?: string };
  lastTimestamp?: string;
  eventTime?: string;
}

/**
 * Why a Deployment's pods are not ready, in a few words per pod: the container's waiting or
 * terminated reason, or "not ready" with the pod's last Warning event (`Readiness probe failed:
 * HTTP probe failed with statuscode: 503`), as `kubectl describe pod` would show it.
 */
export async function diagnose(cluster: Cluster, ref: ObjectRef): Promise<string> {
  const selector = podSelector(await cluster.get<KubeObject>(ref));
  if (!selector) return '';
  const { items } = await cluster.list<Pod>(
    { apiVersion: 'v1', kind: 'Pod', namespace: ref.namespace },
    { labelSelector: selector },
  );
  const unready = items
    .filter((pod) => (pod.status?.containerStatuses ?? []).some((c) => !c.ready))
    .slice(0, 5);
  if (unready.length === 0) return '';
  const events = await cluster
    .list<Event>({ apiVersion: 'v1', kind: 'Event', namespace: ref.namespace })
    .catch(() => ({ items: [] as Event[] }));
  const lastWarning = (pod: string): Event | undefined =>
    events.items
      .filter(
        (e) => e.type === 'Warning' && e.involvedObject?.kind === 'Pod' && e.involvedObject.name === pod,
      )
      .sort((a, b) =>
        (a.lastTimestamp ?? a.eventTime ?? '').localeCompare(b.lastTimestamp ?? b.eventTime ?? ''),
      )
      .at(-1);
  return unready
    .flatMap((pod) =>
      (pod.status?.containerStatuses ?? [])
        .filter((c) => !c.ready)
        .map((c) => {
          const reason = c.state?.waiting?.reason ?? c.state?.terminated?.reason;
          if (reason && reason !== 'ContainerCreating')
            return `${pod.metadata.name}/${c.name}: ${reason}${c.state?.waiting?.message ? ` (${c.state.waiting.message})` : ''}`;
          const event = lastWarning(pod.metadata.name ?? '');
          return `${pod.metadata.name}/${c.name}: ${reason ?? 'not ready'}${event?.message ? ` (${event.reason ? `${event.reason}: ` : ''}${event.message})` : ''}`;
        }),
    )
    .join('; ');
}

/**
 * Which of a workload's pods run its current revision: a Deployment's are those of the ReplicaSet
 * whose revision annotation is the Deployment's; a StatefulSet's carry its updateRevision in their
 * controller-revision-hash label (the controllers' own bookkeeping, the same on any cluster).
 */
export function currentRevision(cluster: Cluster, ref: ObjectRef): CurrentRevision {
  if (ref.kind === 'StatefulSet') {
    return async (pod) => {
      const sts = await cluster.get<StatefulSet>(ref);
      const revision = sts?.status?.updateRevision;
      return revision !== undefined && pod.metadata.labels?.[CONTROLLER_REVISION_LABEL] === revision;
    };
  }
  if (ref.kind === 'DaemonSet') {
    // A DaemonSet's status names no revision: its pods' template generation must be the DaemonSet's generation.
    return async (pod) => {
      const ds = await cluster.get<KubeObject>(ref);
      return (
        ds?.metadata.generation !== undefined &&
        pod.metadata.labels?.['pod-template-generation'] === String(ds.metadata.generation)
      );
    };
  }
  return async (pod) => {
    const owner = pod.metadata.ownerReferences?.find((o) => o.controller && o.kind === 'ReplicaSet');
    if (!owner) return false;
    const [rs, d] = await Promise.all([
      cluster.get<KubeObject>({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        namespace: ref.namespace,
        name: owner.name,
      }),
      cluster.get<Deployment>(ref),
    ]);
    const revision = d?.metadata.annotations?.[REVISION_ANNOTATION];
    return revision !== undefined && rs?.metadata.annotations?.[REVISION_ANNOTATION] === revision;
  };
}

export interface RolloutWaitOptions {
  /** Failures a new pod may have before the rollout fails at once (deploy.failuresAllowedPerReplica). */
  failuresAllowed?: number;
  /**
   * deploy.progressDeadline, for the kinds whose controller has none (StatefulSets, DaemonSets; a
   * Deployment carries it as spec.progressDeadlineSeconds and its controller reports it): the wait
   * fails when their status has not moved for this long. Unset: no such deadline.
   */
  progressDeadlineMs?: number;
  clock?: Clock;
}

/** The wait options a deploy of `deploy` uses: its failures allowed and its progress deadline. */
export function rolloutOptions(
  deploy: { failuresAllowedPerReplica?: number; progressDeadline?: string },
  clock: Clock,
): RolloutWaitOptions {
  return {
    failuresAllowed: deploy.failuresAllowedPerReplica,
    progressDeadlineMs: durationOr(deploy.progressDeadline, PROGRESS_DEADLINE_SECONDS * 1000),
    clock,
  };
}

/** The status fields that move while a StatefulSet or DaemonSet rolls out. */
function progressOf(obj: KubeObject | undefined): string {
  const s = (obj as { status?: Record<string, unknown> } | undefined)?.status ?? {};
  return JSON.stringify(
    [
      'observedGeneration',
      'replicas',
      'readyReplicas',
      'updatedReplicas',
      'currentReplicas',
      'availableReplicas',
      'currentRevision',
      'updateRevision',
      'numberReady',
      'numberAvailable',
      'updatedNumberScheduled',
      'desiredNumberScheduled',
    ].map((k) => s[k] ?? null),
  );
}

/**
 * Kubernetes gives a Deployment a progress deadline and nothing else one (`kubectl rollout status`
 * waits for a stuck StatefulSet for ever): here a StatefulSet or DaemonSet whose status has not
 * moved for the deadline fails the wait the way a Deployment's ProgressDeadlineExceeded does.
 */
async function progressDeadline(
  cluster: Cluster,
  ref: ObjectRef,
  ms: number,
  clock: Clock,
  signal: AbortSignal,
): Promise<never> {
  let last: string | undefined;
  let since = clock.now().getTime();
  // The watch only records when the status last moved; it never resolves on its own.
  void cluster
    .watch<KubeObject>(
      ref,
      (obj) => {
        const now = progressOf(obj);
        if (now !== last) {
          last = now;
          since = clock.now().getTime();
        }
        return false;
      },
      signal,
    )
    .catch(() => undefined);
  for (;;) {
    const idle = clock.now().getTime() - since;
    if (idle >= ms) {
      throw new RolloutFailed(
        ref.name,
        `${ref.kind} ${ref.name} made no progress for ${Math.round(ms / 1000)}s (deploy.progressDeadline; Kubernetes gives only Deployments a progress deadline, Slipway applies it to every rollout it waits for)`,
      );
    }
    await clock.sleep(ms - idle, signal);
  }
}

/**
 * Waits for every workload's rollout; rejects with RolloutFailed (progress deadline, or a new pod
 * that crashed, failed to pull or could not be created more often than allowed) or with the signal's
 * reason (the deploy's budget).
 */
export async function waitForRollouts(
  cluster: Cluster,
  refs: ObjectRef[],
  signal: AbortSignal,
  opts: RolloutWaitOptions = {},
): Promise<void> {
  // The first failure ends every other watch too, so no connection outlives the step.
  const done = new LinkedSignal([signal]);
  const allowed = opts.failuresAllowed ?? FAILURES_ALLOWED_PER_REPLICA;
  const failFast = async (ref: ObjectRef): Promise<never> => {
    const selector = podSelector(await cluster.get<KubeObject>(ref));
    // Without a selector there is no pod to watch: the rollout watch alone decides.
    if (!selector) return new Promise<never>(() => undefined);
    const failure = await watchPodFailures(
      cluster,
      ref.namespace ?? cluster.namespace,
      selector,
      allowed,
      currentRevision(cluster, ref),
      done.signal,
    );
    throw new RolloutFailed(
      ref.name,
      `${ref.kind} ${ref.name}: a new pod failed more than ${allowed} times: ${describePodFailure(failure)}`,
      true,
    );
  };
  const stalled = (ref: ObjectRef): Promise<never> =>
    ref.kind === 'Deployment' || opts.progressDeadlineMs === undefined
      ? new Promise<never>(() => undefined)
      : progressDeadline(cluster, ref, opts.progressDeadlineMs, opts.clock ?? systemClock, done.signal);
  try {
    await Promise.all(
      refs.map((ref) =>
        Promise.race([
          cluster.watch<KubeObject>(ref, rolloutComplete, done.signal),
          failFast(ref),
          stalled(ref),
        ]),
      ),
    );
  } finally {
    done.abort(new Error('the rollout wait ended'));
  }
}
