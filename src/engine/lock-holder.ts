/**
 * Who holds an environment's deploy Lease, and whether that holder still counts: read by the lock
 * itself (take over or refuse), by `slipway status` (is a pending release being deployed, or was it
 * interrupted?) and by `slipway abort` (signal the running deploy, or finish the interrupted one).
 * A holder stops counting when its Lease was not renewed within `leaseDurationSeconds` (client-go's
 * leader election rule) or, on this machine, when the pid it names no longer exists.
 */
import type { KubeObject, ObjectRef } from '@slipway/kube';
import { hostname, userInfo } from 'node:os';
import { isClusterError, type Cluster } from '../cluster/cluster.js';
import type { Clock } from './clock.js';
import { LOCK_TTL_SECONDS } from './defaults.js';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export interface LockHolder {
  identity: string;
  /** The holder's command line, from the Lease's `slipway.dev/command` annotation. */
  command?: string;
  acquireTime?: string;
  renewTime?: string;
  ttlSeconds: number;
  /** Last renewal + TTL; undefined when the Lease carries no parsable time. */
  expiresAt?: Date;
  /** Set when the holder no longer counts: its process is gone (same machine) or its lease expired. */
  gone?: 'process-gone' | 'lease-expired';
}

/** Where `DeployLock` writes its identity; the command line lives beside it. */
export const COMMAND_ANNOTATION = 'slipway.dev/command';

export function lockName(app: string, environment: string): string {
  return `slipway-lock-${app}-${environment}`;
}

export function lockRef(namespace: string, app: string, environment: string): ObjectRef {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace, name: lockName(app, environment) };
}

/** `user@host (pid N)`: enough for a colleague to know whom to ask. */
export function defaultHolderIdentity(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the host and pid still identify the process.
  }
  return `${user}@${hostname()} (pid ${process.pid})`;
}

/**
 * True when `identity` (as written by defaultHolderIdentity) names a process on this machine that
 * no longer exists: a deploy killed here need not block the next one for the whole TTL. A holder
 * on another machine, or a pid that is alive (even if reused), is never declared gone: those wait
 * for the TTL like client-go's leader election.
 */
export function localHolderGone(identity: string, host = hostname()): boolean {
  const match = /^.+@(.+) \(pid (\d+)\)$/.exec(identity);
  if (!match || match[1] !== host) return false;
  try {
    process.kill(Number(match[2]), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The Lease's holder as of `now`; undefined when nobody holds it (no Lease, or no holderIdentity). */
export function holderOf(
  lease: Lease,
  now: Date,
  holderGone: (identity: string) => boolean = localHolderGone,
  defaultTtlSeconds = LOCK_TTL_SECONDS,
): LockHolder | undefined {
  const spec = lease.spec ?? {};
  if (!spec.holderIdentity) return undefined;
  const ttlSeconds = spec.leaseDurationSeconds ?? defaultTtlSeconds;
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? '');
  const expiresAt = Number.isNaN(renewed) ? undefined : new Date(renewed + ttlSeconds * 1000);
  const gone =
    !expiresAt || expiresAt.getTime() <= now.getTime()
      ? 'lease-expired'
      : holderGone(spec.holderIdentity)
        ? 'process-gone'
        : undefined;
  const command = lease.metadata.annotations?.[COMMAND_ANNOTATION];
  return {
    identity: spec.holderIdentity,
    ...(command ? { command } : {}),
    acquireTime: spec.acquireTime,
    renewTime: spec.renewTime,
    ttlSeconds,
    ...(expiresAt ? { expiresAt } : {}),
    ...(gone ? { gone } : {}),
  };
}

/** Reads the environment's Lease and says who holds it (see holderOf). */
export async function readLockHolder(
  cluster: Cluster,
  clock: Clock,
  app: { app: string; environment: string; namespace: string },
  holderGone?: (identity: string) => boolean,
): Promise<LockHolder | undefined> {
  const lease = await cluster.get<Lease>(lockRef(app.namespace, app.app, app.environment));
  return lease ? holderOf(lease, clock.now(), holderGone) : undefined;
}

/** `42 s`, `3 min 5 s`, `1 h 2 min`: how long someone has held the lock, for a person to read. */
export function describeAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
}

/**
 * Resolves once `lease` changes (deleted, renewed, taken) or `ms` passed, whichever is first: a
 * queued deploy wakes on the holder's release at once, and at the Lease's expiry if the holder died
 * without releasing it. A watch, not a poll (Kubernetes watch semantics via Cluster.watch).
 */
export async function waitForLeaseChange(
  cluster: Cluster,
  clock: Clock,
  lease: Lease,
  ms: number,
): Promise<void> {
  const stop = new AbortController();
  const ref: ObjectRef = {
    apiVersion: lease.apiVersion,
    kind: lease.kind,
    namespace: lease.metadata.namespace,
    name: lease.metadata.name ?? '',
  };
  const changed = cluster
    .watch<Lease>(
      ref,
      (l) => !l || l.metadata.resourceVersion !== lease.metadata.resourceVersion,
      stop.signal,
    )
    .then(
      () => undefined,
      (err: unknown) => {
        // A watch the server ended with an error: the next attempt re-reads the Lease anyway.
        if (!stop.signal.aborted && !isClusterError(err)) throw err;
      },
    );
  const elapsed = clock.sleep(ms, stop.signal).catch(() => undefined);
  try {
    await Promise.race([changed, elapsed]);
  } finally {
    stop.abort();
    await Promise.all([changed, elapsed]).catch(() => undefined);
  }
}
