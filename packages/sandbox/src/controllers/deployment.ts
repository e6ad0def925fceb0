/**
 * The Deployment controller (pkg/controller/deployment: sync.go, rolling.go, recreate.go,
 * progress.go). Each sync finds the new ReplicaSet (template equal ignoring pod-template-hash) or
 * creates `<name>-<hash>`, then does one step of the strategy (scale up the new RS or scale down
 * old ones), then recomputes status and conditions (deployment-status.ts).
 */
import { type KubeObject, selectorFromLabelSelector } from '@slipway/kube';
import { StoreError } from '../types.js';
import {
  DESIRED_REPLICAS,
  POD_TEMPLATE_HASH,
  computeHash,
  equalIgnoreHash,
  maxRevision,
  resolveFenceposts,
  revisionOf,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  type DeploymentSpec,
} from './deployment-util.js';
import { deploymentComplete, syncDeploymentStatus } from './deployment-status.js';
import { ownerKey, selfKey, type ControllerSpec, type LoopContext } from './loop.js';
import {
  claim,
  isControlledBy,
  ownerRefTo,
  spec,
  splitKey,
  status,
  type Kinds,
  type Obj,
} from './objects.js';

interface RsView {
  replicas: number;
  available: number;
  statusReplicas: number;
}

export function rsView(rs: KubeObject): RsView {
  const st = status<{ replicas?: number; availableReplicas?: number }>(rs);
  return {
    replicas: spec<{ replicas?: number }>(rs).replicas ?? 0,
    available: st.availableReplicas ?? 0,
    statusReplicas: st.replicas ?? 0,
  };
}

const byCreation = (a: KubeObject, b: KubeObject) =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
  (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

export function deploymentController(ctx: LoopContext, k: Kinds): ControllerSpec {
  const scale = (rs: KubeObject, replicas: number, d: KubeObject, maxSurge: number): KubeObject => {
    const next = structuredClone(rs);
    const from = rsView(rs).replicas;
    (next.spec as { replicas: number }).replicas = replicas;
    setReplicasAnnotations(d, next, maxSurge);
    const stored = ctx.store.update(next);
    // The message kubectl describe shows (deployment/sync.go scaleReplicaSet).
    if (from !== replicas)
      ctx.events?.record(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${replicas > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${replicas}`,
      );
    return stored;
  };

  return {
    name: 'deployment-controller',
    inputs: [
      { type: k.deployment, keys: selfKey },
      { type: k.replicaSet, keys: ownerKey('Deployment') },
    ],
    reconcile(key) {
      const { namespace, name } = splitKey(key);
      const d = ctx.store.get(k.deployment, namespace, name);
      if (!d || d.metadata.deletionTimestamp) return;
      const ds = spec<DeploymentSpec>(d);
      const all = claim(
        ctx.store,
        k.replicaSet,
        d,
        ctx.store.list(k.replicaSet, namespace, {
          labelSelector: selectorFromLabelSelector(ds.selector).toString(),
        }).items,
      ).sort(byCreation);
      let newRS = all.find((rs) => equalIgnoreHash(spec<DeploymentSpec>(rs).template, ds.template));
      const olds = all.filter((rs) => rs !== newRS);
      const { maxSurge, maxUnavailable } = resolveFenceposts(d);
      const replicas = ds.replicas ?? 1;
      let created = false;
      // isScalingEvent: an active RS was last sized for another deployment size.
      const scalingEvent = all.some(
        (rs) =>
          rsView(rs).replicas > 0 &&
          (rs.metadata.annotations?.[DESIRED_REPLICAS] ?? String(replicas)) !== String(replicas),
      );

      // Revision bookkeeping happens on every sync, rollouts or not (getNewReplicaSet).
      const newRevision = maxRevision(olds) + 1;
      if (newRS) {
        const copy = structuredClone(newRS);
        if (setNewReplicaSetAnnotations(d, copy, newRevision)) newRS = ctx.store.update(copy);
      } else if (!ds.paused) {
        newRS = createNewReplicaSet(d, ds, newRevision, maxSurge, all);
        created = true;
      }
      const active = () => [newRS, ...olds].filter((x): x is KubeObject => !!x);

      if (ds.paused) {
        // sync.go: a paused deployment only scales, and only the newest active RS.
        if (newRS && rsView(newRS).replicas !== replicas && olds.every((o) => rsView(o).replicas === 0))
          newRS = scale(newRS, replicas, d, maxSurge);
      } else if (ds.strategy?.type === 'Recreate') {
        recreateStep();
      } else if (scalingEvent && active().filter((x) => rsView(x).replicas > 0).length > 1) {
        proportionalScale();
      } else {
        rollingStep();
      }
      if (deploymentComplete(d, replicas, newRS) && !ds.paused) cleanup();
      return syncDeploymentStatus(ctx, k, d, newRS, olds, { created, maxUnavailable });

      function createNewReplicaSet(
        dep: KubeObject,
        s: DeploymentSpec,
        revision: number,
        surge: number,
        existing: KubeObject[],
      ): KubeObject {
        let collisions = status<{ collisionCount?: number }>(dep).collisionCount ?? 0;
        for (;;) {
          const hash = computeHash(s.template, collisions);
          const template = structuredClone(s.template ?? {});
          template.metadata = {
            ...(template.metadata ?? {}),
            labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash },
          };
          const rs: KubeObject = {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            metadata: {
              name: `${dep.metadata.name}-${hash}`,
              namespace: dep.metadata.namespace,
              labels: { ...(s.template?.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash },
              annotations: {},
              ownerReferences: [ownerRefTo(dep)],
            },
            spec: {
              replicas: 0,
              minReadySeconds: s.minReadySeconds ?? 0,
              selector: {
                ...(s.selector ?? {}),
                matchLabels: { ...(s.selector?.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash },
              },
              template,
            },
          };
          setNewReplicaSetAnnotations(dep, rs, revision);
          setReplicasAnnotations(dep, rs, surge);
          // Recreate starts the new RS at 0 and scales it once the old pods are gone.
          if (s.strategy?.type !== 'Recreate') {
            const current = existing.reduce((n, x) => n + rsView(x).replicas, 0);
            (rs.spec as { replicas: number }).replicas = Math.max(
              0,
              Math.min(replicas + surge - current, replicas),
            );
          }
          try {
            const created = ctx.store.create(rs);
            const n = rsView(created).replicas;
            if (n > 0)
              ctx.events?.record(
                dep,
                'Normal',
                'ScalingReplicaSet',
                `Scaled up replica set ${created.metadata.name} from 0 to ${n}`,
              );
            return created;
          } catch (e) {
            // A hash collision with an RS that is not ours: bump collisionCount (sync.go getNewReplicaSet).
            if (!(e instanceof StoreError && e.reason === 'AlreadyExists')) throw e;
            const other = ctx.store.get(k.replicaSet, dep.metadata.namespace, rs.metadata.name as string);
            if (
              other &&
              isControlledBy(other, dep) &&
              equalIgnoreHash(spec<DeploymentSpec>(other).template, s.template)
            )
              return other;
            collisions++;
            ctx.store.update(
              { ...dep, status: { ...status<Obj>(dep), collisionCount: collisions } },
              { subresource: 'status' },
            );
            dep = ctx.store.get(k.deployment, dep.metadata.namespace, dep.metadata.name as string) ?? dep;
          }
        }
      }

      /**
       * sync.go scale(): a resize in the middle of a rollout spreads the change over the active
       * ReplicaSets in proportion to their size (largest first; the rounding leftover goes to it),
       * keeping the total at replicas + maxSurge.
       */
      function proportionalScale(): void {
        const activeRS = active().filter((x) => rsView(x).replicas > 0);
        const current = activeRS.reduce((n, x) => n + rsView(x).replicas, 0);
        const allowed = replicas > 0 ? replicas + maxSurge : 0;
        const toAdd = allowed - current;
        const order = [...activeRS].sort(
          (a, b) =>
            (toAdd > 0 ? rsView(b).replicas - rsView(a).replicas : rsView(a).replicas - rsView(b).replicas) ||
            byCreation(b, a),
        );
        const sizes = new Map(order.map((x) => [x, rsView(x).replicas]));
        let added = 0;
        for (const x of order) {
          const share =
            toAdd > 0
              ? Math.min(toAdd - added, Math.round((rsView(x).replicas * toAdd) / current))
              : Math.max(toAdd - added, Math.round((rsView(x).replicas * toAdd) / current));
          sizes.set(x, rsView(x).replicas + share);
          added += share;
        }
        const first = order[0] as KubeObject;
        sizes.set(first, Math.max(0, (sizes.get(first) ?? 0) + toAdd - added));
        for (const x of activeRS) {
          const updated = scale(x, Math.max(0, sizes.get(x) ?? 0), d as KubeObject, maxSurge);
          if (x === newRS) newRS = updated;
          else olds[olds.indexOf(x)] = updated;
        }
      }

      function rollingStep(): void {
        if (!newRS) return;
        // reconcileNewReplicaSet (rolling.go / NewRSNewReplicas).
        const nv = rsView(newRS);
        if (nv.replicas > replicas) {
          newRS = scale(newRS, replicas, d as KubeObject, maxSurge);
          return;
        }
        if (nv.replicas < replicas) {
          const current = active().reduce((n, x) => n + rsView(x).replicas, 0);
          const maxTotal = replicas + maxSurge;
          if (current < maxTotal) {
            newRS = scale(
              newRS,
              nv.replicas + Math.min(maxTotal - current, replicas - nv.replicas),
              d as KubeObject,
              maxSurge,
            );
            return;
          }
        }
        // reconcileOldReplicaSets.
        const oldCount = olds.reduce((n, x) => n + rsView(x).replicas, 0);
        if (oldCount === 0) return;
        let allPods = active().reduce((n, x) => n + rsView(x).replicas, 0);
        const minAvailable = replicas - maxUnavailable;
        const newNow = rsView(newRS);
        let maxScaledDown = allPods - minAvailable - (newNow.replicas - newNow.available);
        if (maxScaledDown <= 0) return;
        // cleanupUnhealthyReplicas: old replicas that are not available go first, oldest RS first.
        for (let i = 0; i < olds.length && maxScaledDown > 0; i++) {
          const v = rsView(olds[i] as KubeObject);
          if (v.replicas === 0 || v.replicas === v.available) continue;
          const down = Math.min(maxScaledDown, v.replicas - v.available);
          olds[i] = scale(olds[i] as KubeObject, v.replicas - down, d as KubeObject, maxSurge);
          maxScaledDown -= down;
          allPods -= down;
        }
        // scaleDownOldReplicaSetsForRollingUpdate: keep minAvailable available pods.
        const available = active().reduce((n, x) => n + rsView(x).available, 0);
        if (available <= minAvailable) return;
        let budget = available - minAvailable;
        for (let i = 0; i < olds.length && budget > 0; i++) {
          const v = rsView(olds[i] as KubeObject);
          if (v.replicas === 0) continue;
          const down = Math.min(v.replicas, budget);
          olds[i] = scale(olds[i] as KubeObject, v.replicas - down, d as KubeObject, maxSurge);
          budget -= down;
        }
      }

      function recreateStep(): void {
        // recreate.go: scale every old RS to 0, wait until their pods are gone, then scale up the new one.
        let scaledDown = false;
        for (let i = 0; i < olds.length; i++) {
          if (rsView(olds[i] as KubeObject).replicas > 0) {
            olds[i] = scale(olds[i] as KubeObject, 0, d as KubeObject, maxSurge);
            scaledDown = true;
          }
        }
        if (scaledDown) return;
        const oldPodsRunning = ctx.store
          .list(k.pod, namespace, { labelSelector: selectorFromLabelSelector(ds.selector).toString() })
          .items.some((p) => olds.some((rs) => isControlledBy(p, rs)));
        if (oldPodsRunning || !newRS) return;
        if (rsView(newRS).replicas !== replicas) newRS = scale(newRS, replicas, d as KubeObject, maxSurge);
      }

      function cleanup(): void {
        // cleanupDeployment: drop the oldest fully scaled-down RSes beyond revisionHistoryLimit.
        const limit = ds.revisionHistoryLimit ?? 10;
        const dead = olds.filter(
          (rs) =>
            rsView(rs).replicas === 0 && rsView(rs).statusReplicas === 0 && !rs.metadata.deletionTimestamp,
        );
        dead.sort((a, b) => revisionOf(a) - revisionOf(b));
        for (const rs of dead.slice(0, Math.max(0, dead.length - limit))) {
          try {
            ctx.store.delete(k.replicaSet, namespace, rs.metadata.name as string);
          } catch {
            // Already gone.
          }
        }
      }
    },
  };
}
