/**
 * Server-side defaulting and normalisation of the fields kubectl, helm and the controllers read back,
 * after pkg/apis/{core,apps,batch}/v1/defaults.go in kubernetes/kubernetes. Without it
 * `rollout undo` cannot find the old ReplicaSet (templates compare unequal) and `kubectl describe`
 * prints `Port: 80/` (no protocol). Pure: the ClusterIP allocator is passed in.
 */
import { canonicalQuantity, type KubeObject } from '@slipway/kube';

type Obj = Record<string, unknown>;

export const DEFAULT_TERMINATION_GRACE_SECONDS = 30;
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
export const DEFAULT_JOB_BACKOFF_LIMIT = 6;

export interface DefaultingContext {
  allocateClusterIP(): string;
}

function obj(parent: Obj, key: string): Obj {
  const v = parent[key];
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Obj;
  const fresh: Obj = {};
  parent[key] = fresh;
  return fresh;
}

function setDefault(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined) o[key] = value;
}

/** Drops nulls (the API decodes `null` as absent) throughout the object. */
export function pruneNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pruneNulls);
  if (value && typeof value === 'object') {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value as Obj))
      if (v !== null && v !== undefined) out[k] = pruneNulls(v);
    return out;
  }
  return value;
}

export function applyDefaults(o: KubeObject, ctx: DefaultingContext): void {
  const spec = o.spec as Obj | undefined;
  switch (o.kind) {
    case 'Pod':
      defaultPodSpec(obj(o, 'spec'));
      break;
    case 'Deployment':
      if (spec) defaultDeployment(spec);
      break;
    case 'ReplicaSet':
      if (spec) {
        setDefault(spec, 'replicas', 1);
        setDefault(spec, 'minReadySeconds', 0);
        defaultTemplate(spec);
      }
      break;
    case 'StatefulSet':
      if (spec) defaultStatefulSet(spec);
      break;
    case 'DaemonSet':
      if (spec) {
        setDefault(spec, 'revisionHistoryLimit', DEFAULT_REVISION_HISTORY_LIMIT);
        const strategy = obj(spec, 'updateStrategy');
        setDefault(strategy, 'type', 'RollingUpdate');
        if (strategy.type === 'RollingUpdate') {
          const ru = obj(strategy, 'rollingUpdate');
          setDefault(ru, 'maxUnavailable', 1);
          setDefault(ru, 'maxSurge', 0);
        }
        defaultTemplate(spec);
      }
      break;
    case 'Job':
      if (spec) defaultJob(spec, o);
      break;
    case 'CronJob':
      if (spec) {
        setDefault(spec, 'concurrencyPolicy', 'Allow');
        setDefault(spec, 'suspend', false);
        setDefault(spec, 'successfulJobsHistoryLimit', 3);
        setDefault(spec, 'failedJobsHistoryLimit', 1);
        const jobSpec = obj(obj(spec, 'jobTemplate'), 'spec');
        defaultJob(jobSpec, undefined);
      }
      break;
    case 'Service':
      defaultService(obj(o, 'spec'), ctx);
      break;
    case 'Secret':
      if (!o.type) o.type = 'Opaque';
      mergeStringData(o);
      break;
    case 'Namespace':
      setDefault(obj(o, 'spec'), 'finalizers', ['kubernetes']);
      setDefault(obj(o, 'status'), 'phase', 'Active');
      break;
    case 'PersistentVolumeClaim':
      if (spec) setDefault(spec, 'volumeMode', 'Filesystem');
      setDefault(obj(o, 'status'), 'phase', 'Pending');
      break;
  }
}

function defaultDeployment(spec: Obj): void {
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', DEFAULT_REVISION_HISTORY_LIMIT);
  setDefault(spec, 'progressDeadlineSeconds', DEFAULT_PROGRESS_DEADLINE_SECONDS);
  const strategy = obj(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = obj(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', '25%');
    setDefault(ru, 'maxSurge', '25%');
  }
  defaultTemplate(spec);
}

function defaultStatefulSet(spec: Obj): void {
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'podManagementPolicy', 'OrderedReady');
  setDefault(spec, 'revisionHistoryLimit', DEFAULT_REVISION_HISTORY_LIMIT);
  const strategy = obj(spec, 'updateStrategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') setDefault(obj(strategy, 'rollingUpdate'), 'partition', 0);
  const retention = obj(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefault(retention, 'whenDeleted', 'Retain');
  setDefault(retention, 'whenScaled', 'Retain');
  for (const pvc of (spec.volumeClaimTemplates as Obj[] | undefined) ?? []) {
    setDefault(obj(pvc, 'spec'), 'volumeMode', 'Filesystem');
    setDefault(obj(pvc, 'status'), 'phase', 'Pending');
  }
  defaultTemplate(spec);
}

function defaultJob(spec: Obj, job: KubeObject | undefined): void {
  const indexed = spec.completionMode === 'Indexed';
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', DEFAULT_JOB_BACKOFF_LIMIT);
  setDefault(spec, 'completionMode', indexed ? 'Indexed' : 'NonIndexed');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'podReplacementPolicy', 'TerminatingOrFailed');
  const template = defaultTemplate(spec, 'Never');
  // The Job's generated selector (pkg/registry/batch/job/strategy.go generateSelector) keys on its uid.
  if (job && spec.manualSelector !== true && job.metadata.uid) {
    const uid = job.metadata.uid;
    const labels = {
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': job.metadata.name ?? '',
      'controller-uid': uid,
      'job-name': job.metadata.name ?? '',
    };
    setDefault(spec, 'selector', { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    const meta = obj(template, 'metadata');
    meta.labels = { ...labels, ...((meta.labels as Obj | undefined) ?? {}) };
  }
}

/** Pod templates in workloads: defaulted like pods, and `creationTimestamp: null` dropped. */
function defaultTemplate(spec: Obj, restartPolicy = 'Always'): Obj {
  const template = obj(spec, 'template');
  const meta = template.metadata as Obj | undefined;
  if (meta) delete meta.creationTimestamp;
  defaultPodSpec(obj(template, 'spec'), restartPolicy);
  return template;
}

export function defaultPodSpec(spec: Obj, restartPolicy = 'Always'): void {
  setDefault(spec, 'restartPolicy', restartPolicy);
  setDefault(spec, 'terminationGracePeriodSeconds', DEFAULT_TERMINATION_GRACE_SECONDS);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  if (spec.serviceAccountName !== undefined) setDefault(spec, 'serviceAccount', spec.serviceAccountName);
  for (const key of ['containers', 'initContainers']) {
    for (const c of (spec[key] as Obj[] | undefined) ?? []) defaultContainer(c);
  }
  for (const v of (spec.volumes as Obj[] | undefined) ?? []) {
    for (const source of ['configMap', 'secret']) {
      const s = v[source] as Obj | undefined;
      if (s) setDefault(s, 'defaultMode', 0o644);
    }
    const pvc = v.persistentVolumeClaim as Obj | undefined;
    if (!Object.keys(v).some((k) => k !== 'name') && !pvc) v.emptyDir = {};
  }
}

function defaultContainer(c: Obj): void {
  const image = String(c.image ?? '');
  const lastPart = image.split('/').pop() ?? '';
  const tag = lastPart.includes('@')
    ? 'digest'
    : lastPart.includes(':')
      ? lastPart.split(':').pop()
      : 'latest';
  setDefault(c, 'imagePullPolicy', tag === 'latest' ? 'Always' : 'IfNotPresent');
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  const resources = obj(c, 'resources');
  for (const k of ['requests', 'limits']) {
    const r = resources[k] as Obj | undefined;
    if (r) for (const [name, q] of Object.entries(r)) r[name] = canonicalQuantity(q as string);
  }
  for (const p of (c.ports as Obj[] | undefined) ?? []) setDefault(p, 'protocol', 'TCP');
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const p = c[probe] as Obj | undefined;
    if (!p) continue;
    setDefault(p, 'timeoutSeconds', 1);
    setDefault(p, 'periodSeconds', 10);
    setDefault(p, 'successThreshold', 1);
    setDefault(p, 'failureThreshold', 3);
    const http = p.httpGet as Obj | undefined;
    if (http) setDefault(http, 'scheme', 'HTTP');
  }
}

function defaultService(spec: Obj, ctx: DefaultingContext): void {
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec.type !== 'ExternalName') {
    setDefault(spec, 'internalTrafficPolicy', 'Cluster');
    if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = ctx.allocateClusterIP();
    setDefault(spec, 'clusterIPs', [spec.clusterIP]);
    setDefault(spec, 'ipFamilies', ['IPv4']);
    setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer')
    setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  for (const p of (spec.ports as Obj[] | undefined) ?? []) {
    setDefault(p, 'protocol', 'TCP');
    setDefault(p, 'targetPort', p.port);
  }
}

/**
 * The apiserver merges a Secret's write-only `stringData` into `data` (base64) on every write,
 * its values winning, and never returns `stringData` (core/v1 Secret API reference).
 */
function mergeStringData(o: KubeObject): void {
  const stringData = (o as Obj).stringData as Record<string, string> | undefined;
  if (!stringData || typeof stringData !== 'object') return;
  const data = obj(o as Obj, 'data') as Record<string, string>;
  for (const [key, value] of Object.entries(stringData))
    data[key] = Buffer.from(String(value)).toString('base64');
  delete (o as Obj).stringData;
}
