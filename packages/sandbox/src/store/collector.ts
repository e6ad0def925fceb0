/**
 * Deletion semantics and the garbage collector, after kubernetes/pkg/controller/garbagecollector
 * and the namespace controller:
 * - background: the owner goes now; dependents whose owners are all gone are deleted after it;
 * - foreground: the owner keeps `foregroundDeletion` + deletionTimestamp until its blocking
 *   dependents are gone (kubectl `delete --cascade=foreground` waits on exactly that);
 * - orphan: ownerReferences to the owner are stripped from dependents, then the owner goes;
 * - a namespace turns Terminating, its contents are deleted, then it goes.
 * Work runs synchronously at the end of each store call, so tests see a settled store.
 */
import { type KubeObject, rfc3339 } from '@slipway/kube';
import type { Clock, DeleteOptions, ResourceType, UpdateOptions } from '../types.js';
import { typeKey, type ResourceRegistry, type ServedResource } from './registry.js';

/** What the Collector needs of the store that owns it (MemoryStore): its objects and its own writes. */
export interface CollectedStore {
  readonly registry: ResourceRegistry;
  readonly clock: Clock;
  readonly gracefulPodDeletion: boolean;
  typeFor(apiVersion: string, kind: string): ServedResource | undefined;
  raw(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined;
  allOf(type: ResourceType): KubeObject[];
  put(type: ResourceType, o: KubeObject, event: 'ADDED' | 'MODIFIED', previous?: KubeObject): void;
  remove(type: ResourceType, o: KubeObject): void;
  update(input: KubeObject, opts?: UpdateOptions): KubeObject;
  delete(type: ResourceType, namespace: string | undefined, name: string, opts?: DeleteOptions): KubeObject;
}

const FOREGROUND = 'foregroundDeletion';
const ORPHAN = 'orphan';

interface Ref {
  type: ServedResource;
  namespace: string | undefined;
  name: string;
}

export class Collector {
  private readonly byUid = new Map<string, Ref>();
  private readonly dependents = new Map<string, Map<string, Ref>>();
  private readonly pendingOwners = new Set<string>(); // uids with foreground/orphan finalizers
  private readonly removedOwners: string[] = [];
  private readonly maybeOrphans: string[] = [];
  private readonly terminating = new Set<string>();
  private draining = false;

  constructor(private readonly store: CollectedStore) {}

  afterCreate(o: KubeObject): void {
    this.index(o);
    if (o.metadata.ownerReferences?.length) this.maybeOrphans.push(o.metadata.uid as string);
    this.drain();
  }

  afterUpdate(type: ServedResource, next: KubeObject, previous: KubeObject): void {
    this.unindex(previous);
    this.index(next);
    void type;
    this.drain();
  }

  afterRemove(o: KubeObject): void {
    this.unindex(o);
    this.byUid.delete(o.metadata.uid as string);
    this.removedOwners.push(o.metadata.uid as string);
    this.drain();
  }

  /** After a restore from --data-dir: rebuild the indexes and resume unfinished deletions. */
  reindex(objects: KubeObject[]): void {
    for (const o of objects) {
      this.index(o);
      const f = o.metadata.finalizers ?? [];
      if (o.metadata.deletionTimestamp && (f.includes(FOREGROUND) || f.includes(ORPHAN)))
        this.pendingOwners.add(o.metadata.uid as string);
      if (o.kind === 'Namespace' && o.metadata.deletionTimestamp)
        this.terminating.add(o.metadata.name as string);
    }
    this.drain();
  }

  /** Pods with a grace period wait for the kubelet's grace-0 delete after their finalizers are gone. */
  awaitsGrace(type: ServedResource, o: KubeObject): boolean {
    return (
      type.kind === 'Pod' &&
      this.store.gracefulPodDeletion &&
      (o.metadata.deletionGracePeriodSeconds ?? 0) > 0
    );
  }

  delete(type: ServedResource, stored: KubeObject, opts: DeleteOptions): KubeObject {
    const o = structuredClone(stored);
    const meta = o.metadata;
    if (meta.deletionTimestamp) {
      if (type.kind === 'Pod' && opts.gracePeriodSeconds === 0 && !meta.finalizers?.length)
        this.store.remove(type, o);
      return o;
    }
    const now = this.store.clock.now();
    if (type.kind === 'Namespace') {
      meta.deletionTimestamp = rfc3339(now);
      o.status = { ...((o.status as object | undefined) ?? {}), phase: 'Terminating' };
      this.store.put(type, o, 'MODIFIED', stored);
      this.terminating.add(meta.name as string);
      this.drain();
      return this.current(type, o);
    }
    const finalizers = [...(meta.finalizers ?? [])];
    const policy = opts.propagationPolicy ?? 'Background';
    if (policy === 'Foreground' && !finalizers.includes(FOREGROUND)) finalizers.push(FOREGROUND);
    if (policy === 'Orphan' && !finalizers.includes(ORPHAN)) finalizers.push(ORPHAN);
    const grace = this.graceSeconds(type, o, opts);
    if (!finalizers.length && grace === 0) {
      this.store.remove(type, o);
      return o;
    }
    meta.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
    meta.deletionGracePeriodSeconds = grace;
    if (finalizers.length) meta.finalizers = finalizers;
    this.store.put(type, o, 'MODIFIED', stored);
    if (finalizers.includes(FOREGROUND) || finalizers.includes(ORPHAN))
      this.pendingOwners.add(meta.uid as string);
    this.drain();
    return this.current(type, o);
  }

  private graceSeconds(type: ServedResource, o: KubeObject, opts: DeleteOptions): number {
    if (type.kind !== 'Pod' || !this.store.gracefulPodDeletion) return 0;
    const spec = (o.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const phase = (o.status as { phase?: string } | undefined)?.phase;
    // Unscheduled and finished pods have nothing to stop (pkg/registry/core/pod/strategy.go CheckGracefulDelete).
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    return Math.max(0, opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30);
  }

  private current(type: ServedResource, o: KubeObject): KubeObject {
    return this.store.raw(type, o.metadata.namespace, o.metadata.name as string) ?? o;
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let progress = true; progress;) {
        progress = false;
        while (this.removedOwners.length) {
          const uid = this.removedOwners.shift() as string;
          for (const dep of this.dependentsOf(uid)) progress = this.collectIfOwnerless(dep) || progress;
        }
        while (this.maybeOrphans.length) {
          const ref = this.byUid.get(this.maybeOrphans.shift() as string);
          if (ref) progress = this.collectIfOwnerless(ref) || progress;
        }
        for (const uid of [...this.pendingOwners]) progress = this.finishOwner(uid) || progress;
        for (const ns of [...this.terminating]) progress = this.finishNamespace(ns) || progress;
      }
    } finally {
      this.draining = false;
    }
  }

  private collectIfOwnerless(ref: Ref): boolean {
    const o = this.store.raw(ref.type, ref.namespace, ref.name);
    if (!o || o.metadata.deletionTimestamp) return false;
    const owners = o.metadata.ownerReferences ?? [];
    if (!owners.length || owners.some((r) => this.byUid.has(r.uid))) return false;
    this.store.delete(ref.type, ref.namespace, ref.name, { propagationPolicy: 'Background' });
    return true;
  }

  private finishOwner(uid: string): boolean {
    const ref = this.byUid.get(uid);
    const owner = ref && this.store.raw(ref.type, ref.namespace, ref.name);
    if (!ref || !owner) {
      this.pendingOwners.delete(uid);
      return false;
    }
    const finalizers = owner.metadata.finalizers ?? [];
    let changed = false;
    if (finalizers.includes(ORPHAN)) {
      for (const dep of this.dependentsOf(uid)) {
        const d = this.store.raw(dep.type, dep.namespace, dep.name);
        if (!d) continue;
        const next = structuredClone(d);
        next.metadata.ownerReferences = (d.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
        if (!next.metadata.ownerReferences.length) delete next.metadata.ownerReferences;
        this.store.put(dep.type, next, 'MODIFIED', d);
        this.unindex(d);
        this.index(next);
      }
      return this.dropFinalizer(ref, owner, ORPHAN);
    }
    if (finalizers.includes(FOREGROUND)) {
      let blocking = 0;
      for (const dep of this.dependentsOf(uid)) {
        const d = this.store.raw(dep.type, dep.namespace, dep.name);
        if (!d) continue;
        if (!d.metadata.deletionTimestamp) {
          this.store.delete(dep.type, dep.namespace, dep.name, { propagationPolicy: 'Foreground' });
          changed = true;
        }
        const still = this.store.raw(dep.type, dep.namespace, dep.name);
        if (
          still &&
          (still.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.blockOwnerDeletion)
        )
          blocking++;
      }
      if (blocking === 0) return this.dropFinalizer(ref, owner, FOREGROUND);
      return changed;
    }
    this.pendingOwners.delete(uid);
    return changed;
  }

  private dropFinalizer(ref: Ref, owner: KubeObject, finalizer: string): boolean {
    const next = structuredClone(owner);
    next.metadata.finalizers = (owner.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    if (!next.metadata.finalizers.length) delete next.metadata.finalizers;
    this.store.update(next, {});
    this.pendingOwners.delete(owner.metadata.uid as string);
    void ref;
    return true;
  }

  private finishNamespace(name: string): boolean {
    let remaining = 0;
    let changed = false;
    for (const type of this.store.registry.all) {
      if (!type.namespaced) continue;
      for (const o of this.store.allOf(type)) {
        if (o.metadata.namespace !== name) continue;
        remaining++;
        if (!o.metadata.deletionTimestamp) {
          this.store.delete(type, name, o.metadata.name as string, { propagationPolicy: 'Background' });
          changed = true;
        }
      }
    }
    if (remaining && changed) return true;
    if (remaining) return false;
    const nsType = this.store.registry.forResource('', 'v1', 'namespaces') as ServedResource;
    const ns = this.store.raw(nsType, undefined, name);
    this.terminating.delete(name);
    if (ns) this.store.remove(nsType, structuredClone(ns));
    return true;
  }

  private dependentsOf(uid: string): Ref[] {
    return [...(this.dependents.get(uid)?.values() ?? [])];
  }

  private index(o: KubeObject): void {
    const type = this.store.typeFor(o.apiVersion, o.kind);
    if (!type) return;
    const ref: Ref = { type, namespace: o.metadata.namespace, name: o.metadata.name as string };
    this.byUid.set(o.metadata.uid as string, ref);
    for (const owner of o.metadata.ownerReferences ?? []) {
      let m = this.dependents.get(owner.uid);
      if (!m) this.dependents.set(owner.uid, (m = new Map()));
      m.set(refKey(ref), ref);
    }
  }

  private unindex(o: KubeObject): void {
    const type = this.store.typeFor(o.apiVersion, o.kind);
    if (!type) return;
    const key = refKey({ type, namespace: o.metadata.namespace, name: o.metadata.name as string });
    for (const owner of o.metadata.ownerReferences ?? []) {
      const m = this.dependents.get(owner.uid);
      m?.delete(key);
      if (m && !m.size) this.dependents.delete(owner.uid);
    }
  }
}

function refKey(ref: Ref): string {
  return `${typeKey(ref.type)}|${ref.namespace ?? ''}/${ref.name}`;
}
