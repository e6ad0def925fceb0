/**
 * What `slipway deploy` sends to the API server, as RBAC rules: the table the Terraform renderer
 * turns into the deployer's Role, and that test/e2e/infra-rbac.test.ts holds against the requests
 * the engine really makes in the sandbox (every request it makes is granted here; a Role without
 * any one of these rules makes the deploy fail). Each entry says which part of the engine needs it.
 */
import type { KubeObject } from '@slipway/kube';
import type { ResolvedApp } from '../spec/resolved.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

export interface AccessRule {
  apiGroup: string;
  /** Plural resource, or `resource/subresource`. */
  resource: string;
  verbs: Verb[];
  /** The engine step that makes these requests. */
  why: string;
  /** The engine goes on without it, with less detail in its messages (it catches the refusal). */
  diagnostic?: boolean;
}

/** Plural resource names of the kinds render produces (the API server's REST mapping). */
export const RESOURCE_OF_KIND: Record<string, { apiGroup: string; resource: string }> = {
  ConfigMap: { apiGroup: '', resource: 'configmaps' },
  Secret: { apiGroup: '', resource: 'secrets' },
  Service: { apiGroup: '', resource: 'services' },
  ServiceAccount: { apiGroup: '', resource: 'serviceaccounts' },
  PersistentVolumeClaim: { apiGroup: '', resource: 'persistentvolumeclaims' },
  Deployment: { apiGroup: 'apps', resource: 'deployments' },
  StatefulSet: { apiGroup: 'apps', resource: 'statefulsets' },
  Job: { apiGroup: 'batch', resource: 'jobs' },
  CronJob: { apiGroup: 'batch', resource: 'cronjobs' },
  HorizontalPodAutoscaler: { apiGroup: 'autoscaling', resource: 'horizontalpodautoscalers' },
  PodDisruptionBudget: { apiGroup: 'policy', resource: 'poddisruptionbudgets' },
  NetworkPolicy: { apiGroup: 'networking.k8s.io', resource: 'networkpolicies' },
  Ingress: { apiGroup: 'networking.k8s.io', resource: 'ingresses' },
  HTTPRoute: { apiGroup: 'gateway.networking.k8s.io', resource: 'httproutes' },
  Cluster: { apiGroup: 'postgresql.cnpg.io', resource: 'clusters' },
};

/**
 * Kinds the engine itself reads or writes besides the rendered ones, and the resource of the rule
 * that grants it; test/infra/infra-units.test.ts fails when src/engine names a kind in neither list.
 */
export const ENGINE_KINDS: Record<string, string> = {
  Pod: 'pods',
  Event: 'events',
  Lease: 'leases',
  Secret: 'secrets',
  Endpoints: 'endpoints',
  ReplicaSet: 'replicasets',
  Namespace: 'namespaces',
  ValidatingAdmissionPolicyBinding: 'validatingadmissionpolicybindings',
};

/**
 * Reads the engine makes of a kind it applied: watching a rollout (get/list/watch of the workload),
 * the config hash of a roll-out (ConfigMaps), the endpoints wait (Services).
 */
const READS: Record<string, { verbs: Verb[]; why: string }> = {
  Deployment: { verbs: ['get', 'list', 'watch'], why: 'roll-out: waits on the Deployment' },
  StatefulSet: { verbs: ['get', 'list', 'watch'], why: 'roll-out: waits on the StatefulSet' },
  ConfigMap: { verbs: ['list', 'watch'], why: 'apply-config: waits for the config to be stored' },
  Service: { verbs: ['get'], why: 'switch: reads the Service selectors and endpoints' },
  Job: { verbs: ['list', 'watch'], why: 'migrate: waits on the migration Job' },
  HorizontalPodAutoscaler: { verbs: ['get'], why: 'roll-out: reads the autoscaler replica range' },
};

/**
 * Server-side apply is `patch`, and `create` the first time (the API server checks both); `delete`
 * is the clean-up of what the previous release applied and this one no longer renders (and of a
 * blue-green colour or canary).
 */
const APPLY_VERBS: Verb[] = ['create', 'delete', 'patch'];

/** Requests the engine makes whatever the app renders. */
const ALWAYS: AccessRule[] = [
  {
    apiGroup: '',
    resource: 'secrets',
    verbs: ['create', 'get', 'list', 'update'],
    why: 'record: release history is stored as Secrets',
  },
  {
    apiGroup: 'coordination.k8s.io',
    resource: 'leases',
    verbs: ['create', 'delete', 'get', 'update'],
    why: 'lock: one deploy at a time holds a Lease, renewed while it runs',
  },
  { apiGroup: '', resource: 'pods', verbs: ['list', 'watch'], why: 'roll-out: crash loops and failed pulls' },
  {
    apiGroup: '',
    resource: 'events',
    verbs: ['list'],
    why: 'roll-out: the last warning of a pod that is not ready, in the failure message',
    diagnostic: true,
  },
];

/** Reads of other kinds that waiting on a kind needs. */
const RELATED: Record<string, AccessRule[]> = {
  Deployment: [
    {
      apiGroup: 'apps',
      resource: 'replicasets',
      verbs: ['get'],
      why: 'roll-out: tells a failing pod of the new revision from the old ones (its ReplicaSet)',
    },
  ],
};

/**
 * One rule per resource, its verbs the union of every rule naming it (sorted) and its reasons joined;
 * sorted by group then resource. The deployer's and the drill's tables both end here.
 */
export function mergeRules(rules: Iterable<AccessRule>): AccessRule[] {
  const byResource = new Map<string, AccessRule>();
  for (const rule of rules) {
    const key = `${rule.apiGroup}/${rule.resource}`;
    const seen = byResource.get(key);
    if (!seen) byResource.set(key, { ...rule, verbs: [...rule.verbs] });
    else {
      seen.verbs = [...new Set([...seen.verbs, ...rule.verbs])];
      if (!seen.why.includes(rule.why)) seen.why = `${seen.why}; ${rule.why}`;
    }
  }
  for (const rule of byResource.values()) rule.verbs.sort();
  return [...byResource.values()].sort(
    (a, b) => a.apiGroup.localeCompare(b.apiGroup) || a.resource.localeCompare(b.resource),
  );
}

/** What a deploy of this environment needs, one rule per resource, sorted by group then resource. */
export function deployerRules(app: ResolvedApp, objects: KubeObject[]): AccessRule[] {
  const rules: AccessRule[] = [];
  const add = (rule: AccessRule) => rules.push(rule);
  for (const rule of ALWAYS) add(rule);
  for (const kind of [...new Set(objects.map((o) => o.kind))]) {
    const mapping = RESOURCE_OF_KIND[kind];
    if (!mapping) continue;
    add({ ...mapping, verbs: APPLY_VERBS, why: `apply and clean-up: the rendered ${kind} objects` });
    const reads = READS[kind];
    if (reads) add({ ...mapping, ...reads });
    for (const rule of RELATED[kind] ?? []) add(rule);
  }
  if (app.deploy.strategy === 'blue-green' || app.deploy.strategy === 'canary')
    add({
      apiGroup: '',
      resource: 'endpoints',
      verbs: ['get', 'list', 'watch'],
      why: `switch: ${app.deploy.strategy} waits for the new pods to be in the Service's endpoints`,
    });
  if (Object.values(app.dependencies).some((d) => d.managed === true))
    add({
      apiGroup: '',
      resource: 'secrets',
      verbs: ['patch'],
      why: 'deploy --infra-outputs: applies the Secrets holding the managed endpoints',
    });
  if (Object.values(app.services).some((s) => s.migrations))
    add({
      apiGroup: '',
      resource: 'pods/log',
      verbs: ['get'],
      why: 'migrate: a failed migration shows its log',
    });
  if (Object.values(app.deploy.analysis ?? {}).some((a) => a.job))
    add({
      apiGroup: 'batch',
      resource: 'jobs',
      verbs: ['create', 'delete', 'list', 'watch'],
      why: 'analyse: job analyses',
    });
  return mergeRules(rules);
}

/**
 * Prometheus analyses through the API server's service proxy: `get services/proxy` in the
 * Prometheus' own namespace, granted there by a second Role.
 */
export function prometheusProxyNamespace(app: ResolvedApp): string | undefined {
  const targets = [
    app.deploy.prometheus?.service,
    ...Object.values(app.deploy.analysis ?? {}).map((a) => a.prometheus?.service),
  ];
  const service = targets.find((t) => t !== undefined);
  return service?.replace(/^https?:/, '').split('/')[0];
}

/** The Namespace the engine applies before taking its lock: a ClusterRole limited to that name. */
export const NAMESPACE_RULE: Omit<AccessRule, 'why'> & { why: string } = {
  apiGroup: '',
  resource: 'namespaces',
  verbs: ['patch'],
  why: 'lock: the engine applies its Namespace (limited by resourceNames to this one)',
};

/**
 * The admission pre-flight counts the cluster's ValidatingAdmissionPolicy bindings (cluster-scoped,
 * so a ClusterRole grants it). Diagnostic: refused, the engine skips the dry run, and a policy that
 * refuses an object does so at the apply itself (the previous release is then put back).
 */
export const ADMISSION_BINDINGS_RULE: AccessRule = {
  apiGroup: 'admissionregistration.k8s.io',
  resource: 'validatingadmissionpolicybindings',
  verbs: ['list'],
  why: "admission: counts the cluster's policy bindings; with any, every object is dry-run first",
  diagnostic: true,
};
