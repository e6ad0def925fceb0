/**
 * Failing fast on a new version's pods, as werf does with kubedog: a rollout whose new pods crash,
 * cannot pull their image or cannot be created never completes, and waiting for the progress
 * deadline (10 minutes by default) only keeps the broken version half-rolled out. A new pod that
 * failed more than `allowed` times (deploy.failuresAllowedPerReplica, werf's
 * `failures-allowed-per-replica`) ends the wait at once with what failed.
 *
 * What counts as one failure, read from the pod's status as any kubelet writes it:
 * - a container restart (CrashLoopBackOff, OOMKilled, a non-zero exit): its restartCount;
 * - a failed image pull: each time a container enters ErrImagePull (the kubelet retries with back-off);
 * - errors that no retry mends (InvalidImageName, CreateContainerConfigError: Slipway applies every
 *   ConfigMap and Secret before the workloads, so a missing key is a mistake, not a race): fatal at once.
 * Only pods of the workload's current revision count (a Deployment's newest ReplicaSet, a
 * StatefulSet's updateRevision), so an old version's crash loop never fails a deploy that mends it.
 */
import type { KubeObject } from '@slipway/kube';
import type { Cluster } from '../cluster/cluster.js';

interface ContainerStatus {
  name: string;
  restartCount?: number;
  ready?: boolean;
  state?: {
    waiting?: { reason?: string; message?: string };
    terminated?: { reason?: string; exitCode?: number };
  };
  lastState?: { terminated?: { reason?: string; exitCode?: number } };
}

export interface Pod extends KubeObject {
  status?: {
    phase?: string;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

const FATAL = new Set(['InvalidImageName', 'CreateContainerConfigError', 'ErrImageNeverPull']);

/** A pod that failed too often, and why, in words a user acts on. */
export interface PodFailure {
  pod: string;
  container: string;
  reason: string;
  message?: string;
  failures: number;
}

/**
 * Counts failures per pod across the status updates it is shown (pull attempts are only visible
 * as transitions into ErrImagePull, so it remembers each container's last waiting reason).
 */
export class PodFailureCounter {
  private readonly lastReason = new Map<string, string | undefined>();
  private readonly pulls = new Map<string, number>();

  constructor(readonly allowed: number) {}

  /** The first container of `pod` past the allowance, if any. */
  observe(pod: Pod): PodFailure | undefined {
    const name = pod.metadata.name ?? '';
    for (const c of [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? []),
    ]) {
      const key = `${name}/${c.name}`;
      const waiting = c.state?.waiting;
      const reason = waiting?.reason;
      if (reason === 'ErrImagePull' && this.lastReason.get(key) !== 'ErrImagePull')
        this.pulls.set(key, (this.pulls.get(key) ?? 0) + 1);
      this.lastReason.set(key, reason);
      const failure = (failures: number, why: string): PodFailure => ({
        pod: name,
        container: c.name,
        reason: why,
        failures,
        ...(waiting?.message ? { message: waiting.message } : {}),
      });
      if (reason && FATAL.has(reason)) return failure(this.allowed + 1, reason);
      const pulls = this.pulls.get(key) ?? 0;
      if (pulls > this.allowed) return failure(pulls, reason ?? 'ErrImagePull');
      const restarts = c.restartCount ?? 0;
      if (restarts > this.allowed)
        return failure(
          restarts,
          c.lastState?.terminated?.reason === 'OOMKilled'
            ? 'OOMKilled'
            : (reason ?? c.lastState?.terminated?.reason ?? 'restarted'),
        );
    }
    return undefined;
  }
}

export function describePodFailure(f: PodFailure): string {
  const times =
    f.reason === 'InvalidImageName' ||
    f.reason === 'CreateContainerConfigError' ||
    f.reason === 'ErrImageNeverPull'
      ? ''
      : ` ${f.failures} times`;
  return `pod ${f.pod} container ${f.container}: ${f.reason}${times}${f.message ? ` (${f.message})` : ''}`;
}

/** The pods a workload's new revision runs: which of the workload's pods belong to it. */
export type CurrentRevision = (pod: Pod) => Promise<boolean>;

/**
 * Watches the pods that `selector` matches until one of the current revision fails more than
 * allowed; resolves with that failure. Runs until `signal` aborts (the rollout completed, or the
 * deploy's budget ran out), so callers race it against the rollout.
 */
export async function watchPodFailures(
  cluster: Cluster,
  namespace: string,
  selector: Record<string, string>,
  allowed: number,
  isCurrent: CurrentRevision,
  signal: AbortSignal,
): Promise<PodFailure> {
  const counter = new PodFailureCounter(allowed);
  const notCurrent = new Set<string>();
  for (;;) {
    const suspects = new Map<string, { pod: Pod; failure: PodFailure }>();
    await cluster.watchList<Pod>(
      { apiVersion: 'v1', kind: 'Pod', namespace },
      { labelSelector: selector },
      (pods) => {
        for (const pod of pods) {
          const uid = pod.metadata.uid ?? pod.metadata.name ?? '';
          const failure = counter.observe(pod);
          if (failure && !notCurrent.has(uid)) suspects.set(uid, { pod, failure });
        }
        return suspects.size > 0;
      },
      signal,
    );
    for (const [uid, { pod, failure }] of suspects) {
      if (await isCurrent(pod)) return failure;
      notCurrent.add(uid);
    }
  }
}
