/**
 * The DaemonSet controller for the sandbox's single node: one pod per DaemonSet, bound to
 * sandbox-node; a template change replaces it (RollingUpdate with maxUnavailable 1 on one node
 * means delete, then create). Status carries what `kubectl rollout status` reads for DaemonSets.
 */
import type { KubeObject, LabelSelector } from '@slipway/kube';
import { SANDBOX_NODE_NAME } from '../types.js';
import { computeHash } from './deployment-util.js';
import { syncControllerRevision } from './history.js';
import { ownerKey, selfKey, type ControllerSpec, type LoopContext } from './loop.js';
import { isPodActive, isPodAvailable, isPodReady, spec, splitKey, type Kinds, type Obj } from './objects.js';
import { ownedPods, podFromTemplate } from './replicaset.js';
import { REVISION_LABEL } from './statefulset.js';

interface DaemonSetSpec {
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  selector?: LabelSelector;
  updateStrategy?: { type?: string };
  template?: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: Obj;
  };
}

export function daemonSetController(ctx: LoopContext, k: Kinds): ControllerSpec {
  return {
    name: 'daemonset-controller',
    inputs: [
      { type: k.daemonSet, keys: selfKey },
      { type: k.pod, keys: ownerKey('DaemonSet') },
    ],
    reconcile(key) {
      const { namespace, name } = splitKey(key);
      const ds = ctx.store.get(k.daemonSet, namespace, name);
      if (!ds || ds.metadata.deletionTimestamp) return;
      const s = spec<DaemonSetSpec>(ds);
      const revision = computeHash(s.template);
      syncControllerRevision(ctx, ds, s.template, revision, s.revisionHistoryLimit ?? 10);
      let pods = ownedPods(ctx, k, ds, s.selector).filter(isPodActive);
      const current = pods.filter((p) => p.metadata.labels?.[REVISION_LABEL] === revision);
      const outdated = pods.filter((p) => p.metadata.labels?.[REVISION_LABEL] !== revision);
      if (outdated.length && s.updateStrategy?.type !== 'OnDelete') {
        for (const p of outdated) ctx.store.delete(k.pod, namespace, p.metadata.name as string);
      } else if (!pods.length) {
        // Both labels as the real controller sets them (apps.DaemonSetTemplateGenerationKey and the revision hash).
        const pod: KubeObject = podFromTemplate(
          ds,
          s.template,
          { generateName: `${name}-` },
          { [REVISION_LABEL]: revision, 'pod-template-generation': String(ds.metadata.generation ?? 1) },
        );
        (pod.spec as { nodeName?: string }).nodeName = SANDBOX_NODE_NAME;
        const created = ctx.store.create(pod);
        ctx.events?.record(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      }
      for (const p of current.slice(1)) ctx.store.delete(k.pod, namespace, p.metadata.name as string);
      pods = ownedPods(ctx, k, ds, s.selector).filter(isPodActive);
      const now = ctx.clock.now();
      ctx.store.update(
        {
          ...ds,
          status: {
            observedGeneration: ds.metadata.generation ?? 0,
            desiredNumberScheduled: 1,
            currentNumberScheduled: pods.length ? 1 : 0,
            numberMisscheduled: 0,
            numberReady: pods.filter(isPodReady).length,
            numberAvailable: pods.filter((p) => isPodAvailable(p, s.minReadySeconds ?? 0, now)).length,
            numberUnavailable: pods.filter((p) => isPodAvailable(p, s.minReadySeconds ?? 0, now)).length
              ? 0
              : 1,
            updatedNumberScheduled: pods.filter((p) => p.metadata.labels?.[REVISION_LABEL] === revision)
              .length,
          },
        },
        { subresource: 'status' },
      );
    },
  };
}
