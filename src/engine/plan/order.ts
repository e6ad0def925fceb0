/**
 * Which rendered object goes in which apply phase. Config and other foundations first, then the
 * in-cluster dependencies, then the migration Job, then the workloads, then what routes traffic to
 * them; within a phase, Helm's install order (`pkg/release/util/kind_sorter.go`: what others
 * depend on first; render's KIND_ORDER, the order its output is sorted by), then name. Objects are
 * recognised by the recommended labels render puts on everything (`app.kubernetes.io/name` = the
 * service or dependency key, `app.kubernetes.io/component` = `migration` for migration Jobs).
 */
import type { KubeObject } from '@slipway/kube';
import { kindRank } from '../../render/order.js';

export type ApplyPhase = 'foundation' | 'dependencies' | 'migration' | 'workloads' | 'traffic';

export const APPLY_PHASES: readonly ApplyPhase[] = [
  'foundation',
  'dependencies',
  'migration',
  'workloads',
  'traffic',
];

const WORKLOAD_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'CronJob',
  'HorizontalPodAutoscaler',
]);
const TRAFFIC_KINDS = new Set(['Service', 'Ingress', 'HTTPRoute', 'GRPCRoute']);

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';

export function phaseOf(obj: KubeObject, dependencies: ReadonlySet<string>): ApplyPhase {
  const labels = obj.metadata.labels ?? {};
  if (obj.kind === 'Job' && labels[LABEL_COMPONENT] === 'migration') return 'migration';
  if (labels[LABEL_NAME] !== undefined && dependencies.has(labels[LABEL_NAME])) return 'dependencies';
  if (WORKLOAD_KINDS.has(obj.kind)) return 'workloads';
  if (TRAFFIC_KINDS.has(obj.kind)) return 'traffic';
  return 'foundation';
}

export function installOrder(a: KubeObject, b: KubeObject): number {
  return (
    kindRank(a.kind) - kindRank(b.kind) ||
    a.kind.localeCompare(b.kind) ||
    (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '')
  );
}

export function groupByPhase(
  objects: KubeObject[],
  dependencies: ReadonlySet<string>,
): Record<ApplyPhase, KubeObject[]> {
  const groups: Record<ApplyPhase, KubeObject[]> = {
    foundation: [],
    dependencies: [],
    migration: [],
    workloads: [],
    traffic: [],
  };
  for (const obj of objects) groups[phaseOf(obj, dependencies)].push(obj);
  for (const phase of APPLY_PHASES) groups[phase].sort(installOrder);
  return groups;
}
