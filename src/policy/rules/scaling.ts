import { get, num, obj, str } from '../access.js';
import { indexOf } from '../index-set.js';
import type { Manifest, Rule } from '../types.js';
import { workloadOf } from '../workloads.js';
import { kindRule, workloadRule } from './define.js';

/** Replica counts, rollout strategy and autoscaler bounds: how many pods survive a disruption or a rollout. */

/** The fewest replicas a service should run with to survive losing one pod (kube-score and Polaris use 2). */
export const MIN_REPLICAS = 2;

function autoscaler(manifests: readonly Manifest[], m: Manifest): Manifest | undefined {
  return indexOf(manifests).autoscalerOf(m);
}

const minReplicas = workloadRule(
  {
    id: 'avail-min-replicas',
    title: 'Fewer than two replicas',
    severity: 'info',
    category: 'availability',
    checks: `A Deployment or StatefulSet not scaled by a HorizontalPodAutoscaler must run at least ${MIN_REPLICAS} replicas (spec.replicas defaults to 1).`,
    rationale:
      'With one replica every rollout, node drain or crash is an outage. Info, because development environments often run one on purpose.',
    remediation: `Set spec.replicas to ${MIN_REPLICAS} or more, or scale it with an HPA whose minReplicas is at least ${MIN_REPLICAS}.`,
  },
  (w, ctx) => {
    const kind = w.manifest.ref.kind;
    if (kind !== 'Deployment' && kind !== 'StatefulSet') return [];
    const n = w.replicas ?? 1;
    if (n >= MIN_REPLICAS || autoscaler(ctx.manifests, w.manifest)) return [];
    return [
      {
        manifest: w.manifest,
        path: ['spec', 'replicas'],
        message: `${n} replica${n === 1 ? '' : 's'}${w.replicas === undefined ? ' (spec.replicas defaults to 1)' : ''}: a rollout or node failure is an outage`,
      },
    ];
  },
);

const strategy = kindRule(
  {
    id: 'avail-deployment-strategy',
    title: 'Deployment behind a Service replaced all at once',
    severity: 'warning',
    category: 'availability',
    checks:
      'A Deployment whose pods a Service in the input selects must use the RollingUpdate strategy (the default), and its rollingUpdate must not allow every replica to be unavailable (maxUnavailable 100%, or a number at or above spec.replicas).',
    rationale:
      'Recreate (or an unbounded maxUnavailable) stops every old pod before new ones are ready: the Service has no endpoints during each rollout.',
    remediation:
      'Use strategy.type RollingUpdate with maxUnavailable 0 or 25%; keep Recreate only for workloads that must never run two versions at once, and suppress this rule there with a reason.',
  },
  ['Deployment'],
  (m, ctx) => {
    const w = workloadOf(m);
    if (!w || indexOf(ctx.manifests).servicesSelecting(w).length === 0) return [];
    const spec = obj(m.body.spec) ?? {};
    const type = str(get(spec, 'strategy', 'type')) ?? 'RollingUpdate';
    if (type === 'Recreate')
      return [
        {
          manifest: m,
          path: ['spec', 'strategy', 'type'],
          message:
            'strategy Recreate stops every pod before starting new ones; the Service has no endpoints meanwhile',
        },
      ];
    const maxUnavailable = get(spec, 'strategy', 'rollingUpdate', 'maxUnavailable');
    const replicas = num(spec.replicas) ?? 1;
    const all =
      maxUnavailable === '100%' ||
      (typeof maxUnavailable === 'number' && maxUnavailable >= replicas && replicas > 1);
    return all
      ? [
          {
            manifest: m,
            path: ['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'],
            message: `maxUnavailable ${String(maxUnavailable)} lets a rollout take every replica down at once`,
          },
        ]
      : [];
  },
);

const hpaMin = kindRule(
  {
    id: 'avail-hpa-min-replicas',
    admission: {
      kinds: ['HorizontalPodAutoscaler'],
      expression: '(has(object.spec.minReplicas) ? object.spec.minReplicas : 1) >= 2',
      message: 'spec.minReplicas must be at least 2',
    },
    title: 'Autoscaler may scale down to one pod',
    severity: 'info',
    category: 'availability',
    checks: `spec.minReplicas of a HorizontalPodAutoscaler must be at least ${MIN_REPLICAS} (it defaults to 1).`,
    rationale:
      'At quiet times the autoscaler leaves a single pod, and losing it is an outage until a new one is ready.',
    remediation: `Set minReplicas: ${MIN_REPLICAS} or more.`,
  },
  ['HorizontalPodAutoscaler'],
  (m) => {
    const min = num(get(m.body, 'spec', 'minReplicas'));
    return (min ?? 1) >= MIN_REPLICAS
      ? []
      : [
          {
            manifest: m,
            path: ['spec', 'minReplicas'],
            message: `minReplicas ${min ?? '1 (the default)'} lets the autoscaler leave a single pod`,
          },
        ];
  },
);

const hpaMax = kindRule(
  {
    id: 'avail-hpa-max-replicas',
    admission: {
      kinds: ['HorizontalPodAutoscaler'],
      expression:
        '!has(object.spec.maxReplicas) || object.spec.maxReplicas > (has(object.spec.minReplicas) ? object.spec.minReplicas : 1)',
      message: 'spec.maxReplicas must be greater than minReplicas',
    },
    title: 'Autoscaler cannot scale',
    severity: 'warning',
    category: 'availability',
    checks: 'spec.maxReplicas of a HorizontalPodAutoscaler must be greater than its minReplicas (default 1).',
    rationale:
      'With maxReplicas at or below minReplicas the autoscaler never adds a pod: the workload has a fixed size that only looks autoscaled.',
    remediation: 'Raise maxReplicas above minReplicas, or remove the HPA and set spec.replicas.',
  },
  ['HorizontalPodAutoscaler'],
  (m) => {
    const max = num(get(m.body, 'spec', 'maxReplicas'));
    const min = num(get(m.body, 'spec', 'minReplicas')) ?? 1;
    return max !== undefined && max <= min
      ? [
          {
            manifest: m,
            path: ['spec', 'maxReplicas'],
            message: `maxReplicas ${max} is not above minReplicas ${min}: the autoscaler cannot add a pod`,
          },
        ]
      : [];
  },
);

export const SCALING_RULES: Rule[] = [minReplicas, strategy, hpaMin, hpaMax];
