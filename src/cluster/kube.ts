/**
 * The Cluster on @kubernetes/client-node 1.4: `KubernetesObjectApi` for every verb on any kind
 * (server-side apply is its patch with `application/apply-patch+yaml`), `Watch` for watches,
 * `CoreV1Api` for pod logs. Objects stay plain JSON end to end: the generated models would turn
 * timestamps into Dates and drop fields they do not know.
 */
import {
  CoreV1Api,
  HttpMethod,
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
  type ResponseContext,
  Watch,
} from '@kubernetes/client-node';
import { translateError } from './kube-errors.js';
import { loadKubeconfig, type KubeconfigOptions } from './kubeconfig.js';
import { watchCollection, watchObject } from './kube-watch.js';
import { selectorString } from './selector.js';
import {
  describeRef,
  isClusterError,
  refOf,
  type ApplyOptions,
  type Cluster,
  type DeleteOptions,
  type KubeObject,
  type ListOptions,
  type ListResult,
  type ObjectRef,
  type PatchType,
  type PodLogOptions,
  type TypeRef,
  type WriteOptions,
} from './cluster.js';

/** KubernetesObjectApi returning the server's JSON as is, and exposing discovery for watch paths. */
class PlainObjectApi extends KubernetesObjectApi {
  static forConfig(kc: KubeConfig, namespace: string): PlainObjectApi {
    const api = kc.makeApiClient(PlainObjectApi);
    api.defaultNamespace = namespace;
    return api;
  }

  protected override async processResponse<T extends KubernetesObject>(
    response: ResponseContext,
  ): Promise<T> {
    return super.processResponse<T>(response, 'any');
  }

  /**
   * A write with the body sent as we give it. The inherited create/replace/patch run the body
   * through the generated serializer, which drops fields its models lack and cannot carry a JSON
   * patch (a list) at all.
   */
  async send(
    method: HttpMethod,
    target: KubeObject,
    action: 'create' | 'replace' | 'patch',
    body: unknown,
    contentType: string,
    query: Record<string, string | undefined>,
  ): Promise<KubeObject> {
    const path = await this.specUriPath(structuredClone(target) as KubernetesObject, action);
    const request = this.configuration.baseServer.makeRequestContext(path, method);
    request.setHeaderParam('Accept', 'application/json');
    request.setHeaderParam('Content-Type', contentType);
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) request.setQueryParam(key, value);
    request.setBody(JSON.stringify(body));
    return (await this.requestPromise<KubernetesObject>(request)) as unknown as KubeObject;
  }

  collectionPath(type: TypeRef): Promise<string> {
    return this.specUriPath(
      { apiVersion: type.apiVersion, kind: type.kind, metadata: { namespace: type.namespace } },
      'list',
    );
  }

  async isNamespaced(apiVersion: string, kind: string): Promise<boolean | undefined> {
    return (await this.resource(apiVersion, kind))?.namespaced;
  }
}

const PATCH_TYPES: Record<PatchType, PatchStrategy> = {
  merge: PatchStrategy.MergePatch,
  strategic: PatchStrategy.StrategicMergePatch,
  json: PatchStrategy.JsonPatch,
};

export class KubeCluster implements Cluster {
  readonly namespace: string;
  readonly description: string;
  private readonly api: PlainObjectApi;
  private readonly core: CoreV1Api;
  private readonly watcher: Watch;

  constructor(kc: KubeConfig, namespace: string) {
    this.namespace = namespace;
    this.description = `context "${kc.getCurrentContext()}" (${kc.getCurrentCluster()?.server ?? 'no server'})`;
    this.api = PlainObjectApi.forConfig(kc, namespace);
    this.core = kc.makeApiClient(CoreV1Api);
    this.watcher = new Watch(kc);
  }

  static fromKubeconfig(opts: KubeconfigOptions = {}): KubeCluster {
    const { kc, namespace } = loadKubeconfig(opts);
    return new KubeCluster(kc, namespace);
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
      results.push(
        await this.call(`apply ${describeRef(refOf(spec))}`, () =>
          this.api.send(HttpMethod.PATCH, spec, 'patch', spec, PatchStrategy.ServerSideApply, query),
        ),
      );
    }
    return results;
  }

  async create<T extends KubeObject>(object: T, opts: WriteOptions = {}): Promise<T> {
    const spec = await this.withNamespace(object);
    const query = { dryRun: dryRun(opts.dryRun), fieldManager: opts.fieldManager };
    return this.call(`create ${describeRef(refOf(spec))}`, () =>
      this.api.send(HttpMethod.POST, spec, 'create', spec, 'application/json', query).then((o) => o as T),
    );
  }

  async replace<T extends KubeObject>(object: T, opts: WriteOptions = {}): Promise<T> {
    const spec = await this.withNamespace(object);
    const query = { dryRun: dryRun(opts.dryRun), fieldManager: opts.fieldManager };
    return this.call(`replace ${describeRef(refOf(spec))}`, () =>
      this.api.send(HttpMethod.PUT, spec, 'replace', spec, 'application/json', query).then((o) => o as T),
    );
  }

  async get<T extends KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    const header = {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, namespace: ref.namespace ?? this.namespace },
    };
    try {
      return (await this.call(`get ${describeRef(ref)}`, () => this.api.read(header))) as unknown as T;
    } catch (err) {
      if (isClusterError(err, 'NotFound')) return undefined;
      throw err;
    }
  }

  async list<T extends KubeObject>(type: TypeRef, opts: ListOptions = {}): Promise<ListResult<T>> {
    const namespace = (await this.namespaced(type.apiVersion, type.kind))
      ? (type.namespace ?? this.namespace)
      : undefined;
    const raw = await this.call(`list ${type.kind}`, () =>
      this.api.list(
        type.apiVersion,
        type.kind,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        selectorString(opts.labelSelector),
      ),
    );
    // A list's items carry no apiVersion and kind on the wire; put them back.
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
    try {
      await this.call(`delete ${describeRef(ref)}`, () =>
        this.api.delete(
          spec,
          undefined,
          dryRun(opts.dryRun),
          undefined,
          undefined,
          opts.propagationPolicy,
          body,
        ),
      );
      return true;
    } catch (err) {
      if (isClusterError(err, 'NotFound')) return false;
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
    return this.call(`patch ${describeRef(ref)}`, () =>
      this.api.send(HttpMethod.PATCH, target, 'patch', patch, PATCH_TYPES[type], query).then((o) => o as T),
    );
  }

  async watch<T extends KubeObject>(
    ref: ObjectRef,
    until: (obj: T | undefined) => boolean,
    signal: AbortSignal,
  ): Promise<T | undefined> {
    const namespace = (await this.namespaced(ref.apiVersion, ref.kind))
      ? (ref.namespace ?? this.namespace)
      : undefined;
    const full = { ...ref, namespace };
    const path = await this.call(`watch ${describeRef(full)}`, () => this.api.collectionPath(full));
    return watchObject<T>({
      ref: full,
      path,
      until,
      signal,
      list: async () => {
        const raw = await this.call(`list ${describeRef(full)}`, () =>
          this.api.list(
            ref.apiVersion,
            ref.kind,
            namespace,
            undefined,
            undefined,
            undefined,
            `metadata.name=${ref.name}`,
          ),
        );
        return {
          items: (raw.items as KubeObject[]).map(
            (item) => ({ ...item, apiVersion: ref.apiVersion, kind: ref.kind }) as T,
          ),
          resourceVersion: raw.metadata?.resourceVersion ?? '',
        };
      },
      watcher: this.watcher,
      translate: (err) => translateError(err, this.description, `watch ${describeRef(full)}`),
    });
  }

  async watchList<T extends KubeObject>(
    type: TypeRef,
    opts: ListOptions,
    until: (items: T[]) => boolean,
    signal: AbortSignal,
  ): Promise<T[]> {
    const namespace = (await this.namespaced(type.apiVersion, type.kind))
      ? (type.namespace ?? this.namespace)
      : undefined;
    const labelSelector = selectorString(opts.labelSelector);
    const what = `${type.kind}${namespace ? ` ${namespace}` : ''}${labelSelector ? ` (${labelSelector})` : ''}`;
    const path = await this.call(`watch ${what}`, () =>
      this.api.collectionPath({ apiVersion: type.apiVersion, kind: type.kind, namespace }),
    );
    const found = await watchCollection<T>({
      what,
      apiVersion: type.apiVersion,
      kind: type.kind,
      path,
      selectors: labelSelector ? { labelSelector } : {},
      until: (items) => until([...items.values()]),
      signal,
      list: async () => {
        const raw = await this.call(`list ${what}`, () =>
          this.api.list(
            type.apiVersion,
            type.kind,
            namespace,
            undefined,
            undefined,
            undefined,
            undefined,
            labelSelector,
          ),
        );
        return {
          items: (raw.items as KubeObject[]).map(
            (item) => ({ ...item, apiVersion: type.apiVersion, kind: type.kind }) as T,
          ),
          resourceVersion: raw.metadata?.resourceVersion ?? '',
        };
      },
      watcher: this.watcher,
      translate: (err) => translateError(err, this.description, `watch ${what}`),
    });
    return [...found.values()];
  }

  async podLogs(ref: { namespace?: string; name: string }, opts: PodLogOptions = {}): Promise<string> {
    const namespace = ref.namespace ?? this.namespace;
    return this.call(`logs of pod ${namespace}/${ref.name}`, () =>
      this.core.readNamespacedPodLog({
        name: ref.name,
        namespace,
        container: opts.container,
        tailLines: opts.tailLines,
        previous: opts.previous,
      }),
    );
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

  private async call<R>(what: string, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (err) {
      throw translateError(err, this.description, what);
    }
  }
}

function dryRun(on: boolean | undefined): string | undefined {
  return on ? 'All' : undefined;
}
