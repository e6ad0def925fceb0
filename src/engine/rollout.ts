/**
 * When a Deployment's rollout is done, with `kubectl rollout status` semantics
 * (kubectl `polymorphichelpers/rollout_status.go`): the controller has observed the latest
 * generation, every replica runs the new template and is available, and no old replica is left.
 * A Progressing condition with reason ProgressDeadlineExceeded is a failed rollout.
 */
import type { Cluster, KubeObject, ObjectRef } from '../cluster/cluster.js';
import { LinkedSignal } from './deadline.js';

export interface Deployment extends KubeObject {
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
  };
}

export class RolloutFailed extends Error {
  constructor(
    readonly deployment: string,
    message: string,
  ) {
    super(message);
    this.name = 'RolloutFailed';
  }
}

export function rolloutComplete(d: Deployment | undefined): boolean {
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

interface Pod extends KubeObject {
  status?: {
    containerStatuses?: Array<{
      name: string;
      ready?: boolean;
      state?: {
        waiting?: { reason?: string; message?: string };
        terminated?: { reason?: string; exitCode?: number };
      };
    }>;
  };
}

/** Why a Deployment's pods are not ready, in a few words per pod (ImagePullBackOff, CrashLoopBackOff, not ready). */
export async function diagnose(cluster: Cluster, ref: ObjectRef): Promise<string> {
  const d = await cluster.get<Deployment>(ref);
  const selector = d?.spec?.selector?.matchLabels;
  if (!selector) return '';
  const { items } = await cluster.list<Pod>(
    { apiVersion: 'v1', kind: 'Pod', namespace: ref.namespace },
    { labelSelector: selector },
  );
  const reasons = items.flatMap((pod) =>
    (pod.status?.containerStatuses ?? [])
      .filter((c) => !c.ready)
      .map(
        (c) =>
          `${pod.metadata.name}/${c.name}: ${c.state?.waiting?.reason ?? c.state?.terminated?.reason ?? 'not ready'}${c.state?.waiting?.message ? ` (${c.state.waiting.message})` : ''}`,
      ),
  );
  return reasons.slice(0, 5).join('; ');
}

/** Waits for every Deployment's rollout; rejects with RolloutFailed (deadline) or the signal's reason (timeout). */
export async function waitForRollouts(
  cluster: Cluster,
  refs: ObjectRef[],
  signal: AbortSignal,
): Promise<void> {
  // The first failure ends every other watch too, so no connection outlives the step.
  const done = new LinkedSignal([signal]);
  try {
    await Promise.all(refs.map((ref) => cluster.watch<Deployment>(ref, rolloutComplete, done.signal)));
  } finally {
    done.abort(new Error('the rollout wait ended'));
  }
}
