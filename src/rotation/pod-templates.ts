/**
 * A rotation re-applies what serves (the serving release's recorded objects) with one change: the
 * pod templates that read a rotated Secret get the new checksum or version annotation, the same
 * one render writes (render/names.ts), so exactly those workloads roll, and the next
 * `slipway deploy` renders the same annotation and rolls nothing again. Pure.
 */
import type { KubeObject } from '@slipway/kube';

interface PodSpecLike {
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
}
interface ContainerLike {
  env?: Array<{ valueFrom?: { secretKeyRef?: { name?: string } } }>;
  envFrom?: Array<{ secretRef?: { name?: string } }>;
}
interface TemplateLike {
  metadata?: { annotations?: Record<string, string> };
  spec?: PodSpecLike;
}

/** The pod template of a workload or Job, or of a CronJob's Job template. */
export function podTemplate(o: KubeObject): TemplateLike | undefined {
  const spec = (
    o as { spec?: { template?: TemplateLike; jobTemplate?: { spec?: { template?: TemplateLike } } } }
  ).spec;
  return spec?.template ?? spec?.jobTemplate?.spec?.template;
}

/** Whether the pod's containers read the Secret (an env entry or envFrom). */
export function readsSecret(template: TemplateLike, secret: string): boolean {
  const containers = [...(template.spec?.containers ?? []), ...(template.spec?.initContainers ?? [])];
  return containers.some(
    (c) =>
      (c.env ?? []).some((e) => e.valueFrom?.secretKeyRef?.name === secret) ||
      (c.envFrom ?? []).some((e) => e.secretRef?.name === secret),
  );
}

export interface TemplateChange {
  /** The Secret whose readers change. */
  secret: string;
  annotation: string;
  value: string;
  /** Objects left alone even when they read the Secret (the database's own StatefulSet). */
  skip?: (o: KubeObject) => boolean;
}

/** Copies of the objects with the changes applied; `changed` names each `Kind/name` whose template changed. */
export function annotateReaders(
  objects: readonly KubeObject[],
  changes: readonly TemplateChange[],
): { objects: KubeObject[]; changed: string[] } {
  const changed = new Set<string>();
  const out = objects.map((original) => {
    const o = structuredClone(original);
    const template = podTemplate(o);
    if (!template) return o;
    for (const c of changes) {
      if (c.skip?.(o) || !readsSecret(template, c.secret)) continue;
      template.metadata ??= {};
      const annotations = (template.metadata.annotations ??= {});
      if (annotations[c.annotation] === c.value) continue;
      annotations[c.annotation] = c.value;
      changed.add(`${o.kind}/${o.metadata.name ?? ''}`);
    }
    return o;
  });
  return { objects: out, changed: [...changed].sort() };
}
