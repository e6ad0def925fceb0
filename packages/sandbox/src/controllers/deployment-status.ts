/**
 * Deployment status and conditions (sync.go calculateStatus/syncDeploymentStatus, progress.go
 * syncRolloutStatus): replica counts summed over the ReplicaSets, Available from maxUnavailable,
 * Progressing refreshed on progress and turned False/ProgressDeadlineExceeded once
 * progressDeadlineSeconds pass without any. These are exactly what `kubectl rollout status`
 * (polymorphichelpers/rollout_status.go) and `kubectl wait --for=condition=Available` read.
 */
import { type KubeObject, rfc3339 } from '@slipway/kube';
import { REVISION, revisionOf, type DeploymentSpec } from './deployment-util.js';
import type { LoopContext } from './loop.js';
import { getCondition, setCondition, spec, status, type Condition, type Kinds } from './objects.js';

interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  collisionCount?: number;
  conditions?: Condition[];
}

function counts(rs: KubeObject | undefined) {
  const st = status<{ replicas?: number; readyReplicas?: number; availableReplicas?: number }>(
    rs ?? ({} as KubeObject),
  );
  return {
    replicas: st.replicas ?? 0,
    ready: st.readyReplicas ?? 0,
    available: st.availableReplicas ?? 0,
    desired: (rs && spec<{ replicas?: number }>(rs).replicas) ?? 0,
  };
}

/** DeploymentComplete, judged on the ReplicaSets' current status. */
export function deploymentComplete(d: KubeObject, replicas: number, newRS: KubeObject | undefined): boolean {
  const n = counts(newRS);
  return (
    !!newRS &&
    n.replicas === replicas &&
    n.available === replicas &&
    n.desired === replicas &&
    !d.metadata.deletionTimestamp
  );
}

export function syncDeploymentStatus(
  ctx: LoopContext,
  k: Kinds,
  d: KubeObject,
  newRS: KubeObject | undefined,
  olds: KubeObject[],
  info: { created: boolean; maxUnavailable: number },
): number | undefined {
  const ds = spec<DeploymentSpec>(d);
  const replicas = ds.replicas ?? 1;
  const now = ctx.clock.now();
  const nowText = rfc3339(now);
  const all = [newRS, ...olds].filter((x): x is KubeObject => !!x).map(counts);
  const old = status<DeploymentStatus>(d);
  const next: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: all.reduce((n, c) => n + c.replicas, 0),
    updatedReplicas: counts(newRS).replicas,
    readyReplicas: all.reduce((n, c) => n + c.ready, 0),
    availableReplicas: all.reduce((n, c) => n + c.available, 0),
    ...(old.collisionCount ? { collisionCount: old.collisionCount } : {}),
  };
  next.unavailableReplicas = Math.max(
    0,
    all.reduce((n, c) => n + c.desired, 0) - (next.availableReplicas ?? 0),
  );
  let conditions = [...(old.conditions ?? [])];
  const available = (next.availableReplicas ?? 0) >= replicas - info.maxUnavailable;
  conditions = setCondition(
    conditions,
    available
      ? {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        }
      : {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
        },
    nowText,
    { updateTime: true },
  );

  let recheckMs: number | undefined;
  const rsName = newRS?.metadata.name ?? '';
  const progressing = getCondition(conditions, 'Progressing');
  const deadline = ds.progressDeadlineSeconds;
  if (ds.paused) {
    if (progressing?.reason !== 'DeploymentPaused')
      conditions = setProgressing(conditions, 'Unknown', 'DeploymentPaused', 'Deployment is paused', nowText);
  } else if (deadline !== undefined && deadline !== null) {
    const complete =
      next.updatedReplicas === replicas &&
      next.replicas === replicas &&
      next.availableReplicas === replicas &&
      (next.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
    const oldReplicasBefore = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
    const oldReplicasNow = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
    const madeProgress =
      (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
      oldReplicasNow < oldReplicasBefore ||
      (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
      (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
    if (complete) {
      conditions = setProgressing(
        conditions,
        'True',
        'NewReplicaSetAvailable',
        `ReplicaSet "${rsName}" has successfully progressed.`,
        nowText,
      );
    } else if (info.created) {
      conditions = setProgressing(
        conditions,
        'True',
        'NewReplicaSetCreated',
        `Created new replica set "${rsName}"`,
        nowText,
      );
    } else if (progressing?.reason === 'DeploymentPaused' || !progressing) {
      conditions = setProgressing(
        conditions,
        'True',
        progressing ? 'DeploymentResumed' : 'FoundNewReplicaSet',
        progressing ? 'Deployment is resumed' : `Found new replica set "${rsName}"`,
        nowText,
      );
    } else if (
      madeProgress ||
      (progressing.reason === 'NewReplicaSetAvailable' && progressing.status === 'True')
    ) {
      // A new rollout (or any progress) restarts the clock (progress.go: ReplicaSetUpdated).
      conditions = setProgressing(
        conditions,
        'True',
        'ReplicaSetUpdated',
        `ReplicaSet "${rsName}" is progressing.`,
        nowText,
        madeProgress,
      );
    } else if (progressing.reason !== 'ProgressDeadlineExceeded') {
      const since = Date.parse(progressing.lastUpdateTime ?? progressing.lastTransitionTime ?? nowText);
      const left = since + deadline * 1000 - now.getTime();
      if (left < 0)
        conditions = setProgressing(
          conditions,
          'False',
          'ProgressDeadlineExceeded',
          `ReplicaSet "${rsName}" has timed out progressing.`,
          nowText,
        );
      else recheckMs = left + 1000;
    }
    const p = getCondition(conditions, 'Progressing');
    if (!complete && p?.status === 'True') {
      // requeueStuckDeployment: look again when the deadline would pass.
      const since = Date.parse(p.lastUpdateTime ?? nowText);
      recheckMs = Math.max(1, since + deadline * 1000 - now.getTime() + 1000);
    }
  }
  next.conditions = conditions;
  for (const f of [
    'readyReplicas',
    'availableReplicas',
    'unavailableReplicas',
    'updatedReplicas',
    'replicas',
  ] as const)
    if (next[f] === 0) delete next[f];

  let current = d;
  const revision = newRS ? String(revisionOf(newRS)) : undefined;
  if (revision && revision !== '0' && d.metadata.annotations?.[REVISION] !== revision) {
    current = ctx.store.update({
      ...d,
      metadata: { ...d.metadata, annotations: { ...(d.metadata.annotations ?? {}), [REVISION]: revision } },
    });
  }
  ctx.store.update({ ...current, status: next }, { subresource: 'status' });
  return recheckMs;
}

function setProgressing(
  conditions: Condition[],
  st: Condition['status'],
  reason: string,
  message: string,
  now: string,
  refresh = false,
): Condition[] {
  const current = getCondition(conditions, 'Progressing');
  const c: Condition = {
    type: 'Progressing',
    status: st,
    reason,
    message,
    lastUpdateTime: now,
    lastTransitionTime: current && current.status === st ? (current.lastTransitionTime ?? now) : now,
  };
  // The condition stays put when nothing changes, so its lastUpdateTime keeps counting toward the deadline.
  if (
    !refresh &&
    current &&
    current.status === st &&
    current.reason === reason &&
    current.message === message
  )
    return conditions;
  return [...conditions.filter((x) => x.type !== 'Progressing'), c];
}
