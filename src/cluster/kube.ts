/**
 * The Cluster on @kubernetes/client-node 1.4: `KubernetesObjectApi` for every verb on any kind
 * (server-side apply is its patch with `application/apply-patch+yaml`), `Watch` for watches,
 * `CoreV1Api` for pod logs. Objects stay plain JSON end to end: the generated models would turn
 * timestamps into Dates and drop fields they do not know.
 */
import type { KubeObject, ObjectRef, TypeRef } from '@slipway/kube';
import { CoreV1Api, HttpMethod, PatchStrategy, type KubeConfig, Watch } from '#kubernetes-client';
import { translateError } from './kube-errors.js';
import { PlainObjectApi } from './kube-object-api.js';
import { loadKubeconfig, type KubeconfigOptions } from './kubeconfig.js';
import { watchCollection } from './kube-watch.js';
import {
  DEFAULT_RETRY_POLICY,
  realRetryClock,
  withRetries,
  type CallKind,
  type RetryClock,
  type RetryPolicy,
} from './retry.js';
import { DEFAULT_TIMEOUTS, guardConnections, type ClusterTimeouts, type LookupFunction } from './timeouts.js';
import {
  describeRef,
  isClusterError,
  listSelector,
  refOf,
  type ApplyOptions,
  type CallOptions,
  type Cluster,
  type DeleteOptions,
  type ListOptions,
  type ListResult,
  type ProxyResponse,
  type ServiceProxyRef,
  type PatchType,
  type PodLogOptions,
  type WriteOptions,
} from './cluster.js';

const PATCH_TYPES: Record<PatchType, PatchStrategy> = {
  merge: PatchStrategy.MergePatch,
  strategic: PatchStrategy.StrategicMergePatch,
  json: PatchStrategy.JsonPatch,
};

/** How a KubeCluster retries and times out; tests pass a fake clock or a shorter policy. */
export interface KubeClusterOptions {
  retry?: RetryPolicy;
  clock?: RetryClock;
  timeouts?: ClusterTimeouts;
  /** Resolves the server's host name (node:dns lookup by default); tests make name resolution fail without DNS. */
  lookup?: LookupFunction;
}

interface CallSpec {
  kind?: CallKind;
  signal?: AbortSignal;
  /** For creates: proves a failed create was not applied (src/cluster/retry.ts). */
  absent?: () => Promise<boolean>;
}

export class KubeCluster implements Cluster {
  readonly namespace: string;
  readonly description: string;
  private readonly api: PlainObjectApi;
  private readonly core: CoreV1Api;
  private readonly watcher: Watch;
  private readonly retry: RetryPolicy;
  private readonly clock: RetryClock;

  constructor(kc: KubeConfig, namespace: string, opts: KubeClusterOptions = {}) {
    const timeouts = opts.timeouts ?? DEFAULT_TIMEOUTS;
    guardConnections(kc, timeouts.connectMs, opts.lookup);
    this.namespace = namespace;
    this.description = `context "${kc.getCurrentContext()}" (${kc.getCurrentCluster()?.server ?? 'no server'})`;
    this.api = PlainObjectApi.forConfig(kc, namespace, timeouts.responseMs);
    this.core = kc.makeApiClient(CoreV1Api);
    this.watcher = new Watch(kc);
    this.retry = opts.retry ?? DEFAULT_RETRY_POLICY;
    this.clock = opts.clock ?? realRetryClock;
  }

  /** `env` supplies $KUBECONFIG and $HOME (the process's by default). */
  static fromKubeconfig(
    opts: KubeconfigOptions = {},
    clusterOpts: KubeClusterOptions = {},
    env: Readonly<Record<string, string | undefined>> = process.env,
  ): KubeCluster {
    const { kc, namespace } = loadKubeconfig(opts, env);
    return new KubeCluster(kc, namespace, clusterOpts);
  }

  async apply(objects: KubeObject[], opts: ApplyOptions): Promise<KubeObject[]> {
    const results: KubeObject[] = [];
    for (const obj of objects) {
      const spec = await this.withNamespace(obj);
      const query = {
        dryRun: dryRun(opts.dryRun),
        fieldManager: opts.fieldManager,
        force: opts.force ? 'true' : undefined,
      };
      // Server-side apply is idempotent: the same patch twice leaves the same object.
      results.push(
        await this.call(
          `apply ${describeRef(refOf(spec))}`,
          () => this.api.send(HttpMethod.PATCH, spec, 'patch', spec, PatchStrategy.ServerSideApply, query),
          { signal: opts.signal },
        ),
      );
    }
    return results;
  }

  async create<T extends KubeObject>(object: T, opts: WriteOptions = {}): Promise<T> {
    const spec = await this.withNamespace(object);
    const query = { dryRun: dryRun(opts.dryRun), fieldManager: opts.fieldManager };
    const name = spec.metadata.name;
    // With generateName there is nothing to read back, so an ambiguous failure is not retried.
    const absent = name
      ? () =>
          this.get(refOf(spec), { signal: opts.signal }).then(
            (o) => o === undefined,
            () => false,
          )
      : undefined;
    const what = name ? `create ${describeRef(refOf(spec))}` : `create ${spec.kind}`;
    return this.call(
      what,
      () =>
        this.api.send(HttpMethod.POST, spec, 'create', spec, 'application/json', query).then((o) => o as T),
      { kind: 'create', signal: opts.signal, absent },
    );
  }

  async replace<T extends KubeObject>(object: T, opts: WriteOptions = {}): Promise<T> {
    const spec = await this.withNamespace(object);
    const query = { dryRun: dryRun(opts.dryRun), fieldManager: opts.fieldManager };
    // A PUT sets the whole object; with a resourceVersion a repeat that lost the race is a Conflict for the caller.
    return this.call(
      `replace ${describeRef(refOf(spec))}`,
      () =>
        this.api.send(HttpMethod.PUT, spec, 'replace', spec, 'application/json', query).then((o) => o as T),
      { signal: opts.signal },
    );
  }

  async get<T extends KubeObject>(ref: ObjectRef, opts: CallOptions = {}): Promise<T | undefined> {
    const header = {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, namespace: ref.namespace ?? this.namespace },
    };
    try {
      return (await this.call(`get ${describeRef(ref)}`, () => this.api.read(header), {
        signal: opts.signal,
      })) as unknown as T;
    } catch (err) {
      if (isClusterError(err, 'NotFound')) return undefined;
      throw err;
    }
  }

  async list<T extends KubeObject>(type: TypeRef, opts: ListOptions = {}): Promise<ListResult<T>> {
    const namespace = (await this.namespaced(type.apiVersion, type.kind))
      ? (type.namespace ?? this.namespace)
      : undefined;
    return this.listIn<T>(
      type,
      namespace,
      { labelSelector: listSelector(opts.labelSelector).toString() || undefined },
      `list ${type.kind}`,
      opts.signal,
    );
  }

  /** One list request; a list's items carry no apiVersion and kind on the wire, so they are put back. */
  private async listIn<T extends KubeObject>(
    type: TypeRef,
    namespace: string | undefined,
    selectors: { fieldSelector?: string; labelSelector?: string },
    what: string,
    signal: AbortSignal | undefined,
  ): Promise<ListResult<T>> {
    const raw = await this.call(
      what,
      () =>
        this.api.list(
          type.apiVersion,
          type.kind,
          namespace,
          undefined,
          undefined,
          undefined,
          selectors.fieldSelector,
          selectors.labelSelector,
        ),
      { signal },
    );
    const items = (raw.items as KubeObject[]).map(
      (item) => ({ ...item, apiVersion: type.apiVersion, kind: type.kind }) as T,
    );
    return { items, resourceVersion: raw.metadata?.resourceVersion ?? '' };
  }

  async delete(ref: ObjectRef, opts: DeleteOptions = {}): Promise<boolean> {
    const spec = {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, namespace: ref.namespace ?? this.namespace },
    };
    const body = opts.resourceVersion
      ? { preconditions: { resourceVersion: opts.resourceVersion } }
      : undefined;
    let attempts = 0;
    const attempt = () => {
      attempts++;
      return this.api.delete(
        spec,
        undefined,
        dryRun(opts.dryRun),
        undefined,
        undefined,
        opts.propagationPolicy,
        body,
      );
    };
    try {
      await this.call(`delete ${describeRef(ref)}`, attempt, { signal: opts.signal });
      return true;
    } catch (err) {
      // NotFound on a repeat: the attempt that failed in transit most likely deleted it.
      if (isClusterError(err, 'NotFound')) return attempts > 1;
      throw err;
    }
  }

  async patch<T extends KubeObject>(
    ref: ObjectRef,
    patch: unknown,
    type: PatchType,
    opts: WriteOptions = {},
  ): Promise<T> {
    const target: KubeObject = {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, namespace: ref.namespace ?? this.namespace },
    };
    const query = { dryRun: dryRun(opts.dryRun), fieldManager: opts.fieldManager };
    // A merge or strategic patch sets values (repeatable); a JSON patch may append (not repeatable).
    const kind: CallKind = type === 'json' ? 'once' : 'idempotent';
    return this.call(
      `patch ${describeRef(ref)}`,
      () =>
        this.api.send(HttpMethod.PATCH, target, 'patch', patch, PATCH_TYPES[type], query).then((o) => o as T),
      { kind, signal: opts.signal },
    );
  }

  async watch<T extends KubeObject>(
    ref: ObjectRef,
    until: (obj: T | undefined) => boolean,
    signal: AbortSignal,
  ): Promise<T | undefined> {
    const found = await this.watchSelected<T>(
      ref,
      { fieldSelector: `metadata.name=${ref.name}` },
      (items) => until(items.get(ref.name)),
      signal,
    );
    return found.get(ref.name);
  }

  async watchList<T extends KubeObject>(
    type: TypeRef,
    opts: ListOptions,
    until: (items: T[]) => boolean,
    signal: AbortSignal,
  ): Promise<T[]> {
    const labelSelector = listSelector(opts.labelSelector).toString() || undefined;
    const found = await this.watchSelected<T>(
      type,
      labelSelector ? { labelSelector } : {},
      (items) => until([...items.values()]),
      signal,
    );
    return [...found.values()];
  }

  /** List, then watch, the objects of `type` that `selectors` pick (one by name, or by labels). */
  private async watchSelected<T extends KubeObject>(
    type: TypeRef,
    selectors: { fieldSelector?: string; labelSelector?: string },
    until: (items: Map<string, T>) => boolean,
    signal: AbortSignal,
  ): Promise<Map<string, T>> {
    const namespace = (await this.namespaced(type.apiVersion, type.kind))
      ? (type.namespace ?? this.namespace)
      : undefined;
    const what = `${type.kind}${namespace ? ` ${namespace}` : ''} (${selectors.fieldSelector ?? selectors.labelSelector ?? 'all'})`;
    const path = await this.call(`watch ${what}`, () =>
      this.api.collectionPath({ apiVersion: type.apiVersion, kind: type.kind, namespace }),
    );
    return watchCollection<T>({
      what,
      apiVersion: type.apiVersion,
      kind: type.kind,
      path,
      selectors,
      until,
      signal,
      list: () => this.listIn<T>(type, namespace, selectors, `list ${what}`, signal),
      watcher: this.watcher,
      retry: this.retry,
      clock: this.clock,
      translate: (err) => translateError(err, this.description, `watch ${what}`),
    });
  }

  async podLogs(ref: { namespace?: string; name: string }, opts: PodLogOptions = {}): Promise<string> {
    const namespace = ref.namespace ?? this.namespace;
    return this.call(
      `logs of pod ${namespace}/${ref.name}`,
      () =>
        this.core.readNamespacedPodLog({
          name: ref.name,
          namespace,
          container: opts.container,
          tailLines: opts.tailLines,
          previous: opts.previous,
        }),
      { signal: opts.signal },
    );
  }

  async serviceProxyGet(
    service: ServiceProxyRef,
    path: string,
    query: Record<string, string>,
    opts: CallOptions = {},
  ): Promise<ProxyResponse> {
    const target = `${service.scheme ?? 'http'}:${service.name}:${service.port}`;
    const url = `/api/v1/namespaces/${encodeURIComponent(service.namespace)}/services/${encodeURIComponent(target)}/proxy/${path.replace(/^\//, '')}`;
    return this.call(
      `GET ${path} from service ${service.namespace}/${service.name} through the API server`,
      () => this.api.getRaw(url, query, opts.signal),
      { signal: opts.signal },
    );
  }

  async serves(apiVersion: string, kind: string): Promise<boolean> {
    try {
      const namespaced = await this.call(`discover ${apiVersion} ${kind}`, () =>
        this.api.isNamespaced(apiVersion, kind),
      );
      return namespaced !== undefined;
    } catch (err) {
      // A group/version the server does not know answers discovery with 404.
      if (isClusterError(err, 'NotFound')) return false;
      throw err;
    }
  }

  private async namespaced(apiVersion: string, kind: string): Promise<boolean> {
    const namespaced = await this.call(`discover ${apiVersion} ${kind}`, () =>
      this.api.isNamespaced(apiVersion, kind),
    );
    if (namespaced === undefined)
      return this.call(`discover ${apiVersion} ${kind}`, () =>
        Promise.reject(new Error(`Unrecognized API version and kind: ${apiVersion} ${kind}`)),
      );
    return namespaced;
  }

  /** Namespaced objects without a namespace go to this cluster's namespace (not client-node's default). */
  private async withNamespace<T extends KubeObject>(obj: T): Promise<T> {
    const copy = structuredClone(obj);
    if (!copy.metadata.namespace && (await this.namespaced(obj.apiVersion, obj.kind)))
      copy.metadata.namespace = this.namespace;
    return copy;
  }

  /** One request, translated into our errors and retried as its kind allows (src/cluster/retry.ts). */
  private call<R>(what: string, fn: () => Promise<R>, spec: CallSpec = {}): Promise<R> {
    const attempt = () =>
      fn().catch((err: unknown) => {
        throw translateError(err, this.description, what);
      });
    return withRetries(
      { kind: spec.kind ?? 'idempotent', attempt, absent: spec.absent },
      { policy: this.retry, clock: this.clock, signal: spec.signal },
    );
  }
}

function dryRun(on: boolean | undefined): string | undefined {
  return on ? 'All' : undefined;
}
