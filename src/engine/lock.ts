/**
 * One deploy at a time per app and environment, with a coordination.k8s.io/v1 Lease in the app's
 * namespace, the way client-go's leader election uses one (`tools/leaderelection/resourcelock`):
 * the holder writes its identity and renews `renewTime`; a Lease not renewed for
 * `leaseDurationSeconds` is expired and may be taken over. Every write is a compare-and-swap on
 * resourceVersion (create, or replace with the resourceVersion read), so of two deploys that see
 * the same expired Lease exactly one wins and the other is told who holds it.
 */
import { hostname, userInfo } from 'node:os';
import { isClusterError, type Cluster, type KubeObject, type ObjectRef } from '../cluster/cluster.js';
import { EXIT_NEEDS_ATTENTION, UserError } from '../errors.js';
import type { Clock } from './clock.js';
import { LOCK_RENEW_FRACTION, LOCK_TTL_SECONDS } from './defaults.js';

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

export interface LockOptions {
  cluster: Cluster;
  clock: Clock;
  namespace: string;
  app: string;
  environment: string;
  /** Who is deploying: shown to anyone who finds the lock taken. */
  holder: string;
  ttlSeconds?: number;
  /** Whether the process a holder identity names is known to be gone (default: localHolderGone). */
  holderGone?: (identity: string) => boolean;
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

export function lockName(app: string, environment: string): string {
  return `slipway-lock-${app}-${environment}`;
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** How many times a lost compare-and-swap is retried before giving up (each retry re-reads). */
const MAX_ATTEMPTS = 3;

export class DeployLock {
  private readonly ref: ObjectRef;
  private readonly ttlSeconds: number;
  private lease: Lease | undefined;

  constructor(private readonly opts: LockOptions) {
    this.ref = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: opts.namespace,
      name: lockName(opts.app, opts.environment),
    };
    this.ttlSeconds = opts.ttlSeconds ?? LOCK_TTL_SECONDS;
  }

  get name(): string {
    return this.ref.name;
  }

  /** Takes the lock, or throws a UserError naming the holder and since when. */
  async acquire(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const live = await this.opts.cluster.get<Lease>(this.ref);
      try {
        this.lease = live ? await this.takeOver(live) : await this.create();
        return;
      } catch (err) {
        if (
          !(isClusterError(err, 'Conflict') || isClusterError(err, 'AlreadyExists')) ||
          attempt >= MAX_ATTEMPTS
        )
          throw err;
        // Someone else wrote the Lease between our read and write: read again and decide again.
      }
    }
  }

  /** Moves renewTime forward; throws `lock-lost` if another deploy took the lock meanwhile. */
  async renew(): Promise<void> {
    const held = this.lease;
    if (!held) throw new Error('renew() before acquire()');
    try {
      this.lease = await this.opts.cluster.replace<Lease>({
        ...held,
        spec: { ...held.spec, renewTime: microTime(this.opts.clock.now()) },
      });
    } catch (err) {
      if (!isClusterError(err, 'Conflict') && !isClusterError(err, 'NotFound')) throw err;
      const live = await this.opts.cluster.get<Lease>(this.ref);
      throw new UserError(
        `lost the deploy lock ${this.opts.namespace}/${this.ref.name}${live?.spec?.holderIdentity ? ` to ${live.spec.holderIdentity}` : ''}`,
        {
          code: 'lock-lost',
          exitCode: EXIT_NEEDS_ATTENTION,
          hint: `this deploy stopped renewing for longer than ${this.ttlSeconds}s; run \`slipway status --env ${this.opts.environment}\` before deploying again`,
        },
      );
    }
  }

  /** Deletes the Lease if it is still ours (a resourceVersion-guarded delete); a no-op otherwise. */
  async release(): Promise<void> {
    const held = this.lease;
    if (!held) return;
    this.lease = undefined;
    try {
      await this.opts.cluster.delete(this.ref, { resourceVersion: held.metadata.resourceVersion });
    } catch (err) {
      if (!isClusterError(err, 'Conflict')) throw err;
    }
  }

  /**
   * Renews every `ttl × LOCK_RENEW_FRACTION` until `signal` aborts. Resolves when stopped; a renewal
   * that fails calls `onLost`, and the caller aborts its deploy.
   */
  async keepAlive(signal: AbortSignal, onLost: (err: unknown) => void): Promise<void> {
    const interval = this.ttlSeconds * 1000 * LOCK_RENEW_FRACTION;
    for (;;) {
      try {
        await this.opts.clock.sleep(interval, signal);
      } catch {
        return;
      }
      try {
        await this.renew();
      } catch (err) {
        onLost(err);
        return;
      }
    }
  }

  private async create(): Promise<Lease> {
    const now = microTime(this.opts.clock.now());
    return this.opts.cluster.create<Lease>({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.ref.name,
        namespace: this.opts.namespace,
        labels: {
          owner: 'slipway',
          'slipway.dev/app': this.opts.app,
          'slipway.dev/env': this.opts.environment,
        },
      },
      spec: {
        holderIdentity: this.opts.holder,
        leaseDurationSeconds: this.ttlSeconds,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 0,
      },
    });
  }

  private async takeOver(live: Lease): Promise<Lease> {
    const spec = live.spec ?? {};
    const now = this.opts.clock.now();
    const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? '');
    const duration = (spec.leaseDurationSeconds ?? this.ttlSeconds) * 1000;
    const holderGone = this.opts.holderGone ?? localHolderGone;
    const free =
      !spec.holderIdentity ||
      spec.holderIdentity === this.opts.holder ||
      Number.isNaN(renewed) ||
      renewed + duration <= now.getTime() ||
      holderGone(spec.holderIdentity);
    if (!free) throw this.held(spec, new Date(renewed + duration));
    const stamp = microTime(now);
    const transitions = (spec.leaseTransitions ?? 0) + (spec.holderIdentity === this.opts.holder ? 0 : 1);
    // The resourceVersion read rides along: if anyone wrote since, the server answers Conflict.
    return this.opts.cluster.replace<Lease>({
      ...live,
      spec: {
        holderIdentity: this.opts.holder,
        leaseDurationSeconds: this.ttlSeconds,
        acquireTime: stamp,
        renewTime: stamp,
        leaseTransitions: transitions,
      },
    });
  }

  private held(spec: LeaseSpec, expires: Date): UserError {
    return new UserError(
      `another deploy of ${this.opts.app} to ${this.opts.environment} is running: ${spec.holderIdentity} has held the lock since ${spec.acquireTime ?? 'an unknown time'}`,
      {
        code: 'locked',
        exitCode: EXIT_NEEDS_ATTENTION,
        path: `Lease ${this.opts.namespace}/${this.ref.name}`,
        hint: `wait for it to finish; if that deploy died, its lock expires at ${expires.toISOString()} (${this.ttlSeconds}s after its last renewal) and the next deploy takes it over`,
      },
    );
  }
}
