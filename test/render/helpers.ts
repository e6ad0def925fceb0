import type { NamedObject } from '@slipway/kube';

export function find(objects: NamedObject[], kind: string, name: string): NamedObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o)
    throw new Error(`no ${kind}/${name} in ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
}

/** Walk a path of keys and indexes through plain data. */
export function at(value: unknown, ...path: Array<string | number>): unknown {
  let cur = value;
  for (const p of path) cur = cur == null ? undefined : (cur as Record<string | number, unknown>)[p];
  return cur;
}

/** The pod spec of a workload-bearing object (Deployment, StatefulSet, Job, CronJob). */
export function podSpecOf(o: NamedObject): Record<string, unknown> {
  const spec =
    o.kind === 'CronJob'
      ? at(o, 'spec', 'jobTemplate', 'spec', 'template', 'spec')
      : at(o, 'spec', 'template', 'spec');
  return spec as Record<string, unknown>;
}

export function containerOf(o: NamedObject, i = 0): Record<string, unknown> {
  return at(podSpecOf(o), 'containers', i) as Record<string, unknown>;
}

export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'Job', 'CronJob', 'DaemonSet', 'Pod']);
