/**
 * The sandbox's in-memory ObjectStore: one global resourceVersion counter (like etcd's revision),
 * optimistic concurrency, generation bumped only on spec change, defaulting on every write,
 * finalizers and graceful deletion, and garbage collection through the Collector.
 */
import { rfc3339 } from '@slipway/kube';
import type { KubeObject } from '@slipway/kube';
import { randomUUID } from 'node:crypto';
import {
  StoreError,
  type Clock,
  type DeleteOptions,
  type ListOptions,
  type ObjectStore,
  type ResourceType,
  type UpdateOptions,
  type WatchEvent,
} from '../types.js';
import { ClusterIpAllocator } from './cluster-ip.js';
import { Collector } from './collector.js';
import { applyDefaults, pruneNulls } from './defaults.js';
import { ResourceRegistry, typeKey, type ServedResource } from './registry.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { validateObject } from './object-validation.js';
import { hasGeneration, isNoop, mergeUpdate } from './update-merge.js';
import { qualifiedResource, validateName } from './validation.js';
import { WatchHub, DEFAULT_HISTORY_SIZE } from './watch-hub.js';

export const systemClock: Clock = {
  now: () => new Date(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
};

export interface MemoryStoreOptions {
  clock?: Clock;
  historySize?: number;
  /**
   * When a kubelet runs, pod deletion is graceful: DELETE sets deletionTimestamp and the kubelet
   * finishes with a grace-0 delete once the containers stopped. Without one, pods go at once.
   */
  gracefulPodDeletion?: boolean;
}

export interface WriteOptions {
  dryRun?: boolean;
}

const GENERATE_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export class MemoryStore implements ObjectStore {
  readonly registry = new ResourceRegistry();
  readonly clock: Clock;
  gracefulPodDeletion: boolean;
  private rv = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly hub: WatchHub;
  private readonly collector: Collector;
  private readonly ips = new ClusterIpAllocator();
  private readonly changeListeners: (() => void)[] = [];

  constructor(opts: MemoryStoreOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.hub = new WatchHub(opts.historySize ?? DEFAULT_HISTORY_SIZE);
    this.gracefulPodDeletion = opts.gracefulPodDeletion ?? false;
    this.collector = new Collector(this);
  }

  types(): ResourceType[] {
    return this.registry.all;
  }

  typeFor(apiVersion: string, kind: string): ServedResource | undefined {
    return this.registry.forKind(apiVersion, kind);
  }

  resourceVersion(): string {
    return String(this.rv);
  }

  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.raw(type, namespace, name);
    return o && structuredClone(o);
  }

  /** `copy: false` hands out the stored objects themselves, for callers that only serialise them. */
  list(
    type: ResourceType,
    namespace: string | undefined,
    opts: ListOptions = {},
    copy = true,
  ): { items: KubeObject[]; resourceVersion: string } {
    const matches = this.matcher(type, opts);
    const items = [...this.bucket(type).values()]
      .filter((o) => (namespace === undefined || o.metadata.namespace === namespace) && matches(o))
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b)))
      .map((o) => (copy ? structuredClone(o) : o));
    return { items, resourceVersion: this.resourceVersion() };
  }

  create(input: KubeObject, opts: WriteOptions = {}): KubeObject {
    const type = this.requireType(input);
    const o = pruneNulls(input) as KubeObject; // a deep copy
    const meta = (o.metadata ??= {});
    if (!type.namespaced) delete meta.namespace;
    else {
      meta.namespace ||= 'default';
      this.requireNamespaceOpen(meta.namespace);
    }
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    validateName(type, meta.name);
    if (this.raw(type, meta.namespace, meta.name as string)) {
      throw new StoreError(409, 'AlreadyExists', `${qualifiedResource(type)} "${meta.name}" already exists`, {
        name: meta.name,
        group: type.group,
        kind: type.resource,
      });
    }
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(this.clock.now());
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (hasGeneration(type)) meta.generation = 1;
    else delete meta.generation;
    applyDefaults(o, { allocateClusterIP: () => this.ips.allocate() });
    validateObject(type, o, undefined);
    if (opts.dryRun) {
      meta.resourceVersion = '';
      return o;
    }
    this.put(type, o, 'ADDED');
    this.collector.afterCreate(o);
    return structuredClone(o);
  }

  update(input: KubeObject, opts: UpdateOptions & WriteOptions = {}): KubeObject {
    const type = this.requireType(input);
    const namespace = type.namespaced ? input.metadata.namespace || 'default' : undefined;
    const name = input.metadata.name ?? '';
    const stored = this.raw(type, namespace, name);
    if (!stored) throw notFound(type, name);
    const rv = input.metadata.resourceVersion;
    if (rv && rv !== stored.metadata.resourceVersion) throw conflict(type, name);
    const next = mergeUpdate(type, stored, pruneNulls(input) as KubeObject, opts.subresource, {
      allocateClusterIP: () => this.ips.allocate(),
    });
    if (opts.subresource !== 'status') validateObject(type, next, stored);
    if (isNoop(stored, next)) return structuredClone(stored);
    if (opts.dryRun) return next;
    if (
      next.metadata.deletionTimestamp &&
      !next.metadata.finalizers?.length &&
      !this.collector.awaitsGrace(type, next)
    ) {
      this.remove(type, next);
      return structuredClone(next);
    }
    this.put(type, next, 'MODIFIED', stored);
    this.collector.afterUpdate(type, next, stored);
    return structuredClone(next);
  }

  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions & WriteOptions = {},
  ): KubeObject {
    const served = this.requireServed(type);
    const stored = this.raw(served, namespace, name);
    if (!stored) throw notFound(served, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== stored.metadata.uid) {
      throw new StoreError(
        409,
        'Conflict',
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${stored.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== stored.metadata.resourceVersion)
      throw conflict(served, name);
    if (opts.dryRun) return structuredClone(stored);
    return structuredClone(this.collector.delete(served, stored, opts));
  }

  watch(
    type: ResourceType,
    namespace: string | undefined,
    opts: ListOptions & {
      resourceVersion?: string;
      /** Events carry the stored objects, not copies: for serialising watchers. */ shared?: boolean;
    },
    onEvent: (event: WatchEvent) => void,
  ): () => void {
    const served = this.requireServed(type);
    const matches = this.matcher(served, opts);
    const fromRv =
      opts.resourceVersion && opts.resourceVersion !== '0' ? Number(opts.resourceVersion) : undefined;
    if (fromRv !== undefined && !Number.isInteger(fromRv))
      throw new StoreError(400, 'BadRequest', `invalid resource version: ${opts.resourceVersion}`);
    const initial = fromRv === undefined ? this.list(served, namespace, opts, false).items : undefined;
    return this.hub.watch(
      { type: served, namespace, matches, shared: !!opts.shared },
      fromRv ?? this.rv,
      initial,
      this.rv,
      onEvent,
    );
  }

  // ---- internals shared with the Collector and persistence ----

  raw(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.bucket(type).get(`${type.namespaced ? (namespace ?? '') : ''}/${name}`);
  }

  allOf(type: ResourceType): KubeObject[] {
    return [...this.bucket(type).values()];
  }

  /** Persists a change made by the store itself (GC, finalizer removal, namespace phase). */
  put(type: ResourceType, o: KubeObject, event: 'ADDED' | 'MODIFIED', previous?: KubeObject): void {
    o.metadata.resourceVersion = String(++this.rv);
    this.bucket(type).set(keyOf(o), o);
    this.hub.record({
      rv: this.rv,
      typeKey: typeKey(type),
      namespace: o.metadata.namespace,
      type: event,
      object: o,
      previous,
    });
    this.changed();
  }

  remove(type: ResourceType, o: KubeObject): void {
    this.bucket(type).delete(keyOf(o));
    o.metadata.resourceVersion = String(++this.rv);
    this.hub.record({
      rv: this.rv,
      typeKey: typeKey(type),
      namespace: o.metadata.namespace,
      type: 'DELETED',
      object: o,
    });
    this.changed();
    this.collector.afterRemove(o);
  }

  /** Loads persisted objects (from --data-dir) without events; watches from before are Gone. */
  restore(objects: KubeObject[], resourceVersion: number): void {
    for (const o of objects) {
      const type = this.typeFor(o.apiVersion, o.kind);
      if (type) this.bucket(type).set(keyOf(o), o);
    }
    this.rv = Math.max(this.rv, resourceVersion);
    this.hub.compactedThrough(this.rv);
    this.collector.reindex(objects);
    for (const o of this.allOf(this.registry.forResource('', 'v1', 'services') as ServedResource)) {
      this.ips.reserve((o.spec as { clusterIP?: string } | undefined)?.clusterIP);
    }
  }

  snapshot(): { resourceVersion: number; objects: KubeObject[] } {
    return { resourceVersion: this.rv, objects: [...this.objects.values()].flatMap((m) => [...m.values()]) };
  }

  watcherCount(): number {
    return this.hub.watcherCount();
  }

  private changed(): void {
    for (const l of this.changeListeners) l();
  }

  private matcher(type: ResourceType, opts: ListOptions): (o: KubeObject) => boolean {
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = parseFieldSelector(opts.fieldSelector, type.kind);
    return (o) => labels(o.metadata.labels ?? {}) && fields(o);
  }

  private bucket(type: ResourceType): Map<string, KubeObject> {
    const key = typeKey(type);
    let m = this.objects.get(key);
    if (!m) this.objects.set(key, (m = new Map()));
    return m;
  }

  private requireType(o: KubeObject): ServedResource {
    if (!o || typeof o !== 'object' || !o.metadata || typeof o.metadata !== 'object')
      throw new StoreError(400, 'BadRequest', 'Object has no metadata');
    const type = this.typeFor(o.apiVersion, o.kind);
    if (!type)
      throw new StoreError(
        404,
        'NotFound',
        `the server could not find the requested resource (no kind "${o.kind}" is registered for version "${o.apiVersion}")`,
      );
    return type;
  }

  private requireServed(type: ResourceType): ServedResource {
    const served = this.registry.forResource(type.group, type.version, type.resource);
    if (!served)
      throw new StoreError(
        404,
        'NotFound',
        `the server could not find the requested resource ${type.resource}`,
      );
    return served;
  }

  private requireNamespaceOpen(namespace: string): void {
    const ns = this.raw(
      this.registry.forResource('', 'v1', 'namespaces') as ServedResource,
      undefined,
      namespace,
    );
    if (!ns)
      throw new StoreError(404, 'NotFound', `namespaces "${namespace}" not found`, {
        name: namespace,
        group: '',
        kind: 'namespaces',
      });
    if (ns.metadata.deletionTimestamp) {
      throw new StoreError(
        403,
        'Forbidden',
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++)
    s += GENERATE_NAME_ALPHABET[Math.floor(Math.random() * GENERATE_NAME_ALPHABET.length)];
  return s;
}

export function notFound(type: ResourceType, name: string): StoreError {
  return new StoreError(404, 'NotFound', `${qualifiedResource(type)} "${name}" not found`, {
    name,
    group: type.group,
    kind: type.resource,
  });
}

export function conflict(type: ResourceType, name: string): StoreError {
  return new StoreError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: type.group, kind: type.resource },
  );
}
