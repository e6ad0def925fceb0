import { describe, expect, it, vi } from 'vitest';
import { MemoryCluster } from '../../src/cluster/memory.js';
import { ManualClock } from '../../src/engine/clock.js';
import { DeployLock, lockName, readLockHolder, type Lease, type LockOptions } from '../../src/engine/lock.js';
import { UserError } from '../../src/errors.js';

function setup() {
  const cluster = new MemoryCluster({ namespace: 'shop' });
  const clock = new ManualClock('2026-03-01T10:00:00Z');
  const lock = (holder: string) =>
    new DeployLock({
      cluster,
      clock,
      namespace: 'shop',
      app: 'shop',
      environment: 'staging',
      holder,
      ttlSeconds: 60,
    });
  const lease = () =>
    cluster.get<Lease>({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: 'shop',
      name: lockName('shop', 'staging'),
    });
  return { cluster, clock, lock, lease };
}

describe('DeployLock (a coordination.k8s.io/v1 Lease per app and environment)', () => {
  it('acquires a free lock and records holder, duration and times as MicroTime', async () => {
    const { lock, lease } = setup();
    await lock('alice@laptop (pid 1)').acquire();
    const spec = (await lease())?.spec;
    expect(spec).toMatchObject({
      holderIdentity: 'alice@laptop (pid 1)',
      leaseDurationSeconds: 60,
      acquireTime: '2026-03-01T10:00:00.000000Z',
      leaseTransitions: 0,
    });
  });

  it('a second deploy gets a UserError (exit 1) naming the holder, its command and for how long', async () => {
    const { cluster, clock, lease } = setup();
    const alice = new DeployLock({
      cluster,
      clock,
      namespace: 'shop',
      app: 'shop',
      environment: 'staging',
      holder: 'alice@laptop (pid 7)',
      ttlSeconds: 60,
      command: 'slipway deploy --env staging --set-image web=shop:2',
    });
    await alice.acquire();
    expect((await lease())?.metadata.annotations?.['slipway.dev/command']).toBe(
      'slipway deploy --env staging --set-image web=shop:2',
    );
    await clock.advance(42_000);
    await alice.renew();
    const err = await new DeployLock({
      cluster,
      clock,
      namespace: 'shop',
      app: 'shop',
      environment: 'staging',
      holder: 'bob',
      ttlSeconds: 60,
    })
      .acquire()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('locked');
    expect((err as UserError).exitCode).toBe(1);
    expect((err as UserError).message).toBe(
      'environment staging is being deployed by alice@laptop (pid 7), `slipway deploy --env staging --set-image web=shop:2`, for 42 s; try again later or pass --wait-for-lock 5m',
    );
    expect((err as UserError).hint).toContain('expires at 2026-03-01T10:01:42.000Z');
  });

  it('a renewed lock stays held past its TTL; a lock whose holder stopped renewing is taken over', async () => {
    const { lock, clock, lease } = setup();
    const alice = lock('alice');
    await alice.acquire();
    await clock.advance(45_000);
    await alice.renew();
    await clock.advance(45_000);
    await expect(lock('bob').acquire()).rejects.toThrow(/being deployed by alice, for 1 min 30 s/);
    await clock.advance(15_000);
    await lock('bob').acquire();
    expect((await lease())?.spec).toMatchObject({ holderIdentity: 'bob', leaseTransitions: 1 });
    const lost = await alice.renew().catch((e: unknown) => e);
    expect((lost as UserError).code).toBe('lock-lost');
    expect((lost as UserError).message).toContain('to bob');
  });

  it('of two deploys taking over the same expired lock, exactly one wins', async () => {
    const { lock, clock, lease, cluster } = setup();
    await lock('dead').acquire();
    await clock.advance(61_000);
    const before = cluster.requests.length;
    const results = await Promise.allSettled([lock('bob').acquire(), lock('carol').acquire()]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const holder = (await lease())?.spec?.holderIdentity;
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((loser.reason as UserError).message).toContain(`being deployed by ${holder}`);
    // Both read the expired Lease and both tried to write it: the resourceVersion guard decided.
    expect(cluster.requests.slice(before).filter((r) => r.verb === 'replace')).toHaveLength(2);
  });

  it('of two deploys racing on a free lock, exactly one wins', async () => {
    const { lock } = setup();
    const results = await Promise.allSettled([lock('bob').acquire(), lock('carol').acquire()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('release frees the lock at once; releasing a lock someone took over leaves theirs alone', async () => {
    const { lock, clock, lease } = setup();
    const alice = lock('alice');
    await alice.acquire();
    await alice.release();
    expect(await lease()).toBeUndefined();
    const bob = lock('bob');
    await bob.acquire();
    await clock.advance(61_000);
    await lock('carol').acquire();
    await bob.release();
    expect((await lease())?.spec?.holderIdentity).toBe('carol');
  });

  it('keepAlive renews every third of the TTL until stopped', async () => {
    const { lock, clock, lease } = setup();
    const alice = lock('alice');
    await alice.acquire();
    const stop = new AbortController();
    const lost: unknown[] = [];
    const running = alice.keepAlive(stop.signal, (e) => lost.push(e));
    for (let i = 0; i < 5; i++) await clock.advance(20_000);
    expect((await lease())?.spec?.renewTime).toBe('2026-03-01T10:01:40.000000Z');
    await expect(lock('bob').acquire()).rejects.toThrow(/alice/);
    stop.abort();
    await running;
    expect(lost).toEqual([]);
  });

  it('keepAlive reports a lost lock to the caller', async () => {
    const { lock, clock, cluster } = setup();
    const alice = lock('alice');
    await alice.acquire();
    const lost: unknown[] = [];
    const running = alice.keepAlive(new AbortController().signal, (e) => lost.push(e));
    await cluster.delete({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: 'shop',
      name: lockName('shop', 'staging'),
    });
    await clock.advance(20_000);
    await running;
    expect((lost[0] as UserError).code).toBe('lock-lost');
  });
});

describe('DeployLock on the sandbox API server, through client-node', () => {
  it('a second holder is refused, and of two takers of an expired Lease exactly one wins', async () => {
    const { startSandboxEnv } = await import('../e2e/sandbox-env.js');
    const { KubeCluster } = await import('../../src/cluster/kube.js');
    const env = await startSandboxEnv();
    try {
      const cluster = KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig });
      const clock = new ManualClock('2026-03-01T10:00:00Z');
      const lock = (holder: string) =>
        new DeployLock({
          cluster,
          clock,
          namespace: 'default',
          app: 'shop',
          environment: 'staging',
          holder,
          ttlSeconds: 60,
        });
      await lock('alice').acquire();
      await expect(lock('bob').acquire()).rejects.toThrow(/being deployed by alice, for 0 s/);
      await clock.advance(61_000);
      const results = await Promise.allSettled([lock('bob').acquire(), lock('carol').acquire()]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const shown = await env.kubectl([
        'get',
        'lease',
        lockName('shop', 'staging'),
        '-o',
        'jsonpath={.spec.holderIdentity} {.spec.leaseTransitions}',
      ]);
      expect(shown.stdout).toMatch(/^(bob|carol) 1$/);
    } finally {
      await env.stop();
    }
  });
});

describe('a holder on this machine whose process is gone', () => {
  it('is taken over at once; a live local holder or a remote one waits for the TTL', async () => {
    const { hostname } = await import('node:os');
    const { localHolderGone } = await import('../../src/engine/lock.js');
    const { spawnSync } = await import('node:child_process');
    // A pid that existed and exited: the child of a finished spawnSync.
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    expect(localHolderGone(`ci@${hostname()} (pid ${deadPid})`)).toBe(true);
    expect(localHolderGone(`ci@${hostname()} (pid ${process.pid})`)).toBe(false);
    expect(localHolderGone(`ci@some-other-host (pid ${deadPid})`)).toBe(false);
    expect(localHolderGone('alice')).toBe(false);

    const { cluster, clock, lease } = setup();
    await new DeployLock({
      cluster,
      clock,
      namespace: 'shop',
      app: 'shop',
      environment: 'staging',
      holder: `ci@${hostname()} (pid ${deadPid})`,
      command: 'slipway deploy --env staging',
    }).acquire();
    const told: string[] = [];
    await new DeployLock({
      cluster,
      clock,
      namespace: 'shop',
      app: 'shop',
      environment: 'staging',
      holder: 'bob',
      notify: (t) => told.push(t),
    }).acquire();
    expect((await lease())?.spec).toMatchObject({ holderIdentity: 'bob', leaseTransitions: 1 });
    expect(told).toEqual([
      `took over the deploy lock from ci@${hostname()} (pid ${deadPid}) (\`slipway deploy --env staging\`), whose process is gone`,
    ]);
  });
});

describe('taking over, and --wait-for-lock (in-memory cluster, ManualClock)', () => {
  const opts = (s: ReturnType<typeof setup>, holder: string, extra: Partial<LockOptions> = {}) => ({
    cluster: s.cluster,
    clock: s.clock,
    namespace: 'shop',
    app: 'shop',
    environment: 'staging',
    holder,
    ttlSeconds: 60,
    ...extra,
  });

  it('a lease not renewed within its TTL is taken over, with a message naming the old holder and when it expired', async () => {
    const s = setup();
    await new DeployLock(
      opts(s, 'alice@laptop (pid 7)', { command: 'slipway deploy --env staging' }),
    ).acquire();
    await s.clock.advance(59_000);
    await expect(new DeployLock(opts(s, 'bob')).acquire()).rejects.toThrow(
      /being deployed by alice@laptop \(pid 7\)/,
    );
    await s.clock.advance(1_000);
    const told: string[] = [];
    await new DeployLock(opts(s, 'bob', { notify: (t) => told.push(t) })).acquire();
    expect(told).toEqual([
      'took over the deploy lock from alice@laptop (pid 7) (`slipway deploy --env staging`), whose lease expired at 2026-03-01T10:01:00.000Z',
    ]);
    expect((await s.lease())?.metadata.annotations?.['slipway.dev/command']).toBeUndefined();
  });

  it('readLockHolder tells a live holder from one whose process is gone or whose lease expired', async () => {
    const s = setup();
    const target = { app: 'shop', environment: 'staging', namespace: 'shop' };
    expect(await readLockHolder(s.cluster, s.clock, target)).toBeUndefined();
    await new DeployLock(opts(s, 'alice@laptop (pid 7)')).acquire();
    expect(await readLockHolder(s.cluster, s.clock, target, () => false)).toMatchObject({
      identity: 'alice@laptop (pid 7)',
      expiresAt: new Date('2026-03-01T10:01:00Z'),
    });
    expect((await readLockHolder(s.cluster, s.clock, target, () => false))?.gone).toBeUndefined();
    expect(
      (await readLockHolder(s.cluster, s.clock, target, (id) => id === 'alice@laptop (pid 7)'))?.gone,
    ).toBe('process-gone');
    await s.clock.advance(60_000);
    expect((await readLockHolder(s.cluster, s.clock, target, () => false))?.gone).toBe('lease-expired');
  });

  it('queues behind a live holder, watching the Lease, and takes the lock the moment it is released', async () => {
    const s = setup();
    const alice = new DeployLock(opts(s, 'alice'));
    await alice.acquire();
    const told: string[] = [];
    let acquired = false;
    const bob = new DeployLock(opts(s, 'bob', { waitMs: 300_000, notify: (t) => told.push(t) }));
    const queued = bob.acquire().then(() => (acquired = true));
    // Parked on the Lease's expiry (60 s away) and on a watch: nothing moves until the Lease does.
    await vi.waitFor(() => expect(s.clock.pending).toBe(1));
    expect(told).toEqual([
      'waiting up to 5 min for the deploy lock: environment staging is being deployed by alice, for 0 s',
    ]);
    const reads = s.cluster.requests.filter((r) => r.verb === 'get').length;
    await s.clock.advance(20_000);
    await alice.renew(); // a renewal wakes the watch: bob reads once, finds alice alive, parks again
    await vi.waitFor(() =>
      expect(s.cluster.requests.filter((r) => r.verb === 'get').length).toBeGreaterThan(reads),
    );
    await vi.waitFor(() => expect(s.clock.pending).toBe(1));
    expect(acquired).toBe(false);
    await alice.release();
    await queued;
    expect((await s.lease())?.spec?.holderIdentity).toBe('bob');
  });

  it('queues past a dead holder: takes over when its lease expires, without any change to the Lease', async () => {
    const s = setup();
    await new DeployLock(opts(s, 'alice')).acquire();
    const queued = new DeployLock(opts(s, 'bob', { waitMs: 300_000 })).acquire();
    await vi.waitFor(() => expect(s.clock.pending).toBe(1));
    await s.clock.advance(60_000);
    await queued;
    expect((await s.lease())?.spec).toMatchObject({ holderIdentity: 'bob', leaseTransitions: 1 });
  });

  it('gives up when the wait is over, with the same message as without waiting (exit 1)', async () => {
    const s = setup();
    const alice = new DeployLock(opts(s, 'alice'));
    await alice.acquire();
    const stop = new AbortController();
    const renewing = alice.keepAlive(stop.signal, () => undefined);
    const queued = new DeployLock(opts(s, 'bob', { waitMs: 90_000 })).acquire().catch((e: unknown) => e);
    for (let i = 0; i < 5; i++) {
      await vi.waitFor(() => expect(s.clock.pending).toBe(2));
      await s.clock.advance(20_000);
    }
    const err = (await queued) as UserError;
    stop.abort();
    await renewing;
    expect(err.exitCode).toBe(1);
    expect(err.message).toBe(
      'environment staging is being deployed by alice, for 1 min 30 s; try again later or pass --wait-for-lock 5m (waited 1 min 30 s)',
    );
  });
});
