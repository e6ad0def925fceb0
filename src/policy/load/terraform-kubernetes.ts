import type { Manifest, ObjectRef, Path, Position } from '../types.js';
import { isExpression, type TerraformExpression } from './terraform-values.js';

/**
 * The Kubernetes object each resource of the hashicorp/kubernetes provider creates, so that the
 * Kubernetes rules judge `kubernetes_role_v1` as they judge a Role in YAML. The provider's schema
 * (terraform-provider-kubernetes, kubernetes/schema_*.go) writes every nested object as a block:
 * a block becomes an object, or a list when the Kubernetes field is one (`container` blocks are
 * `containers`, `rule` blocks `rules`), and its arguments go from snake_case to the API's camelCase.
 * Attributes keep their values as written (maps such as labels, data or limits keep their keys).
 * A value that is a Terraform expression stays `{ expression }` at its place: the field is there,
 * its value unknown, and check() drops any finding on it (underExpression). A reference to the
 * literal name or namespace of another kubernetes_* resource of the same file is resolved to it.
 */

const RBAC = 'rbac.authorization.k8s.io/v1';

type Kind = { apiVersion: string; kind: string };
const kinds = (types: string[], apiVersion: string, kind: string): Array<[string, Kind]> =>
  types.map((type) => [type, { apiVersion, kind }]);
const versioned = (type: string) => [`kubernetes_${type}_v1`, `kubernetes_${type}`];

/** Resource types and the objects they create: the `_v1` types and their deprecated aliases. */
const KINDS: Readonly<Record<string, Kind>> = Object.fromEntries([
  ...kinds(versioned('role'), RBAC, 'Role'),
  ...kinds(versioned('cluster_role'), RBAC, 'ClusterRole'),
  ...kinds(versioned('role_binding'), RBAC, 'RoleBinding'),
  ...kinds(versioned('cluster_role_binding'), RBAC, 'ClusterRoleBinding'),
  ...kinds(versioned('service_account'), 'v1', 'ServiceAccount'),
  ...kinds(versioned('namespace'), 'v1', 'Namespace'),
  ...kinds(versioned('secret'), 'v1', 'Secret'),
  ...kinds(versioned('config_map'), 'v1', 'ConfigMap'),
  ...kinds(versioned('pod'), 'v1', 'Pod'),
  ...kinds(versioned('deployment'), 'apps/v1', 'Deployment'),
  ...kinds(versioned('stateful_set'), 'apps/v1', 'StatefulSet'),
  ...kinds(['kubernetes_daemon_set_v1', 'kubernetes_daemonset'], 'apps/v1', 'DaemonSet'),
  ...kinds(versioned('job'), 'batch/v1', 'Job'),
  ...kinds(['kubernetes_cron_job_v1'], 'batch/v1', 'CronJob'),
  // The deprecated type still creates batch/v1beta1 CronJobs (resourceKubernetesCronJobV1Beta1).
  ...kinds(['kubernetes_cron_job'], 'batch/v1beta1', 'CronJob'),
]);

/** Blocks whose Kubernetes field is a list, by block name; every other block is one object. */
const LISTS: Readonly<Record<string, string>> = {
  container: 'containers',
  init_container: 'initContainers',
  volume: 'volumes',
  volume_mount: 'volumeMounts',
  volume_device: 'volumeDevices',
  env: 'env',
  env_from: 'envFrom',
  port: 'ports',
  toleration: 'tolerations',
  rule: 'rules',
  subject: 'subjects',
  image_pull_secrets: 'imagePullSecrets',
  image_pull_secret: 'imagePullSecrets',
  host_aliases: 'hostAliases',
  topology_spread_constraint: 'topologySpreadConstraints',
  readiness_gate: 'readinessGates',
  match_expressions: 'matchExpressions',
  match_fields: 'matchFields',
  sysctl: 'sysctls',
  http_header: 'httpHeaders',
  items: 'items',
  cluster_role_selectors: 'clusterRoleSelectors',
  volume_claim_template: 'volumeClaimTemplates',
  sources: 'sources',
  option: 'options',
  node_selector_term: 'nodeSelectorTerms',
  on_pod_condition: 'onPodConditions',
  preferred_during_scheduling_ignored_during_execution: 'preferredDuringSchedulingIgnoredDuringExecution',
  required_during_scheduling_ignored_during_execution: 'requiredDuringSchedulingIgnoredDuringExecution',
};

/** The same block name as one object under these parents (the schema reuses the name). */
const SINGLE_UNDER: Readonly<Record<string, string>> = {
  // A node affinity's required term is one NodeSelector; a pod (anti-)affinity's is a list.
  required_during_scheduling_ignored_during_execution: 'node_affinity',
  // An ephemeral volume's claim template is one; a StatefulSet's are a list.
  volume_claim_template: 'ephemeral',
};

/** Names the API spells with an initialism, which camelCase alone does not give. */
const NAMES: Readonly<Record<string, string>> = {
  non_resource_urls: 'nonResourceURLs',
  host_ip: 'hostIP',
  host_pid: 'hostPID',
  host_ipc: 'hostIPC',
  pod_ip: 'podIP',
  cluster_ip: 'clusterIP',
  cluster_ips: 'clusterIPs',
  external_ips: 'externalIPs',
  load_balancer_ip: 'loadBalancerIP',
  downward_api: 'downwardAPI',
  ceph_fs: 'cephfs',
  target_ww_ns: 'targetWWNs',
  timezone: 'timeZone',
};

/** Arguments of the provider that are not fields of the object (waiting, timeouts, meta-arguments). */
const NOT_FIELDS = new Set([
  'count',
  'for_each',
  'provider',
  'depends_on',
  'lifecycle',
  'timeouts',
  'connection',
  'provisioner',
  'wait_for_rollout',
  'wait_for_completion',
  'wait_for_load_balancer',
  'wait_for_service_account_token',
  'wait_for_default_service_account',
]);

/** String arguments the API reads as IntOrString or as a number (replicas is a string in the provider). */
const NUMERIC_STRINGS = new Set(['port', 'target_port', 'max_surge', 'max_unavailable', 'replicas']);

const camel = (name: string) =>
  NAMES[name] ?? name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const key = (path: Path) => JSON.stringify(path);

/** For each Kubernetes path the converter wrote, the Terraform path it came from. */
type Sources = Map<string, Path>;

/** Literal names and namespaces of the file's kubernetes_* resources, for references to them. */
type Names = ReadonlyMap<string, { name?: string; namespace?: string }>;

const REFERENCE =
  /^(kubernetes_[a-z0-9_]+)\.([A-Za-z_][\w-]*)(?:\[0\])?\.metadata(?:\[0\]|\.0)\.(name|namespace)$/;

export function isKubernetesResource(type: string): boolean {
  return type in KINDS || type === 'kubernetes_manifest';
}

/** The Kubernetes objects of one file's resources (those of other providers give none). */
export function kubernetesObjects(resources: readonly Manifest[]): Manifest[] {
  const names: Map<string, { name?: string; namespace?: string }> = new Map();
  for (const r of resources) {
    if (!(r.ref.kind in KINDS)) continue;
    const meta = firstBlock(r.body.metadata);
    names.set(`${r.ref.kind}.${r.ref.name}`, {
      ...(typeof meta?.name === 'string' ? { name: meta.name } : {}),
      ...(typeof meta?.namespace === 'string' ? { namespace: meta.namespace } : {}),
    });
  }
  const out: Manifest[] = [];
  for (const r of resources) {
    const object = convert(r, names);
    if (object) out.push(object);
  }
  return out;
}

function convert(r: Manifest, names: Names): Manifest | undefined {
  const sources: Sources = new Map();
  let body: Record<string, unknown>;
  if (r.ref.kind === 'kubernetes_manifest') {
    // The object itself, written as an HCL object: its keys are the API's already.
    const manifest = r.body.manifest;
    if (!isPlain(manifest) || typeof manifest.apiVersion !== 'string' || typeof manifest.kind !== 'string')
      return undefined;
    body = manifest;
    sources.set(key([]), ['manifest']);
  } else {
    const kind = KINDS[r.ref.kind];
    if (!kind) return undefined;
    body = { apiVersion: kind.apiVersion, kind: kind.kind, ...block(r.body, '', [], [], sources, names) };
    if (kind.kind === 'Secret') secretData(body);
  }
  const meta = isPlain(body.metadata) ? body.metadata : {};
  const ref: ObjectRef = {
    apiVersion: String(body.apiVersion),
    kind: String(body.kind),
    name: nameOf(meta.name ?? meta.generateName),
  };
  if (meta.namespace !== undefined) ref.namespace = nameOf(meta.namespace);
  const start = r.start;
  return {
    file: r.file,
    start,
    ref,
    body,
    docPath: [],
    locate: (path: Path): Position => {
      for (let n = path.length; n >= 0; n--) {
        const from = sources.get(key(path.slice(0, n)));
        if (from) return r.locate(n === path.length ? from : [...from, ...path.slice(n)]);
      }
      return start;
    },
    docKey: `${r.docKey}#kubernetes`,
    declaredBy: { type: r.ref.kind, name: r.ref.name, module: r.terraform?.module ?? '' },
    ...(r.environment ? { environment: r.environment } : {}),
  };
}

/** A name known only as an expression is shown as Terraform would interpolate it. */
function nameOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isExpression(v)) {
    const text = v.expression;
    return text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : `\${${text}}`;
  }
  return '';
}

function block(
  tf: Record<string, unknown>,
  parent: string,
  tfPath: Path,
  kubePath: Path,
  sources: Sources,
  names: Names,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name in tf) {
    if (parent === '' && NOT_FIELDS.has(name)) continue;
    const value = tf[name];
    const from = [...tfPath, name];
    if (isBlocks(value)) {
      // A ServiceAccount's `secret` blocks are its secrets; a volume's `secret` is one source.
      const list =
        name === 'secret' && parent === ''
          ? 'secrets'
          : SINGLE_UNDER[name] === parent
            ? undefined
            : LISTS[name];
      const at = [...kubePath, list ?? camel(name)];
      if (list) {
        sources.set(key(at), from);
        out[list] = value.map((b, i) => {
          sources.set(key([...at, i]), [...from, i]);
          return block(b, name, [...from, i], [...at, i], sources, names);
        });
      } else {
        sources.set(key(at), [...from, 0]);
        out[at[at.length - 1] as string] = block(value[0]!, name, [...from, 0], at, sources, names);
      }
    } else {
      const field = camel(name);
      sources.set(key([...kubePath, field]), from);
      out[field] = attribute(name, value, names);
    }
  }
  return out;
}

/** Nested blocks as the loader reads them: a list of bodies (attributes never hold objects in a list here). */
function isBlocks(v: unknown): v is Array<Record<string, unknown>> {
  return Array.isArray(v) && v.length > 0 && v.every(isPlain);
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isExpression(v);
}

function firstBlock(v: unknown): Record<string, unknown> | undefined {
  return Array.isArray(v) && isPlain(v[0]) ? v[0] : undefined;
}

function attribute(name: string, value: unknown, names: Names): unknown {
  if (isExpression(value)) return resolve(value, names);
  // The provider parses these strings (intstr.Parse, strconv.Atoi): "8080" is the number 8080.
  if (NUMERIC_STRINGS.has(name) && typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  if (Array.isArray(value)) return value.map((v) => (isExpression(v) ? resolve(v, names) : v));
  return value;
}

/** `kubernetes_role_v1.x.metadata[0].name`, when that resource's name is a literal of this file. */
function resolve(v: TerraformExpression, names: Names): unknown {
  const m = REFERENCE.exec(v.expression);
  if (!m) return v;
  const literal = names.get(`${m[1]}.${m[2]}`)?.[m[3] as 'name' | 'namespace'];
  return literal ?? v;
}

/**
 * The provider writes `data` as the Secret's bytes (the API shows them base64) and `binary_data`
 * (base64 already) into the same map.
 */
function secretData(body: Record<string, unknown>): void {
  const data = body.data;
  const binary = body.binaryData;
  if (binary === undefined && !isPlain(data)) return;
  const out: Record<string, unknown> = {};
  if (isPlain(data))
    for (const k in data) {
      const v = data[k];
      out[k] = typeof v === 'string' ? Buffer.from(v, 'utf8').toString('base64') : v;
    }
  else if (data !== undefined) return; // `data = var.x`: unknown as a whole, left as it is
  if (isPlain(binary)) Object.assign(out, binary);
  else if (binary !== undefined) return;
  body.data = out;
  delete body.binaryData;
}
