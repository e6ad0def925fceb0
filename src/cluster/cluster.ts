/**
 * The one door from the engine to a Kubernetes API server. Everything the deploy flow does to a
 * cluster (apply rendered objects, read and watch rollouts, hold a Lease, store release records,
 * read a migration Job's logs) goes through this interface, so the engine runs unchanged against a
 * real cluster (`kube.ts`, on @kubernetes/client-node), the sandbox (same implementation, it is an
 * API server) and the in-memory fake (`memory.ts`). `test/cluster/contract.ts` holds the behaviour
 * every implementation must show.
 */
import {
  everything,
  parseSelector,
  selectorFromSet,
  type KubeObject,
  type ObjectRef,
  type Selector,
  type TypeRef,
} from '@slipway/kube';

/** A list's `labelSelector` (the string form or a label map) as one Selector; throws SelectorError. */
export function listSelector(selector: string | Record<string, string> | undefined): Selector {
  if (selector === undefined) return everything;
  return typeof selector === 'string' ? parseSelector(selector) : selectorFromSet(selector);
}

export interface ApplyOptions extends CallOptions {
  /** Server-side apply field manager; Slipway uses `slipway`. */
  fieldManager: string;
  /** `dryRun=All`: the server validates and returns the result without persisting it. */
  dryRun?: boolean;
  /** Take over fields another manager owns instead of failing with a conflict (kubectl --force-conflicts). */
  force?: boolean;
}

/**
 * Every call may carry the caller's deadline: retries of a failed request stop when it aborts
 * (src/cluster/retry.ts).
 */
export interface CallOptions {
  signal?: AbortSignal;
}

export interface WriteOptions extends CallOptions {
  fieldManager?: string;
  dryRun?: boolean;
}

export interface ListOptions extends CallOptions {
  /** A label selector string (`app=shop,tier in (web,api)`) or a map of required labels. */
  labelSelector?: string | Record<string, string>;
}

export interface ListResult<T extends KubeObject = KubeObject> {
  items: T[];
  /** The list's resourceVersion: a watch started from it misses nothing. */
  resourceVersion: string;
}

export interface DeleteOptions extends CallOptions {
  /** Background (the API default for most types) lets the garbage collector remove dependents. */
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  dryRun?: boolean;
  /** Only delete while the object still has this resourceVersion (an optimistic-lock guard). */
  resourceVersion?: string;
}

export type PatchType = 'merge' | 'strategic' | 'json';

export interface PodLogOptions extends CallOptions {
  container?: string;
  tailLines?: number;
  /** Logs of the previous, terminated container instance (`kubectl logs --previous`). */
  previous?: boolean;
}

export interface Cluster {
  /** The namespace used when a ref or object names none (kubeconfig context or `--namespace`). */
  readonly namespace: string;
  /** Names the server and context for messages: `context "kind-dev" (https://127.0.0.1:6443)`. */
  readonly description: string;

  /** Server-side apply (`application/apply-patch+yaml`) of each object, in order; returns the server's result. */
  apply(objects: KubeObject[], opts: ApplyOptions): Promise<KubeObject[]>;
  /** Fails with ClusterError reason AlreadyExists when the name is taken. */
  create<T extends KubeObject>(object: T, opts?: WriteOptions): Promise<T>;
  /**
   * Full update (PUT). When `metadata.resourceVersion` is set the server rejects the write with a
   * Conflict if the object changed since: the compare-and-swap the Lease lock relies on.
   */
  replace<T extends KubeObject>(object: T, opts?: WriteOptions): Promise<T>;
  /** The object, or undefined when it does not exist. */
  get<T extends KubeObject>(ref: ObjectRef, opts?: CallOptions): Promise<T | undefined>;
  list<T extends KubeObject>(type: TypeRef, opts?: ListOptions): Promise<ListResult<T>>;
  /** True when the object existed and deletion was accepted; false when it was already gone. */
  delete(ref: ObjectRef, opts?: DeleteOptions): Promise<boolean>;
  patch<T extends KubeObject>(
    ref: ObjectRef,
    patch: unknown,
    type: PatchType,
    opts?: WriteOptions,
  ): Promise<T>;
  /**
   * Resolves with the object as soon as `until` holds for it (checked against the current state
   * first, then on every change, with a real watch: no polling). `until` sees `undefined` while the
   * object does not exist, so the same call waits for creation or deletion. If `until` throws, the
   * watch stops and rejects with that error (a rollout that hit its progress deadline). Aborting
   * `signal` rejects with the signal's reason. A watch expired by the server (410 Gone) re-lists.
   */
  watch<T extends KubeObject>(
    ref: ObjectRef,
    until: (obj: T | undefined) => boolean,
    signal: AbortSignal,
  ): Promise<T | undefined>;
  /**
   * The same for every object of a type that matches `opts.labelSelector` (all of them, by name):
   * resolves with them as soon as `until` holds (on the list, then after every change), rejects
   * with what `until` throws. Waiting on a workload's pods (crash loops, failed pulls) uses it.
   */
  watchList<T extends KubeObject>(
    type: TypeRef,
    opts: ListOptions,
    until: (items: T[]) => boolean,
    signal: AbortSignal,
  ): Promise<T[]>;
  podLogs(ref: { namespace?: string; name: string }, opts?: PodLogOptions): Promise<string>;
  /**
   * Whether the API server serves this kind (its discovery document lists it), so a caller can
   * leave out an add-on's objects on a cluster without its CRDs. Absent where every kind is served
   * (the in-memory cluster).
   */
  serves?(apiVersion: string, kind: string, opts?: CallOptions): Promise<boolean>;
  /**
   * A GET through the API server's service proxy
   * (`/api/v1/namespaces/NS/services/SCHEME:NAME:PORT/proxy/PATH`) with this cluster's
   * credentials: how a deployer outside the cluster network reaches an in-cluster HTTP API.
   * Absent where there is no API server to proxy (the in-memory cluster).
   */
  serviceProxyGet?(
    service: ServiceProxyRef,
    path: string,
    query: Record<string, string>,
    opts?: CallOptions,
  ): Promise<ProxyResponse>;
}

export interface ServiceProxyRef {
  namespace: string;
  name: string;
  /** The Service port's number or name. */
  port: string;
  scheme?: 'http' | 'https';
}

export interface ProxyResponse {
  status: number;
  body: string;
}

/** Reasons the engine reacts to; anything else is carried as `Other` with the server's message. */
export type ClusterErrorReason =
  'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'Forbidden' | 'Unauthorized' | 'Gone' | 'Other';

/** Where a ClusterError came from, for the message the CLI prints (`src/cluster/problem.ts`). */
export interface ClusterErrorContext {
  /** The verb and object: `apply Deployment shop/api`. */
  what?: string;
  /** The cluster's description: `context "dev" (https://127.0.0.1:6443)`. */
  cluster?: string;
  /** The server's `Retry-After`, in milliseconds. */
  retryAfterMs?: number;
  /** How many attempts were made before giving up (set by the retry policy). */
  attempts?: number;
}

/** An API server's refusal (4xx/5xx). Unreachable servers are UserErrors with exit code 3 instead. */
export class ClusterError extends Error {
  constructor(
    readonly status: number,
    readonly reason: ClusterErrorReason,
    message: string,
    readonly context: ClusterErrorContext = {},
  ) {
    super(message);
    this.name = 'ClusterError';
  }
}

export function isClusterError(err: unknown, reason?: ClusterErrorReason): err is ClusterError {
  return err instanceof ClusterError && (reason === undefined || err.reason === reason);
}

/** The HTTP status codes the API server uses for each reason (apimachinery's StatusReason table). */
export function reasonForStatus(status: number, reason?: string): ClusterErrorReason {
  if (reason === 'AlreadyExists') return 'AlreadyExists';
  switch (status) {
    case 404:
      return 'NotFound';
    case 409:
      return reason === 'AlreadyExists' ? 'AlreadyExists' : 'Conflict';
    case 422:
      return 'Invalid';
    case 403:
      return 'Forbidden';
    case 401:
      return 'Unauthorized';
    case 410:
      return 'Gone';
    default:
      return 'Other';
  }
}

export function refOf(obj: KubeObject, defaultNamespace?: string): ObjectRef {
  const name = obj.metadata.name;
  if (!name) throw new Error(`${obj.kind} has no metadata.name`);
  const namespace = obj.metadata.namespace ?? defaultNamespace;
  return { apiVersion: obj.apiVersion, kind: obj.kind, name, ...(namespace ? { namespace } : {}) };
}

export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
