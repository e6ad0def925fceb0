/**
 * When a workload's rollout is done, per kind, with `kubectl rollout status` semantics (kubectl
 * `polymorphichelpers/rollout_status.go`: DeploymentStatusViewer, StatefulSetStatusViewer,
 * DaemonSetStatusViewer), pure over the object. Each returns true when done, false while in
 * progress, and throws RolloutFailed when the controller declared it failed.
 */
import type { KubeObject } from '@slipway/kube';

export class RolloutFailed extends Error {
  constructor(
    readonly workload: string,
    message: string,
    /** True when a new pod's failures ended the wait (the message names the pod and why). */
    readonly podFailure = false,
  ) {
    super(message);
    this.name = 'RolloutFailed';
  }
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface Deployment extends KubeObject {
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: Condition[];
  };
}

export interface StatefulSet extends KubeObject {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: { matchLabels?: Record<string, string> };
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

export interface DaemonSet extends KubeObject {
  spec?: { selector?: { matchLabels?: Record<string, string> }; updateStrategy?: { type?: string } };
  status?: {
    observedGeneration?: number;
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
  };
}

/** The kinds a deploy waits for. */
export const ROLLOUT_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

export function deploymentComplete(d: Deployment | undefined): boolean {
  if (!d) return false;
  const status = d.status ?? {};
  if ((status.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) return false;
  const deadline = status.conditions?.find(
    (c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded',
  );
  if (deadline)
    throw new RolloutFailed(
      d.metadata.name ?? '',
      `Deployment ${d.metadata.name} exceeded its progress deadline: ${deadline.message ?? ''}`.trim(),
    );
  const wanted = d.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  if (updated < wanted) return false;
  if ((status.replicas ?? 0) > updated) return false;
  return (status.availableReplicas ?? 0) >= updated;
}

/**
 * kubectl's StatefulSetStatusViewer: observed, every replica ready, and (RollingUpdate) either the
 * partitioned share updated or currentRevision caught up with updateRevision. OnDelete has no
 * rollout to wait for (kubectl refuses it); the engine deletes the pods itself (see restore).
 * With minReadySeconds, every replica must also be available, which kubectl does not ask: its
 * viewer reads readyReplicas only, so the last pod of a rollout (ordinal 0) counts the moment it
 * is ready, and a version that crashes just after passing its probe would be reported deployed.
 * deploy.minReady promises that a rollout completes only on pods ready that long.
 */
export function statefulSetComplete(s: StatefulSet | undefined): boolean {
  if (!s) return false;
  const status = s.status ?? {};
  if ((status.observedGeneration ?? 0) < (s.metadata.generation ?? 0)) return false;
  const replicas = s.spec?.replicas ?? 1;
  if ((status.readyReplicas ?? 0) < replicas) return false;
  if ((s.spec?.minReadySeconds ?? 0) > 0 && (status.availableReplicas ?? 0) < replicas) return false;
  if (s.spec?.updateStrategy?.type === 'OnDelete') return true;
  const partition = s.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  if (partition > 0) return (status.updatedReplicas ?? 0) >= replicas - partition;
  return status.updateRevision !== undefined && status.updateRevision === status.currentRevision;
}

/** kubectl's DaemonSetStatusViewer: observed, every scheduled pod updated and available. */
export function daemonSetComplete(d: DaemonSet | undefined): boolean {
  if (!d) return false;
  const status = d.status ?? {};
  if ((status.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) return false;
  const desired = status.desiredNumberScheduled ?? 0;
  return (status.updatedNumberScheduled ?? 0) >= desired && (status.numberAvailable ?? 0) >= desired;
}

export function rolloutComplete(obj: KubeObject | undefined): boolean {
  if (!obj) return false;
  switch (obj.kind) {
    case 'StatefulSet':
      return statefulSetComplete(obj as StatefulSet);
    case 'DaemonSet':
      return daemonSetComplete(obj as DaemonSet);
    default:
      return deploymentComplete(obj as Deployment);
  }
}

/** The label selector of a workload's pods (matchLabels only, as render writes them). */
export function podSelector(obj: KubeObject | undefined): Record<string, string> | undefined {
  return (obj?.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector
    ?.matchLabels;
}
