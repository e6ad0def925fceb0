/**
 * Pure helpers of the Deployment controller, after pkg/controller/deployment/util/deployment_util.go
 * and pkg/controller/controller_utils.go: the template hash, template equality ignoring the hash,
 * maxSurge/maxUnavailable fenceposts and revision annotations.
 */
import type { KubeObject, LabelSelector } from '@slipway/kube';
import type { Obj } from './objects.js';

export const POD_TEMPLATE_HASH = 'pod-template-hash';
export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const DEFAULT_MAX_SURGE = '25%';
export const DEFAULT_MAX_UNAVAILABLE = '25%';

/** Annotations the Deployment never copies to its ReplicaSets (deployment_util annotationsToSkip). */
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);

/**
 * Deep copy with empty maps and lists dropped: apimachinery's semantic equality treats nil and empty
 * as equal, and kubectl's `rollout undo` patch carries `resources: {}` and `creationTimestamp: null`.
 */
export function normalise(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(normalise);
    return items.length ? items : undefined;
  }
  if (value && typeof value === 'object') {
    const out: Obj = {};
    for (const key of Object.keys(value).sort()) {
      const v = normalise((value as Obj)[key]);
      if (v !== undefined && v !== null) out[key] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value;
}

function withoutHash(template: unknown): unknown {
  const t = structuredClone((template ?? {}) as Obj);
  const meta = t.metadata as { labels?: Record<string, string> } | undefined;
  if (meta?.labels) delete meta.labels[POD_TEMPLATE_HASH];
  return normalise(t);
}

/** EqualIgnoreHash: templates equal once the pod-template-hash label is dropped. */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return JSON.stringify(withoutHash(a)) === JSON.stringify(withoutHash(b));
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * ComputeHash: FNV-32a over the template (and collisionCount), spelled with rand.SafeEncodeString's
 * alphabet. Upstream hashes a spew dump of the Go struct, which cannot be reproduced outside Go;
 * we hash the normalised JSON, which is stable for the same defaulted template.
 */
export function computeHash(template: unknown, collisionCount = 0): string {
  let h = 0x811c9dc5;
  const text = JSON.stringify(withoutHash(template)) + (collisionCount ? String(collisionCount) : '');
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let out = '';
  let n = h;
  do {
    out += SAFE_ALPHABET[n % SAFE_ALPHABET.length];
    n = Math.floor(n / SAFE_ALPHABET.length);
  } while (n > 0);
  return out;
}

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(
  v: number | string | undefined,
  total: number,
  roundUp: boolean,
  fallback: string,
): number {
  const value = v ?? fallback;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return Number.parseInt(value, 10) || 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** ResolveFenceposts: surge rounds up, unavailable rounds down, and both 0 means unavailable 1. */
export function resolveFenceposts(d: KubeObject): { maxSurge: number; maxUnavailable: number } {
  const s = (d.spec ?? {}) as {
    replicas?: number;
    strategy?: {
      type?: string;
      rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
    };
  };
  const replicas = s.replicas ?? 1;
  if (s.strategy?.type === 'Recreate') return { maxSurge: 0, maxUnavailable: replicas };
  const ru = s.strategy?.rollingUpdate ?? {};
  const maxSurge = scaledValue(ru.maxSurge, replicas, true, DEFAULT_MAX_SURGE);
  let maxUnavailable = scaledValue(ru.maxUnavailable, replicas, false, DEFAULT_MAX_UNAVAILABLE);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

export function revisionOf(o: KubeObject): number {
  const n = Number(o.metadata.annotations?.[REVISION] ?? 0);
  return Number.isFinite(n) ? n : 0;
}

export function maxRevision(replicaSets: KubeObject[]): number {
  return replicaSets.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

/** The deployment's annotations a ReplicaSet copies (copyDeploymentAnnotationsToReplicaSet). */
export function copiedAnnotations(d: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {}))
    if (!ANNOTATIONS_TO_SKIP.has(k)) out[k] = v;
  return out;
}

/**
 * SetNewReplicaSetAnnotations: copy the deployment's annotations and move the revision forward
 * when the RS is (re)used as the new one, remembering the old number in revision-history.
 * Returns true when something changed.
 */
export function setNewReplicaSetAnnotations(d: KubeObject, rs: KubeObject, newRevision: number): boolean {
  const before = JSON.stringify(rs.metadata.annotations ?? {});
  const a = { ...(rs.metadata.annotations ?? {}), ...copiedAnnotations(d) };
  const old = Number(a[REVISION] ?? 0);
  if (newRevision > old) {
    if (old > 0) a[REVISION_HISTORY] = a[REVISION_HISTORY] ? `${a[REVISION_HISTORY]},${old}` : String(old);
    a[REVISION] = String(newRevision);
  }
  rs.metadata.annotations = a;
  return JSON.stringify(a) !== before;
}

/** SetReplicasAnnotations: the deployment size an RS was last scaled for, read to detect scaling events. */
export function setReplicasAnnotations(d: KubeObject, rs: KubeObject, maxSurge: number): void {
  const replicas = ((d.spec ?? {}) as { replicas?: number }).replicas ?? 1;
  rs.metadata.annotations = {
    ...(rs.metadata.annotations ?? {}),
    [DESIRED_REPLICAS]: String(replicas),
    [MAX_REPLICAS]: String(replicas + maxSurge),
  };
}

export interface DeploymentSpec {
  replicas?: number;
  paused?: boolean;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  selector?: LabelSelector;
  strategy?: { type?: 'RollingUpdate' | 'Recreate' };
  template?: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: Obj;
  };
}
