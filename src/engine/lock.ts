/**
 * One deploy at a time per app and environment, with a coordination.k8s.io/v1 Lease in the app's
 * namespace, the way client-go's leader election uses one (`tools/leaderelection/resourcelock`):
 * the holder writes its identity and renews `renewTime`; a Lease not renewed for
 * `leaseDurationSeconds` is expired and may be taken over. Every write is a compare-and-swap on
 * resourceVersion (create, or replace with the resourceVersion read), so of two deploys that see
 * the same expired Lease exactly one wins and the other is told who holds it, with what command
 * (the `slipway.dev/command` annotation) and for how long. `--wait-for-lock` queues instead:
 * watch the Lease, try again when it changes or expires (issue 25).
 */
import { rfc3339Micro } from '@slipway/kube';
import type { ObjectRef } from '@slipway/kube';
import { isClusterError, type Cluster } from '../cluster/cluster.js';
import { EXIT_FAILED, EXIT_NEEDS_ATTENTION, UserError } from '../errors.js';
import type { Clock } from './clock.js';
import { LOCK_RENEW_FRACTION, LOCK_TTL_SECONDS } from './defaults.js';
import {
  COMMAND_ANNOTATION,
  describeAge,
  holderOf,
  localHolderGone,
  lockRef,
  waitForLeaseChange,
  type Lease,
  type LockHolder,
} from './lock-holder.js';

export {
  defaultHolderIdentity,
  localHolderGone,
  lockName,
  lockRef,
  readLockHolder,
  type Lease,
  type LeaseSpec,
  type LockHolder,
} from './lock-holder.js';

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
  /** The holder's command line (`slipway deploy --env dev ...`), shown to whoever finds the lock taken. */
  command?: string;
  /** `--wait-for-lock`: how long `acquire` queues behind a live holder before giving up (default 0: fail at once). */
  waitMs?: number;
  /** Told when the lock is taken over from a holder that is gone, and when acquire starts queueing. */
  notify?: (text: string) => void;
}

/** How many times a lost compare-and-swap is retried before giving up (each retry re-reads). */
const MAX_ATTEMPTS = 3;

export class DeployLock {
  private readonly ref: ObjectRef;
  private readonly ttlSeconds: number;
  private lease: Lease | undefined;

  constructor(private readonly opts: LockOptions) {
    this.ref = lockRef(opts.namespace, opts.app, opts.environment);
    this.ttlSeconds = opts.ttlSeconds ?? LOCK_TTL_SECONDS;
  }

  get name(): string {
    return this.ref.name;
  }

  /**
   * Takes the lock, or throws a UserError (exit 1) naming the holder, its command and for how long
   * it has held the lock. With `waitMs` it first queues: it watches the Lease and tries again each
   * time it changes (released, renewed, taken) or expires, until the lock is free or `waitMs` passed.
   */
  async acquire(): Promise<void> {
    const giveUpAt = this.opts.clock.now().getTime() + (this.opts.waitMs ?? 0);
    let told = false;
    for (;;) {
      const held = await this.tryAcquire();
      if (!held) return;
      const now = this.opts.clock.now().getTime();
      if (now >= giveUpAt) throw this.heldError(held.holder, now);
      if (!told)
        this.opts.notify?.(
          `waiting up to ${describeAge(giveUpAt - now)} for the deploy lock: ${this.describeHolder(held.holder, now)}`,
        );
      told = true;
      // Wake at the next change of the Lease, or when it expires, or when the wait is over.
      const expiresIn = (held.holder.expiresAt?.getTime() ?? giveUpAt) - now;
      await waitForLeaseChange(
        this.opts.cluster,
        this.opts.clock,
        held.lease,
        Math.max(1, Math.min(giveUpAt - now, expiresIn)),
      );
    }
  }

  /** One attempt: undefined when the lock is ours now, else the live Lease that holds it. */
  private async tryAcquire(): Promise<{ lease: Lease; holder: LockHolder } | undefined> {
    for (let attempt = 1; ; attempt++) {
      const live = await this.opts.cluster.get<Lease>(this.ref);
      const holder = live
        ? holderOf(live, this.opts.clock.now(), this.opts.holderGone ?? localHolderGone, this.ttlSeconds)
        : undefined;
      if (live && holder && !holder.gone && holder.identity !== this.opts.holder)
        return { lease: live, holder };
      try {
        this.lease = live ? await this.takeOver(live) : await this.create();
        if (holder?.gone && holder.identity !== this.opts.holder) this.opts.notify?.(takeOverMessage(holder));
        return undefined;
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
        spec: { ...held.spec, renewTime: rfc3339Micro(this.opts.clock.now()) },
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
    const now = rfc3339Micro(this.opts.clock.now());
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
        annotations: this.commandAnnotation(),
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

  private commandAnnotation(): Record<string, string> {
    return this.opts.command ? { [COMMAND_ANNOTATION]: this.opts.command } : {};
  }

  /** Replaces a Lease that tryAcquire found free (no holder, ours, expired, or its process gone). */
  private async takeOver(live: Lease): Promise<Lease> {
    const spec = live.spec ?? {};
    const stamp = rfc3339Micro(this.opts.clock.now());
    const transitions = (spec.leaseTransitions ?? 0) + (spec.holderIdentity === this.opts.holder ? 0 : 1);
    const annotations = { ...live.metadata.annotations };
    delete annotations[COMMAND_ANNOTATION];
    // The resourceVersion read rides along: if anyone wrote since, the server answers Conflict.
    return this.opts.cluster.replace<Lease>({
      ...live,
      metadata: { ...live.metadata, annotations: { ...annotations, ...this.commandAnnotation() } },
      spec: {
        holderIdentity: this.opts.holder,
        leaseDurationSeconds: this.ttlSeconds,
        acquireTime: stamp,
        renewTime: stamp,
        leaseTransitions: transitions,
      },
    });
  }

  private describeHolder(holder: LockHolder, now: number): string {
    const since = Date.parse(holder.acquireTime ?? '');
    const age = Number.isNaN(since) ? 'an unknown time' : describeAge(now - since);
    return `environment ${this.opts.environment} is being deployed by ${holder.identity}${holder.command ? `, \`${holder.command}\`` : ''}, for ${age}`;
  }

  private heldError(holder: LockHolder, now: number): UserError {
    const waited = this.opts.waitMs ? ` (waited ${describeAge(this.opts.waitMs)})` : '';
    return new UserError(
      `${this.describeHolder(holder, now)}; try again later or pass --wait-for-lock 5m${waited}`,
      {
        code: 'locked',
        exitCode: EXIT_FAILED,
        path: `Lease ${this.opts.namespace}/${this.ref.name}`,
        hint: `if that deploy died, its lock expires at ${holder.expiresAt?.toISOString() ?? 'its next renewal time'} (${holder.ttlSeconds}s after its last renewal) and the next deploy takes it over`,
      },
    );
  }
}

/** What the next command says when it takes over a dead deploy's lock. */
export function takeOverMessage(holder: LockHolder): string {
  const why =
    holder.gone === 'process-gone'
      ? 'whose process is gone'
      : `whose lease expired at ${holder.expiresAt?.toISOString() ?? 'an unknown time'}`;
  return `took over the deploy lock from ${holder.identity}${holder.command ? ` (\`${holder.command}\`)` : ''}, ${why}`;
}
