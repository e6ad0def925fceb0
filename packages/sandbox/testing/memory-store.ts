/**
 * A small ObjectStore written only from the contract in packages/sandbox/src/types.ts, independent of the
 * API server's store: the controllers' test double, and the second implementation the store
 * contract suite (store-contract.ts) runs against, so neither side can drift from the contract.
 * It knows the kinds the controllers use, defaults only what the API server must (a Job's
 * generated selector), garbage-collects dependents in the background and, like the real store
 * with a kubelet, keeps deleted pods until a grace-0 delete.
 */
import type { KubeObject } from '@slipway/kube';
import { randomUUID } from 'node:crypto';
import {
  StoreError,
  type DeleteOptions,
  type ListOptions,
  type ObjectStore,
  type ResourceType,
  type UpdateOptions,
  type WatchEvent,
} from '../src/types.js';

const t = (
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced = true,
): ResourceType => ({ group, version, resource, kind, namespaced });

export const DOUBLE_TYPES: ResourceType[] = [
  t('', 'v1', 'namespaces', 'Namespace', false),
  t('', 'v1', 'pods', 'Pod'),
  t('', 'v1', 'services', 'Service'),
  t('', 'v1', 'endpoints', 'Endpoints'),
  t('', 'v1', 'configmaps', 'ConfigMap'),
  t('', 'v1', 'secrets', 'Secret'),
  t('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim'),
  t('', 'v1', 'persistentvolumes', 'PersistentVolume', false),
  t('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice'),
  t('apps', 'v1', 'deployments', 'Deployment'),
  t('apps', 'v1', 'replicasets', 'ReplicaSet'),
  t('apps', 'v1', 'statefulsets', 'StatefulSet'),
  t('apps', 'v1', 'daemonsets', 'DaemonSet'),
  t('batch', 'v1', 'jobs', 'Job'),
  t('batch', 'v1', 'cronjobs', 'CronJob'),
];

/** Kinds with a spec/status split: they carry generation and a status subresource. */
const WITH_STATUS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);
/** Kinds whose .status is written only through the status subresource. */
const STATUS_SUBRESOURCE = new Set([
  ...WITH_STATUS,
  'Pod',
  'Service',
  'PersistentVolumeClaim',
  'PersistentVolume',
  'Namespace',
]);
const HISTORY = 10_000;

interface Logged {
  rv: number;
  type: ResourceType;
  event: WatchEvent;
  previous?: KubeObject;
}

interface Watcher {
  type: ResourceType;
  namespace: string | undefined;
  matches: (o: KubeObject) => boolean;
  onEvent: (e: WatchEvent) => void;
}

const apiVersion = (type: ResourceType) => (type.group ? `${type.group}/${type.version}` : type.version);

/** `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-separated. */
export function labelMatcher(selector: string | undefined): (labels: Record<string, string>) => boolean {
  const reqs =
    (selector ?? '')
      .match(/[^,(]+(\([^)]*\))?/g)
      ?.map((s) => s.trim())
      .filter(Boolean) ?? [];
  const tests = reqs.map((r): ((l: Record<string, string>) => boolean) => {
    let m = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(r);
    if (m) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = list.split(',').map((v) => v.trim());
      return (l) =>
        op === 'in'
          ? key in l && values.includes(l[key] as string)
          : !(key in l) || !values.includes(l[key] as string);
    }
    m = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(r);
    if (m) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      return (l) => (op === '!=' ? l[key] !== value : l[key] === value);
    }
    if (r.startsWith('!')) return (l) => !(r.slice(1) in l);
    return (l) => r in l;
  });
  return (labels) => tests.every((f) => f(labels));
}

function fieldMatcher(selector: string | undefined): (o: KubeObject) => boolean {
  const reqs = (selector ?? '')
    .split(',')
    .filter(Boolean)
    .map((r) => /^([^!=]+)(!=|==|=)(.*)$/.exec(r.trim()));
  return (o) =>
    reqs.every((m) => {
      if (!m) return false;
      const value =
        m[1] === 'metadata.name'
          ? o.metadata.name
          : m[1] === 'metadata.namespace'
            ? o.metadata.namespace
            : undefined;
      return m[2] === '!=' ? value !== m[3] : value === m[3];
    });
}

export class ContractStore implements ObjectStore {
  gracefulPodDeletion = false;
  private rv = 0;
  private readonly objects = new Map<string, KubeObject>();
  private readonly log: Logged[] = [];
  private readonly watchers = new Set<Watcher>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  types(): ResourceType[] {
    return DOUBLE_TYPES;
  }

  typeFor(av: string, kind: string): ResourceType | undefined {
    return DOUBLE_TYPES.find((x) => apiVersion(x) === av && x.kind === kind);
  }

  resourceVersion(): string {
    return String(this.rv);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(this.key(type, namespace, name));
    return o && structuredClone(o);
  }

  list(
    type: ResourceType,
    namespace: string | undefined,
    opts: ListOptions = {},
  ): { items: KubeObject[]; resourceVersion: string } {
    const matches = this.matcher(opts);
    const items = [...this.objects.values()].filter(
      (o) =>
        this.isType(o, type) && (namespace === undefined || o.metadata.namespace === namespace) && matches(o),
    );
    items.sort((a, b) =>
      `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace}/${b.metadata.name}`,
      ),
    );
    return { items: items.map((o) => structuredClone(o)), resourceVersion: this.resourceVersion() };
  }

  create(input: KubeObject): KubeObject {
    const type = this.requireType(input);
    const o = structuredClone(input);
    const meta = o.metadata;
    if (type.namespaced) meta.namespace ||= 'default';
    else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomUUID().slice(0, 5);
    if (!meta.name) throw new StoreError(422, 'Invalid', `${type.resource}: metadata.name: Required value`);
    if (this.objects.has(this.key(type, meta.namespace, meta.name)))
      throw new StoreError(409, 'AlreadyExists', `${type.resource} "${meta.name}" already exists`);
    meta.uid = randomUUID();
    meta.creationTimestamp = this.now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    if (WITH_STATUS.has(type.kind)) meta.generation = 1;
    if (type.kind === 'Job') defaultJobSelector(o);
    this.put(type, o, 'ADDED');
    return structuredClone(o);
  }

  update(input: KubeObject, opts: UpdateOptions = {}): KubeObject {
    const type = this.requireType(input);
    const stored = this.objects.get(
      this.key(
        type,
        input.metadata.namespace ?? (type.namespaced ? 'default' : undefined),
        input.metadata.name ?? '',
      ),
    );
    if (!stored) throw new StoreError(404, 'NotFound', `${type.resource} "${input.metadata.name}" not found`);
    if (
      input.metadata.resourceVersion &&
      input.metadata.resourceVersion !== stored.metadata.resourceVersion
    ) {
      throw new StoreError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${type.resource} "${input.metadata.name}": the object has been modified`,
      );
    }
    let next: KubeObject;
    if (opts.subresource === 'status')
      next = { ...structuredClone(stored), status: structuredClone(input.status) };
    else {
      next = structuredClone(input);
      next.metadata = { ...next.metadata };
      for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'generation', 'namespace'] as const)
        next.metadata[k] = stored.metadata[k] as never;
      if (STATUS_SUBRESOURCE.has(type.kind)) next.status = structuredClone(stored.status);
      if (WITH_STATUS.has(type.kind) && JSON.stringify(input.spec) !== JSON.stringify(stored.spec))
        next.metadata.generation = (stored.metadata.generation ?? 0) + 1;
    }
    for (const k of Object.keys(next.metadata)) if (next.metadata[k] === undefined) delete next.metadata[k];
    next.metadata.resourceVersion = stored.metadata.resourceVersion;
    if (JSON.stringify(next) === JSON.stringify(stored)) return structuredClone(stored);
    if (
      next.metadata.deletionTimestamp &&
      !next.metadata.finalizers?.length &&
      !this.awaitsKubelet(type, next)
    ) {
      this.remove(type, next);
      return structuredClone(next);
    }
    this.put(type, next, 'MODIFIED', stored);
    return structuredClone(next);
  }

  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): KubeObject {
    const stored = this.objects.get(this.key(type, namespace, name));
    if (!stored) throw new StoreError(404, 'NotFound', `${type.resource} "${name}" not found`);
    if (opts.preconditions?.uid && opts.preconditions.uid !== stored.metadata.uid)
      throw new StoreError(409, 'Conflict', 'Precondition failed: UID mismatch');
    const o = structuredClone(stored);
    const graceful = this.gracefulPodDeletion && type.kind === 'Pod' && opts.gracePeriodSeconds !== 0;
    if (!o.metadata.finalizers?.length && !graceful) {
      this.remove(type, o, opts.propagationPolicy === 'Orphan');
      return o;
    }
    if (!o.metadata.deletionTimestamp) {
      const grace = graceful
        ? (opts.gracePeriodSeconds ??
          (o.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds ??
          30)
        : 0;
      o.metadata.deletionTimestamp = new Date(this.now().getTime() + grace * 1000)
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z');
      o.metadata.deletionGracePeriodSeconds = grace;
      this.put(type, o, 'MODIFIED', stored);
    }
    return structuredClone(o);
  }

  watch(
    type: ResourceType,
    namespace: string | undefined,
    opts: ListOptions & { resourceVersion?: string },
    onEvent: (event: WatchEvent) => void,
  ): () => void {
    const w: Watcher = { type, namespace, matches: this.matcher(opts), onEvent };
    if (opts.resourceVersion && opts.resourceVersion !== '0') {
      const from = Number(opts.resourceVersion);
      const oldest = this.log[0]?.rv ?? this.rv + 1;
      if (from < oldest - 1 && from < this.rv)
        throw new StoreError(410, 'Gone', `too old resource version: ${from} (${oldest - 1})`);
      for (const l of this.log) if (l.rv > from) this.deliver(w, l);
    }
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  private awaitsKubelet(type: ResourceType, o: KubeObject): boolean {
    return (
      this.gracefulPodDeletion && type.kind === 'Pod' && (o.metadata.deletionGracePeriodSeconds ?? 0) > 0
    );
  }

  private put(type: ResourceType, o: KubeObject, event: 'ADDED' | 'MODIFIED', previous?: KubeObject): void {
    o.metadata.resourceVersion = String(++this.rv);
    this.objects.set(this.key(type, o.metadata.namespace, o.metadata.name as string), o);
    this.record({ rv: this.rv, type, event: { type: event, object: o }, ...(previous ? { previous } : {}) });
  }

  private remove(type: ResourceType, o: KubeObject, orphan = false): void {
    this.objects.delete(this.key(type, o.metadata.namespace, o.metadata.name as string));
    o.metadata.resourceVersion = String(++this.rv);
    this.record({ rv: this.rv, type, event: { type: 'DELETED', object: o } });
    // Background garbage collection: dependents go once their owner is gone; Orphan only unlinks them.
    for (const dep of [...this.objects.values()]) {
      if (!dep.metadata.ownerReferences?.some((r) => r.uid === o.metadata.uid)) continue;
      const depType = this.typeFor(dep.apiVersion, dep.kind);
      if (orphan) {
        const next = structuredClone(dep);
        next.metadata.ownerReferences = (dep.metadata.ownerReferences ?? []).filter(
          (r) => r.uid !== o.metadata.uid,
        );
        if (!next.metadata.ownerReferences.length) delete next.metadata.ownerReferences;
        if (depType) this.put(depType, next, 'MODIFIED', dep);
        continue;
      }
      if (depType && this.objects.has(this.key(depType, dep.metadata.namespace, dep.metadata.name as string)))
        this.delete(depType, dep.metadata.namespace, dep.metadata.name as string);
    }
  }

  private record(l: Logged): void {
    this.log.push(l);
    if (this.log.length > HISTORY) this.log.splice(0, this.log.length - HISTORY);
    for (const w of this.watchers) this.deliver(w, l);
  }

  private deliver(w: Watcher, l: Logged): void {
    const o = l.event.object;
    if (l.type !== w.type || (w.namespace !== undefined && o.metadata.namespace !== w.namespace)) return;
    // An object that starts or stops matching the watch's selector is ADDED or DELETED for it (the apiserver's watch cache filter).
    const now = w.matches(o);
    const before = l.previous ? w.matches(l.previous) : now;
    if (!now && !before) return;
    const type = l.event.type === 'MODIFIED' && now !== before ? (now ? 'ADDED' : 'DELETED') : l.event.type;
    w.onEvent({ type, object: structuredClone(o) });
  }

  private matcher(opts: ListOptions): (o: KubeObject) => boolean {
    const labels = labelMatcher(opts.labelSelector);
    const fields = fieldMatcher(opts.fieldSelector);
    return (o) => labels(o.metadata.labels ?? {}) && fields(o);
  }

  private isType(o: KubeObject, type: ResourceType): boolean {
    return o.kind === type.kind && o.apiVersion === apiVersion(type);
  }

  private key(type: ResourceType, namespace: string | undefined, name: string): string {
    return `${apiVersion(type)}|${type.kind}|${type.namespaced ? (namespace ?? '') : ''}|${name}`;
  }

  private requireType(o: KubeObject): ResourceType {
    const type = this.typeFor(o.apiVersion, o.kind);
    if (!type)
      throw new StoreError(
        404,
        'NotFound',
        `no kind "${o.kind}" is registered for version "${o.apiVersion}"`,
      );
    return type;
  }
}

/** The API server generates a Job's selector and pod labels from its uid (batch/job strategy). */
function defaultJobSelector(job: KubeObject): void {
  const spec = (job.spec ??= {}) as {
    selector?: unknown;
    manualSelector?: boolean;
    template?: { metadata?: { labels?: Record<string, string> } };
  };
  if (spec.manualSelector || spec.selector) return;
  const uid = job.metadata.uid as string;
  spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  const template = (spec.template ??= {});
  const meta = (template.metadata ??= {});
  meta.labels = {
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': job.metadata.name as string,
    ...(meta.labels ?? {}),
  };
}
