/**
 * How an update combines with the stored object, after the apiserver's rest.BeforeUpdate and the
 * per-kind PrepareForUpdate strategies: the main resource keeps the stored status and system
 * metadata, `/status` changes only the status, defaults apply again, a Service keeps its
 * ClusterIP, and generation rises only when the spec changed.
 */
import type { KubeObject } from '@slipway/kube';
import { isDeepStrictEqual } from 'node:util';
import { StoreError } from '../types.js';
import { applyDefaults, type DefaultingContext } from './defaults.js';
import { apiVersionOf, type ServedResource } from './registry.js';
import { qualifiedResource } from './validation.js';

const SYSTEM_METADATA = [
  'uid',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'namespace',
] as const;

export function mergeUpdate(
  type: ServedResource,
  stored: KubeObject,
  input: KubeObject,
  subresource: 'status' | undefined,
  ctx: DefaultingContext,
): KubeObject {
  let next: KubeObject;
  if (subresource === 'status') {
    next = structuredClone(stored);
    if (input.status === undefined) delete next.status;
    else next.status = input.status;
  } else {
    next = input;
    next.apiVersion = apiVersionOf(type);
    next.kind = type.kind;
    if (type.subresources.includes('status')) {
      if (stored.status === undefined) delete next.status;
      else next.status = structuredClone(stored.status);
    }
    const meta = next.metadata as Record<string, unknown>;
    const old = stored.metadata;
    for (const k of SYSTEM_METADATA) {
      if (old[k] === undefined) delete meta[k];
      else meta[k] = old[k];
    }
    if (old.deletionTimestamp) {
      const added = ((meta.finalizers as string[] | undefined) ?? []).filter(
        (f) => !(old.finalizers ?? []).includes(f),
      );
      if (added.length) {
        throw new StoreError(
          422,
          'Invalid',
          `${qualifiedResource(type)} "${old.name}" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
        );
      }
    }
    if (type.kind === 'Service') keepClusterIP(stored, next);
    applyDefaults(next, ctx);
    if (hasGeneration(type) && !isDeepStrictEqual(specOf(stored), specOf(next)))
      meta.generation = (old.generation ?? 0) + 1;
  }
  next.metadata.resourceVersion = stored.metadata.resourceVersion;
  return next;
}

/** Kinds with a spec/status split carry metadata.generation (HTTPRoute counts, like CRDs). */
export function hasGeneration(type: ServedResource): boolean {
  return (
    type.subresources.includes('status') &&
    !['Namespace', 'Node', 'PersistentVolume', 'PersistentVolumeClaim'].includes(type.kind)
  );
}

/** Everything but metadata and status: what counts as a spec change for generation. */
function specOf(o: KubeObject): unknown {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}

/** A write that changes nothing persists nothing: no new resourceVersion, no watch event. */
export function isNoop(stored: KubeObject, next: KubeObject): boolean {
  const strip = (o: KubeObject) => ({
    ...o,
    metadata: {
      ...o.metadata,
      resourceVersion: undefined,
      managedFields: o.metadata.managedFields?.map((e) => ({
        ...(e as Record<string, unknown>),
        time: undefined,
      })),
    },
  });
  return isDeepStrictEqual(strip(stored), strip(next));
}

/** An update without a clusterIP keeps the allocated one (the service registry's patchAllocatedValues); changing it is refused. */
function keepClusterIP(stored: KubeObject, next: KubeObject): void {
  const before = (stored.spec as { clusterIP?: string; clusterIPs?: string[] } | undefined) ?? {};
  const after = (next.spec ??= {}) as { clusterIP?: string; clusterIPs?: string[] };
  if (!after.clusterIP && before.clusterIP) {
    after.clusterIP = before.clusterIP;
    if (!after.clusterIPs && before.clusterIPs) after.clusterIPs = [...before.clusterIPs];
  }
  if (before.clusterIP && after.clusterIP !== before.clusterIP) {
    throw new StoreError(
      422,
      'Invalid',
      `Service "${stored.metadata.name}" is invalid: spec.clusterIPs[0]: Invalid value: []string{"${after.clusterIP}"}: may not change once set`,
    );
  }
}
