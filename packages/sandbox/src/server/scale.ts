/**
 * The `/scale` subresource (autoscaling/v1 Scale) of deployments, replicasets and statefulsets:
 * `kubectl scale` sends a merge patch `{"spec":{"replicas":N}}` to it; `status.selector` is the
 * label selector as a string (pkg/registry/apps/deployment/storage/storage.go scaleFromDeployment).
 */
import type { KubeObject } from '@slipway/kube';
import type { MemoryStore } from '../store/memory-store.js';
import type { ServedResource } from '../store/registry.js';
import { applyJsonPatch } from './patch/json-patch.js';
import { jsonMergePatch } from './patch/json-merge.js';
import { ApiError } from './status.js';
import { selectorText } from './tables/columns.js';

export function scaleOf(o: KubeObject): KubeObject {
  const spec = (o.spec ?? {}) as { replicas?: number; selector?: Record<string, unknown> };
  const status = (o.status ?? {}) as { replicas?: number };
  const m = o.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: {
      replicas: status.replicas ?? 0,
      selector: selectorText(spec.selector) === '<none>' ? '' : selectorText(spec.selector),
    },
  };
}

export function readScale(
  store: MemoryStore,
  type: ServedResource,
  namespace: string | undefined,
  name: string,
): KubeObject {
  const o = store.get(type, namespace, name);
  if (!o)
    throw new ApiError(404, 'NotFound', `${type.resource}.${type.group} "${name}" not found`, {
      name,
      group: type.group,
      kind: type.resource,
    });
  return scaleOf(o);
}

/** PUT (a whole Scale) or PATCH (merge / JSON patch against the current Scale). */
export function writeScale(
  store: MemoryStore,
  type: ServedResource,
  namespace: string | undefined,
  name: string,
  change: { put?: unknown; patch?: unknown; patchType?: string },
  dryRun: boolean,
  /** Records the write in managedFields (the Writer's bookkeeping). */
  record: (previous: KubeObject, next: KubeObject) => void = () => undefined,
  /** Admission of the new Scale against the current one: Warning texts, or throws the refusal. */
  admit: (scale: KubeObject, current: KubeObject) => string[] = () => [],
): { scale: KubeObject; warnings: string[] } {
  const current = readScale(store, type, namespace, name);
  let next: KubeObject;
  if (change.put !== undefined) next = change.put as KubeObject;
  else if (change.patchType === 'application/json-patch+json')
    next = applyJsonPatch(current, change.patch) as KubeObject;
  else if (
    change.patchType === 'application/merge-patch+json' ||
    change.patchType === 'application/strategic-merge-patch+json'
  )
    next = jsonMergePatch(current, change.patch) as KubeObject;
  else
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `unsupported patch type ${change.patchType} for the scale subresource`,
    );
  const replicas = (next.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw new ApiError(
      422,
      'Invalid',
      `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
    );
  }
  const parent = store.get(type, namespace, name) as KubeObject;
  const rv = next.metadata?.resourceVersion;
  if (rv && rv !== parent.metadata.resourceVersion)
    throw new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${type.resource}.${type.group} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    );
  const warnings = admit(next, current);
  const previous = structuredClone(parent);
  parent.spec = { ...((parent.spec as object | undefined) ?? {}), replicas };
  record(previous, parent);
  return { scale: scaleOf(store.update(parent, { dryRun })), warnings };
}
