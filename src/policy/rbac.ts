import { arr, get, isObj, obj, str, strMap } from './access.js';
import type { InputIndex } from './index-set.js';
import { matchesLabelSelector } from './selectors.js';
import type { Manifest } from './types.js';

/**
 * RBAC evaluation over the input set, with the authorizer's matching rules
 * (k8s.io/kubernetes pkg/apis/rbac/v1 evaluation_helpers: VerbMatches, APIGroupMatches,
 * ResourceMatches): `*` matches every verb, API group or resource; a subresource is asked for as
 * `pods/exec` and matched by the exact string or by `*` or `*\/exec`. `pods/*` is NOT a wildcard:
 * the authorizer compares it literally, so it grants no subresource.
 */
export interface PolicyRule {
  index: number;
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[];
}

export interface Request {
  verb: string;
  apiGroup: string;
  /** `pods` or `pods/exec`. */
  resource: string;
}

export function policyRules(body: Record<string, unknown>): PolicyRule[] {
  return arr(body.rules).flatMap((r, index) =>
    isObj(r)
      ? [
          {
            index,
            apiGroups: arr(r.apiGroups).map(String),
            resources: arr(r.resources).map(String),
            verbs: arr(r.verbs).map(String),
            resourceNames: arr(r.resourceNames).map(String),
          },
        ]
      : [],
  );
}

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === '*' || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return rule.apiGroups.some((g) => g === '*' || g === group);
}

export function resourceMatches(rule: PolicyRule, resource: string): boolean {
  const slash = resource.indexOf('/');
  const sub = slash >= 0 ? resource.slice(slash + 1) : '';
  return rule.resources.some((r) => r === '*' || r === resource || (sub !== '' && r === `*/${sub}`));
}

/** Does this rule allow the request (on some object: resourceNames narrow it but still allow)? */
export function ruleAllows(rule: PolicyRule, req: Request): boolean {
  return (
    verbMatches(rule, req.verb) && apiGroupMatches(rule, req.apiGroup) && resourceMatches(rule, req.resource)
  );
}

/**
 * The verbs of the resource API. A rule that lists all of them for `*` resources in `*` groups grants
 * what `verbs: ["*"]` grants for every practical purpose (deletecollection is implied by delete on a
 * list of names, so it is not required).
 */
export const EVERY_VERB = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** A rule equivalent to cluster-admin's `*` on `*.*`: every verb, every resource, every API group. */
export function grantsEverything(rule: PolicyRule): boolean {
  if (rule.resourceNames.length > 0) return false;
  if (!rule.apiGroups.includes('*') || !rule.resources.includes('*')) return false;
  return rule.verbs.includes('*') || EVERY_VERB.every((v) => rule.verbs.includes(v));
}

/** What `kubectl exec` and `kubectl attach` need: create (and, before websocket checks, get) on the subresource. */
const EXEC_REQUESTS: Request[] = ['pods/exec', 'pods/attach'].flatMap((resource) =>
  ['create', 'get'].map((verb) => ({ verb, apiGroup: '', resource })),
);

/** The subresources (`pods/exec`, `pods/attach`) a rule lets a subject open a shell or stream into. */
export function execGrants(rule: PolicyRule): string[] {
  const out = new Set<string>();
  for (const req of EXEC_REQUESTS) if (ruleAllows(rule, req)) out.add(req.resource);
  return [...out];
}

/**
 * The ClusterRoles Kubernetes creates itself (and whose rules are not in the input): what they grant
 * is known, so bindings to them are judged, not reported as missing.
 */
const BUILT_IN_CLUSTER_ROLES: Record<string, { everything: boolean; exec: boolean }> = {
  'cluster-admin': { everything: true, exec: true },
  admin: { everything: false, exec: true },
  edit: { everything: false, exec: true },
  view: { everything: false, exec: false },
};

export function isBuiltInClusterRole(name: string): boolean {
  return name in BUILT_IN_CLUSTER_ROLES || name.startsWith('system:');
}

export interface RoleGrant {
  /** The role object in the input (undefined for a built-in ClusterRole). */
  role?: Manifest;
  everything: boolean;
  exec: string[];
}

/**
 * The rules of a role, including an aggregated ClusterRole's: the union of the rules of every
 * ClusterRole in the input its clusterRoleSelectors match (what the aggregation controller writes).
 */
export function effectiveRules(role: Manifest, index: InputIndex): PolicyRule[] {
  const own = policyRules(role.body);
  const selectors = arr(get(role.body, 'aggregationRule', 'clusterRoleSelectors'));
  if (role.ref.kind !== 'ClusterRole' || selectors.length === 0) return own;
  const aggregated = index
    .byKind('ClusterRole')
    .filter(
      (other) =>
        other !== role &&
        selectors.some((s) => matchesLabelSelector(s, strMap(get(other.body, 'metadata', 'labels')))),
    )
    .flatMap((other) => policyRules(other.body));
  return [...own, ...aggregated];
}

/**
 * What the role a binding references grants, or undefined when the role is neither in the input nor
 * built in. A RoleBinding's Role is looked up in the binding's namespace; a ClusterRole is
 * cluster-scoped (a RoleBinding to a ClusterRole grants its rules inside the binding's namespace).
 */
export function boundRole(binding: Manifest, index: InputIndex): RoleGrant | undefined {
  const roleRef = obj(binding.body.roleRef) ?? {};
  const kind = str(roleRef.kind);
  const name = str(roleRef.name);
  if (!name || (kind !== 'Role' && kind !== 'ClusterRole')) return undefined;
  if (kind === 'Role' && binding.ref.kind !== 'RoleBinding') return undefined;
  // Cluster-scoped objects are indexed under namespace "default".
  const role = index.find(kind, kind === 'Role' ? (binding.ref.namespace ?? 'default') : 'default', name);
  if (!role) {
    const builtIn = kind === 'ClusterRole' ? BUILT_IN_CLUSTER_ROLES[name] : undefined;
    if (builtIn)
      return { everything: builtIn.everything, exec: builtIn.exec ? ['pods/exec', 'pods/attach'] : [] };
    return undefined;
  }
  const rules = effectiveRules(role, index);
  return {
    role,
    everything: rules.some(grantsEverything),
    exec: [...new Set(rules.flatMap(execGrants))],
  };
}
