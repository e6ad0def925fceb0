/**
 * An in-memory Cluster for unit tests of the engine. It obeys the contract suite that the
 * client-node implementation passes against the sandbox (test/cluster/contract.ts), so a test that
 * passes here means the same against an API server. Faults are injected through fields, as Helm's
 * FailingKubeClient does (`pkg/kube/fake`): set `errors.apply` and every apply throws it.
 * Controllers are not simulated; tests play the controller by writing status with `replace`.
 */
import type { KubeObject, ObjectRef, TypeRef } from '@slipway/kube';
import { randomUUID } from 'node:crypto';
import jsonPatch, { type Operation } from 'fast-json-patch';
import { UserError, EXIT_NEEDS_ATTENTION } from '../errors.js';
import { applyMerge, type Leaves } from './apply-merge.js';
import {
  ClusterError,
  describeRef,
  listSelector,
  refOf,
  type ApplyOptions,
  type Cluster,
  type DeleteOptions,
  type ListOptions,
  type ListResult,
  type PatchType,
  type PodLogOptions,
  type WriteOptions,
} from './cluster.js';
import { mergePatch } from './merge-patch.js';
import { isClusterScoped } from './scope.js';

export type Verb = 'apply' | 'create' | 'replace' | 'get' | 'list' | 'delete' | 'patch' | 'watch' | 'podLogs';

export interface MemoryClusterOptions {
  namespace?: string;
  now?: () => Date;
}

interface Stored {
  object: KubeObject;
  owners: Map<string, Leaves>;
}

type Listener = (obj: KubeObject, type: 'ADDED' | 'MODIFIED' | 'DELETED') => void;

export class MemoryCluster implements Cluster {
  readonly namespace: string;
  readonly description = 'the in-memory cluster';
  /** Every verb with a set error throws it (cleared by deleting the field). */
  errors: Partial<Record<Verb, Error>> = {};
  /** When true every call fails as an unreachable server does. */
  unreachable = false;
  /** Each API request made, in order: what the deploy costs in requests. */
  readonly requests: Array<{ verb: Verb; ref: string }> = [];
  /** Pod logs served by podLogs, keyed `namespace/name` (tests play the kubelet). */
  readonly logs = new Map<string, string>();

  private readonly objects = new Map<string, Stored>();
  private readonly listeners = new Set<Listener>();
  private revision = 0;
  private readonly now: () => Date;

  constructor(opts: MemoryClusterOptions = {}) {
    this.namespace = opts.namespace ?? 'default';
    this.now = opts.now ?? (() => new Date());
  }

  async apply(objects: KubeObject[], opts: ApplyOptions): Promise<KubeObject[]> {
    const results: KubeObject[] = [];
    for (const applied of objects) {
      const ref = this.ref(applied);
      this.enter('apply', ref);
      const key = keyOf(ref);
      const stored = this.objects.get(key);
      const expected = applied.metadata.resourceVersion;
      if (stored && expected && expected !== stored.object.metadata.resourceVersion) throw modified(ref);
      const merged = applyMerge({
        live: stored?.object,
        applied: withNamespace(applied, ref),
        manager: opts.fieldManager,
        force: !!opts.force,
        owners: stored?.owners ?? new Map(),
      });
      if (merged.conflicts.length) {
        const list = merged.conflicts.map((c) => `.${c.path} (owned by "${c.manager}")`).join(', ');
        throw new ClusterError(
          409,
          'Conflict',
          `Apply failed with ${merged.conflicts.length} conflict(s): ${list}`,
        );
      }
      const object = this.stamp(merged.object, stored?.object);
      if (!opts.dryRun) this.store(key, { object, owners: merged.owners }, stored ? 'MODIFIED' : 'ADDED');
      results.push(structuredClone(object));
    }
    return results;
  }

  async create<T extends KubeObject>(object: T, opts: WriteOptions = {}): Promise<T> {
    const ref = this.ref(object);
    this.enter('create', ref);
    const key = keyOf(ref);
    if (this.objects.has(key))
      throw new ClusterError(409, 'AlreadyExists', `${describeRef(ref)} already exists`);
    const created = this.stamp(withNamespace(structuredClone(object), ref), undefined);
    if (!opts.dryRun) this.store(key, { object: created, owners: new Map() }, 'ADDED');
    return structuredClone(created) as T;
  }

  async replace<T extends KubeObject>(object: T, opts: WriteOptions = {}): Promise<T> {
    const ref = this.ref(object);
    this.enter('replace', ref);
    const key = keyOf(ref);
    const stored = this.objects.get(key);
    if (!stored) throw new ClusterError(404, 'NotFound', `${describeRef(ref)} not found`);
    const expected = object.metadata.resourceVersion;
    if (expected !== undefined && expected !== stored.object.metadata.resourceVersion) {
      throw modified(ref);
    }
    const replaced = this.stamp(withNamespace(structuredClone(object), ref), stored.object);
    if (!opts.dryRun) this.store(key, { object: replaced, owners: stored.owners }, 'MODIFIED');
    return structuredClone(replaced) as T;
  }

  async get<T extends KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    const r = this.normalise(ref);
    this.enter('get', r);
    const stored = this.objects.get(keyOf(r));
    return stored ? (structuredClone(stored.object) as T) : undefined;
  }

  async list<T extends KubeObject>(type: TypeRef, opts: ListOptions = {}): Promise<ListResult<T>> {
    const namespace = isClusterScoped(type.kind) ? undefined : (type.namespace ?? this.namespace);
    this.enter('list', { ...type, namespace, name: '*' });
    const items = [...this.objects.values()]
      .map((s) => s.object)
      .filter(
        (o) => o.apiVersion === type.apiVersion && o.kind === type.kind && o.metadata.namespace === namespace,
      )
      .filter((o) => listSelector(opts.labelSelector).matches(o.metadata.labels))
      .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    return { items: structuredClone(items) as T[], resourceVersion: String(this.revision) };
  }

  async delete(ref: ObjectRef, opts: DeleteOptions = {}): Promise<boolean> {
    const r = this.normalise(ref);
    this.enter('delete', r);
    const stored = this.objects.get(keyOf(r));
    if (!stored) return false;
    if (
      opts.resourceVersion !== undefined &&
      opts.resourceVersion !== stored.object.metadata.resourceVersion
    ) {
      throw new ClusterError(
        409,
        'Conflict',
        `Precondition failed for ${describeRef(r)}: resourceVersion changed`,
      );
    }
    if (opts.dryRun) return true;
    this.remove(keyOf(r), opts.propagationPolicy ?? 'Background');
    return true;
  }

  async patch<T extends KubeObject>(
    ref: ObjectRef,
    patch: unknown,
    type: PatchType,
    opts: WriteOptions = {},
  ): Promise<T> {
    const r = this.normalise(ref);
    this.enter('patch', r);
    const key = keyOf(r);
    const stored = this.objects.get(key);
    if (!stored) throw new ClusterError(404, 'NotFound', `${describeRef(r)} not found`);
    let next: KubeObject;
    if (type === 'json') {
      try {
        next = jsonPatch.applyPatch(
          structuredClone(stored.object),
          patch as Operation[],
          true,
          false,
        ).newDocument;
      } catch (err) {
        throw new ClusterError(
          422,
          'Invalid',
          `json patch on ${describeRef(r)} failed: ${(err as Error).message}`,
        );
      }
    } else {
      // Strategic merge differs from a merge patch only for list-maps keyed by name; the engine's
      // patches (selectors, replicas, annotations) touch no lists, so a merge patch stands in.
      next = mergePatch(stored.object, patch) as KubeObject;
    }
    const guard = (patch as { metadata?: { resourceVersion?: string } } | undefined)?.metadata
      ?.resourceVersion;
    if (type !== 'json' && guard !== undefined && guard !== stored.object.metadata.resourceVersion) {
      throw new ClusterError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${describeRef(r)}: the object has been modified`,
      );
    }
    const patched = this.stamp(next, stored.object);
    if (!opts.dryRun) this.store(key, { object: patched, owners: stored.owners }, 'MODIFIED');
    return structuredClone(patched) as T;
  }

  watch<T extends KubeObject>(
    ref: ObjectRef,
    until: (obj: T | undefined) => boolean,
    signal: AbortSignal,
  ): Promise<T | undefined> {
    const r = this.normalise(ref);
    const key = keyOf(r);
    return this.waitFor(
      'watch',
      r,
      () => this.objects.get(key)?.object,
      (obj) => keyOf(this.ref(obj)) === key,
      (current) => until(current ? (structuredClone(current) as T) : undefined),
      signal,
    ).then((obj) => (obj ? (structuredClone(obj) as T) : undefined));
  }

  watchList<T extends KubeObject>(
    type: TypeRef,
    opts: ListOptions,
    until: (items: T[]) => boolean,
    signal: AbortSignal,
  ): Promise<T[]> {
    const namespace = isClusterScoped(type.kind) ? undefined : (type.namespace ?? this.namespace);
    const matches = (o: KubeObject): boolean =>
      o.apiVersion === type.apiVersion &&
      o.kind === type.kind &&
      o.metadata.namespace === namespace &&
      listSelector(opts.labelSelector).matches(o.metadata.labels);
    const current = (): T[] =>
      structuredClone(
        [...this.objects.values()]
          .map((s) => s.object)
          .filter(matches)
          .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '')),
      ) as T[];
    // A change to an object that stopped matching (labels removed) still re-evaluates: the set shrank.
    return this.waitFor(
      'watch',
      { ...type, namespace, name: '*' },
      current,
      (obj) => obj.apiVersion === type.apiVersion && obj.kind === type.kind,
      until,
      signal,
    );
  }

  /** Checks `until` against `current()` now and after every change `relevant` says concerns it. */
  private waitFor<S>(
    verb: Verb,
    ref: ObjectRef,
    current: () => S,
    relevant: (obj: KubeObject) => boolean,
    until: (state: S) => boolean,
    signal: AbortSignal,
  ): Promise<S> {
    return new Promise<S>((resolve, reject) => {
      const finish = (fn: () => void): void => {
        this.listeners.delete(listener);
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      const check = (): void => {
        const state = current();
        try {
          if (until(state)) finish(() => resolve(state));
        } catch (err) {
          finish(() => reject(err));
        }
      };
      const listener: Listener = (obj) => {
        if (relevant(obj)) check();
      };
      const onAbort = (): void => finish(() => reject(signal.reason));
      if (signal.aborted) return reject(signal.reason);
      try {
        this.enter(verb, ref);
      } catch (err) {
        return reject(err);
      }
      signal.addEventListener('abort', onAbort);
      this.listeners.add(listener);
      check();
    });
  }

  async podLogs(ref: { namespace?: string; name: string }, opts: PodLogOptions = {}): Promise<string> {
    const r = this.normalise({ apiVersion: 'v1', kind: 'Pod', ...ref });
    this.enter('podLogs', r);
    if (!this.objects.has(keyOf(r))) throw new ClusterError(404, 'NotFound', `pods "${r.name}" not found`);
    const text = this.logs.get(`${r.namespace}/${r.name}`) ?? '';
    if (opts.tailLines === undefined) return text;
    const lines = text.split('\n');
    const trailing = lines[lines.length - 1] === '' ? 1 : 0;
    return lines.slice(Math.max(0, lines.length - trailing - opts.tailLines)).join('\n');
  }

  private enter(verb: Verb, ref: ObjectRef): void {
    this.requests.push({ verb, ref: describeRef(ref) });
    if (this.unreachable) {
      throw new UserError(`cannot reach ${this.description}: connection refused`, {
        code: 'cluster-unreachable',
        exitCode: EXIT_NEEDS_ATTENTION,
        hint: 'check that the cluster is running',
      });
    }
    const err = this.errors[verb];
    if (err) throw err;
  }

  private ref(obj: KubeObject): ObjectRef {
    return this.normalise(refOf(obj));
  }

  private normalise(ref: ObjectRef): ObjectRef {
    if (isClusterScoped(ref.kind)) return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name };
    return { ...ref, namespace: ref.namespace ?? this.namespace };
  }

  /** Server-owned metadata: uid and creation time kept, resourceVersion and generation advanced. */
  private stamp(next: KubeObject, previous: KubeObject | undefined): KubeObject {
    const meta = next.metadata;
    meta.uid = previous?.metadata.uid ?? randomUUID();
    meta.creationTimestamp =
      previous?.metadata.creationTimestamp ??
      this.now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z');
    meta.resourceVersion = String(this.revision + 1);
    const specChanged =
      !previous || JSON.stringify(withoutMetaStatus(previous)) !== JSON.stringify(withoutMetaStatus(next));
    meta.generation = (previous?.metadata.generation ?? 0) + (specChanged ? 1 : 0);
    return next;
  }

  private store(key: string, stored: Stored, type: 'ADDED' | 'MODIFIED'): void {
    this.revision++;
    stored.object.metadata.resourceVersion = String(this.revision);
    this.objects.set(key, stored);
    this.emit(stored.object, type);
  }

  /** Background and Foreground both remove dependents at once here (no garbage-collector delay). */
  private remove(key: string, propagation: 'Foreground' | 'Background' | 'Orphan'): void {
    const stored = this.objects.get(key);
    if (!stored) return;
    this.objects.delete(key);
    this.revision++;
    this.emit(stored.object, 'DELETED');
    const uid = stored.object.metadata.uid;
    for (const [k, s] of [...this.objects]) {
      const owners = s.object.metadata.ownerReferences ?? [];
      if (!owners.some((o) => o.uid === uid)) continue;
      if (propagation === 'Orphan') {
        s.object.metadata.ownerReferences = owners.filter((o) => o.uid !== uid);
        this.store(k, s, 'MODIFIED');
      } else this.remove(k, propagation);
    }
  }

  private emit(obj: KubeObject, type: 'ADDED' | 'MODIFIED' | 'DELETED'): void {
    for (const l of [...this.listeners]) l(obj, type);
  }
}

function keyOf(ref: ObjectRef): string {
  return `${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ''}|${ref.name}`;
}

function withNamespace<T extends KubeObject>(obj: T, ref: ObjectRef): T {
  if (ref.namespace) obj.metadata = { ...obj.metadata, namespace: ref.namespace };
  return obj;
}

function withoutMetaStatus(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

/** The API server's answer to a write whose resourceVersion is no longer the stored one. */
function modified(ref: ObjectRef): ClusterError {
  return new ClusterError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${describeRef(ref)}: the object has been modified; please apply your changes to the latest version and try again`,
  );
}
