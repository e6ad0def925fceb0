/**
 * PodDisruptionBudget status (pkg/controller/disruption/disruption.go): expectedPods,
 * currentHealthy (Ready pods), desiredHealthy from minAvailable (percent of expected, rounded up)
 * or expected − maxUnavailable (percent rounded up), disruptionsAllowed and the DisruptionAllowed
 * condition. Nothing evicts pods in the sandbox; the status is there for `kubectl get pdb` and tools
 * that read it.
 */
import { type KubeObject, rfc3339, selectorFromLabelSelector, type LabelSelector } from '@slipway/kube';
import { scaledValue } from './deployment-util.js';
import { selfKey, type ControllerSpec, type LoopContext } from './loop.js';
import {
  isPodReady,
  isPodTerminal,
  setCondition,
  spec,
  splitKey,
  status,
  type Condition,
  type Kinds,
} from './objects.js';

interface PdbSpec {
  selector?: LabelSelector;
  minAvailable?: number | string;
  maxUnavailable?: number | string;
}

export function disruptionController(ctx: LoopContext, k: Kinds): ControllerSpec {
  const pdbType = ctx.store.typeFor('policy/v1', 'PodDisruptionBudget');
  if (!pdbType) return { name: 'disruption-controller', inputs: [], reconcile: () => undefined };
  // Which budgets a pod event concerns: every budget in its namespace (there are few).
  const budgetsFor = (pod: KubeObject): string[] =>
    ctx.store
      .list(pdbType, pod.metadata.namespace)
      .items.filter((b) => selectorFromLabelSelector(spec<PdbSpec>(b).selector).matches(pod.metadata.labels))
      .map((b) => `${b.metadata.namespace}/${b.metadata.name}`);
  return {
    name: 'disruption-controller',
    inputs: [
      { type: pdbType, keys: selfKey },
      { type: k.pod, keys: (e) => budgetsFor(e.object) },
    ],
    reconcile(key) {
      const { namespace, name } = splitKey(key);
      const pdb = ctx.store.get(pdbType, namespace, name);
      if (!pdb || pdb.metadata.deletionTimestamp) return;
      const s = spec<PdbSpec>(pdb);
      const hasSelector =
        !!s.selector &&
        (Object.keys(s.selector.matchLabels ?? {}).length > 0 ||
          (s.selector.matchExpressions ?? []).length > 0);
      const pods = hasSelector
        ? ctx.store
            .list(k.pod, namespace, { labelSelector: selectorFromLabelSelector(s.selector).toString() })
            .items.filter((p) => !isPodTerminal(p) && !p.metadata.deletionTimestamp)
        : [];
      const expected = pods.length;
      const healthy = pods.filter(isPodReady).length;
      const desired =
        s.maxUnavailable !== undefined
          ? Math.max(0, expected - scaledValue(s.maxUnavailable, expected, true, '0'))
          : scaledValue(s.minAvailable ?? 1, expected, true, '1');
      const allowed = Math.max(0, healthy - desired);
      const now = rfc3339(ctx.clock.now());
      const conditions = setCondition(
        [...(status<{ conditions?: Condition[] }>(pdb).conditions ?? [])],
        allowed > 0
          ? { type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '' }
          : { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '' },
        now,
      );
      ctx.store.update(
        {
          ...pdb,
          status: {
            observedGeneration: pdb.metadata.generation ?? 0,
            expectedPods: expected,
            currentHealthy: healthy,
            desiredHealthy: desired,
            disruptionsAllowed: allowed,
            conditions,
          },
        },
        { subresource: 'status' },
      );
    },
  };
}
