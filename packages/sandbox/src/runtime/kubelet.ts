/**
 * The sandbox's kubelet (and scheduler: there is one node, so binding is assigning it). It watches
 * pods, binds new ones to the node, runs a PodWorker per pod, and on deletion stops the pod within
 * its grace period, then finishes the delete with gracePeriodSeconds=0 as the real kubelet's status
 * manager does (pkg/kubelet/status/status_manager.go, canBeDeleted/deletePod).
 */
import type { KubeObject } from '@slipway/kube';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { SANDBOX_NODE_NAME, StoreError, type WatchEvent } from '../types.js';
import { isNotFound, isPodTerminal, spec, updateWithRetry } from '../controllers/objects.js';
import type { EventSink } from '../controllers/events.js';
import { PodWorker, type KubeletContext } from './pod-worker.js';

/** Pod IPs are distinct loopback addresses 127.1.0.1–127.1.255.254 (identity only; see docs/sandbox-runtime.md). */
export const POD_IP_PREFIX = '127.1';

/**
 * Pod ports come from below the kernel's ephemeral range (ip_local_port_range, 32768–60999 by
 * default), from 20000 up: a port handed out there is never taken meanwhile by the local end of an
 * outgoing connection, as one from `listen(0)` can be while a slow process (a database running its
 * initialisation first) has not bound it yet. Each process walks the range from a random start and
 * does not hand a port out again for RESERVED_MS (time for its process to bind it; after that a
 * bound port fails the listen check); a port something listens on is skipped. Where the ephemeral
 * range starts too low to leave room, `listen(0)` is used.
 */
const POD_PORTS_FROM = 20_000;
const RESERVED_MS = 10 * 60_000;
let podPortCursor: number | undefined;
const handedOut = new Map<number, number>();

function ephemeralStart(): number {
  try {
    return (
      Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768
    );
  } catch {
    return 32_768;
  }
}

/** Listens on 127.0.0.1:`port` (0: any) and closes again: the port it got, or undefined if it was taken. */
function tryListen(port: number): Promise<number | undefined> {
  return new Promise((done) => {
    const srv = createServer();
    srv.once('error', () => done(undefined));
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => done(typeof addr === 'object' && addr ? addr.port : undefined));
    });
  });
}

async function anyLoopbackPort(): Promise<number> {
  const port = await tryListen(0);
  if (port === undefined) throw new Error('no free loopback port');
  return port;
}

export async function freeLoopbackPort(): Promise<number> {
  const end = ephemeralStart();
  const size = end - POD_PORTS_FROM;
  if (size < 1_000) return anyLoopbackPort();
  podPortCursor ??= Math.floor(Math.random() * size);
  const now = Date.now();
  for (const [port, at] of handedOut) if (now - at > RESERVED_MS) handedOut.delete(port);
  for (let tried = 0; tried < size; tried++) {
    const port = POD_PORTS_FROM + (podPortCursor++ % size);
    if (handedOut.has(port) || (await tryListen(port)) === undefined) continue;
    handedOut.set(port, now);
    return port;
  }
  return anyLoopbackPort();
}

export class Kubelet {
  private readonly workers = new Map<string, PodWorker>();
  private readonly terminating = new Map<string, Promise<void>>();
  private readonly usedIps = new Set<number>();
  private nextIp = 1;
  private stopWatch: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly ctx: Omit<KubeletContext, 'freePort'> & {
      freePort?: () => Promise<number>;
      schedulerEvents?: EventSink;
    },
  ) {}

  start(): void {
    const { items, resourceVersion } = this.ctx.store.list(this.ctx.k.pod, undefined);
    for (const p of items) this.onPod({ type: 'ADDED', object: p });
    try {
      this.stopWatch = this.ctx.store.watch(this.ctx.k.pod, undefined, { resourceVersion }, (e) => {
        // Never act inside the store's callback: the store is mid-write.
        if (e.type !== 'BOOKMARK') setImmediate(() => this.onPod(e));
      });
    } catch (e) {
      if (e instanceof StoreError && e.status === 410) return this.start();
      throw e;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWatch?.();
    // Shutting down the sandbox stops every process at once (no grace: the API server is going away).
    await Promise.all([...this.workers.values()].map((w) => w.terminate(0)));
    await Promise.all(this.terminating.values());
    this.workers.clear();
  }

  worker(namespace: string, name: string): PodWorker | undefined {
    const pod = this.ctx.store.get(this.ctx.k.pod, namespace, name);
    return pod ? this.workers.get(pod.metadata.uid as string) : undefined;
  }

  workerByUid(uid: string): PodWorker | undefined {
    return this.workers.get(uid);
  }

  private onPod(event: WatchEvent): void {
    if (this.stopped) return;
    const pod = event.object;
    const uid = pod.metadata.uid as string;
    const nodeName = spec<{ nodeName?: string }>(pod).nodeName;
    if (nodeName && nodeName !== SANDBOX_NODE_NAME) return;
    const worker = this.workers.get(uid);
    if (event.type === 'DELETED') {
      // Deleted without grace (force, or a store without graceful deletion): kill at once.
      if (worker) void this.finish(pod, worker, 0, false);
      return;
    }
    if (pod.metadata.deletionTimestamp) {
      if (!this.terminating.has(uid)) {
        const grace =
          pod.metadata.deletionGracePeriodSeconds ??
          spec<{ terminationGracePeriodSeconds?: number }>(pod).terminationGracePeriodSeconds ??
          30;
        if (worker) void this.finish(pod, worker, grace, true);
        else this.deleteNow(pod);
      }
      return;
    }
    if (worker || isPodTerminal(pod)) return;
    this.admit(pod);
  }

  private admit(pod: KubeObject): void {
    let bound = pod;
    if (!spec<{ nodeName?: string }>(pod).nodeName) {
      const updated = updateWithRetry(
        this.ctx.store,
        this.ctx.k.pod,
        pod.metadata.namespace,
        pod.metadata.name as string,
        (p) => {
          if (spec<{ nodeName?: string }>(p).nodeName) return false;
          (p.spec as { nodeName?: string }).nodeName = SANDBOX_NODE_NAME;
        },
        { uid: pod.metadata.uid as string },
      );
      if (!updated || updated.metadata.deletionTimestamp) return;
      bound = updated;
    }
    this.ctx.schedulerEvents?.record(
      bound,
      'Normal',
      'Scheduled',
      `Successfully assigned ${bound.metadata.namespace}/${bound.metadata.name} to ${SANDBOX_NODE_NAME}`,
    );
    const worker = new PodWorker(
      { ...this.ctx, freePort: this.ctx.freePort ?? freeLoopbackPort },
      bound,
      this.allocateIp(),
    );
    this.workers.set(bound.metadata.uid as string, worker);
    worker
      .start()
      .catch((e: Error) =>
        this.ctx.log(`kubelet: starting ${pod.metadata.namespace}/${pod.metadata.name}: ${e.message}`),
      );
  }

  private finish(pod: KubeObject, worker: PodWorker, grace: number, thenDelete: boolean): Promise<void> {
    const uid = pod.metadata.uid as string;
    const done = worker
      .terminate(grace)
      .then(() => {
        this.workers.delete(uid);
        this.releaseIp(worker.podIP);
        if (thenDelete) this.deleteNow(pod);
      })
      .finally(() => this.terminating.delete(uid));
    this.terminating.set(uid, done);
    return done;
  }

  private deleteNow(pod: KubeObject): void {
    try {
      this.ctx.store.delete(this.ctx.k.pod, pod.metadata.namespace, pod.metadata.name as string, {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid as string },
      });
    } catch (e) {
      if (!isNotFound(e) && !(e instanceof StoreError && e.status === 409))
        this.ctx.log(`kubelet: deleting ${pod.metadata.name}: ${(e as Error).message}`);
    }
  }

  private allocateIp(): string {
    for (let i = 0; i < 65_534; i++) {
      const n = ((this.nextIp + i - 1) % 65_534) + 1;
      if (!this.usedIps.has(n)) {
        this.usedIps.add(n);
        this.nextIp = n + 1;
        return `${POD_IP_PREFIX}.${n >> 8}.${n & 255}`;
      }
    }
    throw new Error('the sandbox ran out of pod IPs');
  }

  private releaseIp(ip: string): void {
    const [, , a, b] = ip.split('.').map(Number);
    this.usedIps.delete(((a ?? 0) << 8) | (b ?? 0));
  }
}
