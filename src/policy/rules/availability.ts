import { arr, get, num, obj, str } from '../access.js';
import { indexOf, type InputIndex } from '../index-set.js';
import { pdbSelects } from '../selectors.js';
import type { Manifest, Rule } from '../types.js';
import type { Workload } from '../workloads.js';
import { kindRule, workloadRule } from './define.js';

const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'Rollout']);

function hpaFor(index: InputIndex, w: Workload): Manifest | undefined {
  return index.autoscalerOf(w.manifest);
}

/** Replicas the workload runs with at least: spec.replicas (default 1), or the HPA's minReplicas (default 1). */
function minReplicas(index: InputIndex, w: Workload): number {
  const hpa = hpaFor(index, w);
  if (hpa) return num(get(hpa.body, 'spec', 'minReplicas')) ?? 1;
  return w.replicas ?? 1;
}

const pdbMissing = workloadRule(
  {
    id: 'avail-pdb-missing',
    title: 'No PodDisruptionBudget for a replicated workload',
    severity: 'warning',
    category: 'availability',
    checks:
      "A Deployment, StatefulSet, ReplicaSet or Rollout with more than one replica (spec.replicas, or its HPA's minReplicas) must be selected by a PodDisruptionBudget in the input.",
    rationale: 'Without a PDB a node drain may evict every replica at once.',
    remediation: 'Add a PodDisruptionBudget with maxUnavailable: 1 (or a percentage) selecting the pods.',
  },
  (w, ctx) => {
    if (!SCALABLE.has(w.manifest.ref.kind)) return [];
    const index = indexOf(ctx.manifests);
    const n = minReplicas(index, w);
    if (n <= 1 || index.pdbsSelecting(w).length > 0) return [];
    return [
      {
        manifest: w.manifest,
        path: w.replicas !== undefined ? ['spec', 'replicas'] : ['spec'],
        message: `${n} replicas but no PodDisruptionBudget selects the pods`,
      },
    ];
  },
);

function isZero(v: unknown): boolean {
  return v === 0 || v === '0' || v === '0%';
}

const pdbBlocks = kindRule(
  {
    id: 'avail-pdb-blocks-eviction',
    title: 'PodDisruptionBudget that allows no eviction',
    severity: 'error',
    category: 'availability',
    checks:
      "A PodDisruptionBudget must not set maxUnavailable 0 or 0%, minAvailable 100%, or a minAvailable (number, or percentage rounded up) at or above the replicas of the workloads it selects in its namespace; for an autoscaled workload the HPA's minReplicas counts, so a minAvailable above minReplicas is reported.",
    rationale:
      'Such a budget never allows a voluntary eviction, so node drains and cluster upgrades hang until someone deletes it.',
    remediation: 'Use maxUnavailable: 1, or a minAvailable below the replica count.',
  },
  ['PodDisruptionBudget'],
  (m, ctx) => {
    const spec = obj(m.body.spec) ?? {};
    if (isZero(spec.maxUnavailable))
      return [
        {
          manifest: m,
          path: ['spec', 'maxUnavailable'],
          message: 'maxUnavailable 0 allows no pod to be evicted',
        },
      ];
    const min = spec.minAvailable;
    if (min === '100%')
      return [
        {
          manifest: m,
          path: ['spec', 'minAvailable'],
          message: 'minAvailable 100% allows no pod to be evicted',
        },
      ];
    const percent = typeof min === 'string' ? /^(\d+)%$/.exec(min) : null;
    if (typeof min !== 'number' && !percent) return [];
    const index = indexOf(ctx.manifests);
    const ns = m.ref.namespace ?? 'default';
    const selected = index.workloads.filter(
      (w) =>
        w.namespace === ns &&
        SCALABLE.has(w.manifest.ref.kind) &&
        pdbSelects({ apiVersion: m.ref.apiVersion, selector: spec.selector }, w.labels),
    );
    if (selected.length === 0) return [];
    // At the fewest replicas the workloads run with (an HPA's minReplicas when one scales them).
    const total = selected.reduce((sum, w) => sum + minReplicas(index, w), 0);
    // The disruption controller scales a percentage up (intstr.GetScaledValueFromIntOrPercent, roundUp).
    const required = percent ? Math.ceil((Number(percent[1]) * total) / 100) : (min as number);
    const autoscaled = selected.some((w) => hpaFor(index, w) !== undefined);
    return required >= total
      ? [
          {
            manifest: m,
            path: ['spec', 'minAvailable'],
            message: `minAvailable ${String(min)} with ${total} selected replicas${autoscaled ? " (the HPA's minReplicas)" : ''} allows no pod to be evicted`,
          },
        ]
      : [];
  },
);

const pdbNoBudget = kindRule(
  {
    id: 'avail-pdb-no-budget',
    admission: {
      kinds: ['PodDisruptionBudget'],
      expression:
        "object.apiVersion != 'policy/v1' || (has(object.spec) && (has(object.spec.minAvailable) || has(object.spec.maxUnavailable)))",
      message: 'a PodDisruptionBudget must set minAvailable or maxUnavailable',
    },
    title: 'PodDisruptionBudget without a budget',
    severity: 'warning',
    category: 'availability',
    checks: 'A policy/v1 PodDisruptionBudget must set spec.minAvailable or spec.maxUnavailable.',
    rationale:
      'policy/v1 does not default either field (policy/v1beta1 defaulted minAvailable to 1): a budget with neither allows every pod to be evicted at once, while it looks like protection.',
    remediation: 'Set maxUnavailable: 1 (or a percentage), or minAvailable below the replica count.',
  },
  ['PodDisruptionBudget'],
  (m) => {
    const spec = obj(m.body.spec) ?? {};
    if (
      m.ref.apiVersion !== 'policy/v1' ||
      spec.minAvailable !== undefined ||
      spec.maxUnavailable !== undefined
    )
      return [];
    return [
      {
        manifest: m,
        path: ['spec'],
        message: 'sets neither minAvailable nor maxUnavailable: every selected pod may be evicted at once',
      },
    ];
  },
);

const spread = workloadRule(
  {
    id: 'avail-spread',
    // Reads the replicas an HPA of the input sets.
    crossObject: true,
    title: 'Replicas not spread across nodes',
    severity: 'warning',
    category: 'availability',
    checks:
      'A Deployment, StatefulSet, ReplicaSet or Rollout with more than one replica must set a non-empty topologySpreadConstraints list or a podAntiAffinity with at least one term (empty ones constrain nothing).',
    rationale:
      'The scheduler may otherwise place every replica on one node, which then takes the whole service down when it fails.',
    remediation:
      'Add topologySpreadConstraints on kubernetes.io/hostname (whenUnsatisfiable: ScheduleAnyway) or a preferred podAntiAffinity.',
  },
  (w, ctx) => {
    if (!SCALABLE.has(w.manifest.ref.kind)) return [];
    const n = minReplicas(indexOf(ctx.manifests), w);
    if (n <= 1) return [];
    const anti = get(w.podSpec, 'affinity', 'podAntiAffinity');
    const antiTerms =
      arr(get(anti, 'requiredDuringSchedulingIgnoredDuringExecution')).length +
      arr(get(anti, 'preferredDuringSchedulingIgnoredDuringExecution')).length;
    const spread = w.podSpec.topologySpreadConstraints;
    if (antiTerms > 0 || arr(spread).length > 0) return [];
    const empty = Array.isArray(spread) || anti !== undefined;
    return [
      {
        manifest: w.manifest,
        path: Array.isArray(spread)
          ? [...w.podSpecPath, 'topologySpreadConstraints']
          : [...w.podSpecPath, 'affinity'],
        message: empty
          ? `${n} replicas with an empty ${Array.isArray(spread) ? 'topologySpreadConstraints list' : 'podAntiAffinity'}, which constrains nothing`
          : `${n} replicas with neither podAntiAffinity nor topologySpreadConstraints`,
      },
    ];
  },
);

const hpaReplicas = workloadRule(
  {
    id: 'avail-hpa-fixed-replicas',
    title: 'spec.replicas set on an autoscaled workload',
    severity: 'warning',
    category: 'availability',
    checks: 'A workload targeted by a HorizontalPodAutoscaler in the input must not set spec.replicas.',
    rationale:
      'Every apply resets the replica count the HPA chose, scaling the workload down in the middle of a load peak.',
    remediation: 'Remove spec.replicas and let the HPA own it.',
  },
  (w, ctx) => {
    if (w.replicas === undefined) return [];
    const hpa = hpaFor(indexOf(ctx.manifests), w);
    return hpa
      ? [
          {
            manifest: w.manifest,
            path: ['spec', 'replicas'],
            message: `spec.replicas is set although HorizontalPodAutoscaler "${hpa.ref.name}" scales this ${w.manifest.ref.kind}`,
          },
        ]
      : [];
  },
);

const hpaTarget = kindRule(
  {
    id: 'avail-hpa-target-missing',
    title: 'HorizontalPodAutoscaler target not in the input',
    severity: 'warning',
    category: 'availability',
    checks:
      'spec.scaleTargetRef of a HorizontalPodAutoscaler must name a workload in the input (same namespace).',
    rationale: 'An HPA without a target does nothing; usually the name or kind has a typo.',
    remediation:
      'Fix scaleTargetRef.kind/name, or check it together with the manifests that define the target.',
  },
  ['HorizontalPodAutoscaler'],
  (m, ctx) => {
    const kind = str(get(m.body, 'spec', 'scaleTargetRef', 'kind'));
    const name = str(get(m.body, 'spec', 'scaleTargetRef', 'name'));
    if (!kind || !name) return [];
    return indexOf(ctx.manifests).find(kind, m.ref.namespace ?? 'default', name)
      ? []
      : [
          {
            manifest: m,
            path: ['spec', 'scaleTargetRef', 'name'],
            message: `scale target ${kind}/${name} is not in the input`,
          },
        ];
  },
);

export const AVAILABILITY_RULES: Rule[] = [
  pdbMissing,
  pdbBlocks,
  pdbNoBudget,
  spread,
  hpaReplicas,
  hpaTarget,
];
