/**
 * The contract between the sandbox's API server (store, REST, watch) and its controllers and
 * kubelet. Controllers only ever talk to an ObjectStore, never to HTTP, so the same controllers run
 * behind the HTTPS server and in unit tests.
 */
import type { KubeObject } from '@slipway/kube';

/** A served resource: `apps/v1 deployments` is { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment' }. */
export interface ResourceType {
  group: string; // '' for core
  version: string;
  resource: string; // plural, lower case
  kind: string;
  namespaced: boolean;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  /** Only delete if the stored object still has this uid / resourceVersion. */
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface UpdateOptions {
  /** 'status' writes only .status; the main resource ignores .status. */
  subresource?: 'status';
}

/**
 * Errors carry the HTTP status and Kubernetes reason the REST layer turns into a Status object.
 * Controllers retry on 'Conflict'.
 */
export class StoreError extends Error {
  constructor(
    readonly status: number,
    readonly reason:
      'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'BadRequest' | 'Gone' | 'Forbidden',
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface ObjectStore {
  /** Every resource type the server knows, for discovery and for controllers resolving kinds. */
  types(): ResourceType[];
  typeFor(apiVersion: string, kind: string): ResourceType | undefined;

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined;
  list(
    type: ResourceType,
    namespace: string | undefined,
    opts?: ListOptions,
  ): { items: KubeObject[]; resourceVersion: string };
  /** Assigns uid, resourceVersion, generation 1, creationTimestamp, name from generateName; applies defaults. */
  create(obj: KubeObject): KubeObject;
  /** Optimistic concurrency: a stale metadata.resourceVersion is a 409 Conflict. Bumps generation only when spec changes. */
  update(obj: KubeObject, opts?: UpdateOptions): KubeObject;
  /** Honours finalizers (sets deletionTimestamp) and propagation policy (garbage collection of dependents). */
  delete(type: ResourceType, namespace: string | undefined, name: string, opts?: DeleteOptions): KubeObject;

  /**
   * Events after `resourceVersion` (or from now when omitted). A resourceVersion older than the
   * retained history throws StoreError 410 Gone. Returns a function that stops the watch.
   */
  watch(
    type: ResourceType,
    namespace: string | undefined,
    opts: ListOptions & { resourceVersion?: string },
    onEvent: (event: WatchEvent) => void,
  ): () => void;
}

/** The sandbox clock, so controllers and the kubelet can be driven by tests. */
export interface Clock {
  now(): Date;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

/** A Service's loopback port on the sandbox host, for load tests during rollouts. */
export interface ServicePort {
  namespace: string;
  name: string;
  port: number; // the Service's port
  localPort: number; // 127.0.0.1:<localPort> proxies to ready endpoints
  protocol: 'TCP';
}

/**
 * What the API server needs from the side that runs pods (kubelet, proxy): logs for
 * `kubectl logs` and the Service ports for `slipway sandbox status`. Implemented in
 * packages/sandbox/src/runtime/; the server works without one (pods then never start).
 */
export interface SandboxRuntime {
  podLogs(
    namespace: string,
    pod: string,
    opts: { container?: string; tailLines?: number; previous?: boolean },
  ): string | undefined;
  servicePorts(): ServicePort[];
  stop(): Promise<void>;
}

/** The sandbox's one simulated node, registered Ready by the API server; the kubelet schedules pods onto it. */
export const SANDBOX_NODE_NAME = 'sandbox-node';
