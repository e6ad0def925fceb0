/**
 * A minimal RBAC authorizer for the sandbox: who is calling (the sandbox's admin token, or a
 * ServiceAccount's token held in a `kubernetes.io/service-account-token` Secret), and whether the
 * Roles, ClusterRoles and their bindings in the store let that identity make a resource request.
 *
 * The admin token is allowed everything, as before, so nothing that used the sandbox changes. A
 * ServiceAccount is allowed only what its bindings grant: the rule evaluation of the apiserver's
 * RBAC authorizer (plugin/pkg/auth/authorizer/rbac: apiGroups, resources with `resource/subresource`,
 * verbs, resourceNames, `*` wildcards; RoleBindings grant in their namespace, ClusterRoleBindings
 * everywhere; subjects ServiceAccount, User and Group). Discovery and OpenAPI stay open to any
 * authenticated caller, like the `system:discovery` ClusterRole every cluster binds. Not modelled:
 * aggregated ClusterRoles, escalation checks on writes of Roles, and the create check an apply
 * makes when the object does not exist yet (the verb is the request's: PATCH is `patch`).
 */
import type { KubeObject } from '@slipway/kube';
import type { MemoryStore } from '../store/memory-store.js';
import type { ServedResource } from '../store/registry.js';
import { ApiError } from './status.js';

export interface Identity {
  /** `system:admin` for the sandbox token, `system:serviceaccount:NS:NAME` for a ServiceAccount. */
  user: string;
  groups: string[];
  /** The sandbox's own token: every request is allowed. */
  admin: boolean;
}

/** What a resource request asks to do, as the apiserver's RequestInfo names it. */
export interface RequestAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export const ADMIN_IDENTITY: Identity = {
  user: 'system:admin',
  groups: ['system:masters', 'system:authenticated'],
  admin: true,
};

const SERVICE_ACCOUNT_TOKEN = 'kubernetes.io/service-account-token';
const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

/** The ServiceAccount whose token Secret holds `token`, or undefined. */
export function serviceAccountIdentity(store: MemoryStore, token: string): Identity | undefined {
  const secrets = store.registry.forResource('', 'v1', 'secrets');
  const accounts = store.registry.forResource('', 'v1', 'serviceaccounts');
  if (!secrets || !accounts) return undefined;
  for (const secret of store.allOf(secrets)) {
    if (secret.type !== SERVICE_ACCOUNT_TOKEN) continue;
    const data = (secret.data ?? {}) as Record<string, string>;
    if (data.token === undefined || Buffer.from(data.token, 'base64').toString('utf8') !== token) continue;
    const namespace = secret.metadata.namespace ?? 'default';
    const name = secret.metadata.annotations?.[SA_NAME_ANNOTATION];
    if (!name || !store.get(accounts, namespace, name)) return undefined;
    return {
      user: `system:serviceaccount:${namespace}:${name}`,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
      admin: false,
    };
  }
  return undefined;
}

function matches(values: string[] | undefined, wanted: string): boolean {
  return (values ?? []).some((v) => v === '*' || v === wanted);
}

function ruleAllows(rule: PolicyRule, a: RequestAttributes): boolean {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resourceOk = (rule.resources ?? []).some(
    (r) => r === '*' || r === resource || (a.subresource !== undefined && r === `*/${a.subresource}`),
  );
  const namesOk =
    !rule.resourceNames?.length || (a.name !== undefined && rule.resourceNames.includes(a.name));
  return matches(rule.verbs, a.verb) && matches(rule.apiGroups, a.group) && resourceOk && namesOk;
}

function subjectIs(subject: Subject, who: Identity, bindingNamespace: string | undefined): boolean {
  if (subject.kind === 'ServiceAccount')
    return (
      who.user ===
      `system:serviceaccount:${subject.namespace ?? bindingNamespace ?? ''}:${subject.name ?? ''}`
    );
  if (subject.kind === 'User') return who.user === subject.name;
  if (subject.kind === 'Group') return who.groups.includes(subject.name ?? '');
  return false;
}

function rulesOf(store: MemoryStore, binding: KubeObject): PolicyRule[] {
  const ref = (binding.roleRef ?? {}) as { kind?: string; name?: string };
  const namespaced = ref.kind === 'Role';
  const type = store.registry.forResource(
    'rbac.authorization.k8s.io',
    'v1',
    namespaced ? 'roles' : 'clusterroles',
  );
  if (!type || !ref.name) return [];
  const role = store.get(type, namespaced ? binding.metadata.namespace : undefined, ref.name);
  return ((role?.rules ?? []) as PolicyRule[]) ?? [];
}

function bindings(store: MemoryStore, resource: 'rolebindings' | 'clusterrolebindings'): KubeObject[] {
  const type = store.registry.forResource('rbac.authorization.k8s.io', 'v1', resource);
  return type ? store.allOf(type) : [];
}

/** Whether the identity's bindings grant the request. */
export function allowed(store: MemoryStore, who: Identity, a: RequestAttributes): boolean {
  if (who.admin) return true;
  const granted = (b: KubeObject) =>
    ((b.subjects ?? []) as Subject[]).some((s) => subjectIs(s, who, b.metadata.namespace)) &&
    rulesOf(store, b).some((rule) => ruleAllows(rule, a));
  if (bindings(store, 'clusterrolebindings').some(granted)) return true;
  if (a.namespace === undefined) return false;
  return bindings(store, 'rolebindings').some((b) => b.metadata.namespace === a.namespace && granted(b));
}

/**
 * Whether the identity may make a non-resource request (`GET /healthz`; `verb` is the lower-cased
 * HTTP method). As in RBAC, only ClusterRoles bound by ClusterRoleBindings grant these, through
 * `nonResourceURLs`: an exact path, `*`, or a prefix ending in `*` (`/metrics/*`).
 */
export function allowedPath(store: MemoryStore, who: Identity, path: string, verb: string): boolean {
  if (who.admin) return true;
  const urlMatches = (url: string) =>
    url === '*' || url === path || (url.endsWith('*') && path.startsWith(url.replace(/\*+$/, '')));
  return bindings(store, 'clusterrolebindings').some(
    (b) =>
      ((b.subjects ?? []) as Subject[]).some((s) => subjectIs(s, who, b.metadata.namespace)) &&
      rulesOf(store, b).some(
        (rule) => matches(rule.verbs, verb) && (rule.nonResourceURLs ?? []).some(urlMatches),
      ),
  );
}

/** The apiserver's wording: `deployments.apps "web" is forbidden: User "…" cannot patch resource "deployments" in API group "apps" in the namespace "shop"`. */
export function forbidden(who: Identity, a: RequestAttributes): ApiError {
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  const object = a.name ? `${qualified} "${a.name}"` : qualified;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace !== undefined ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return new ApiError(
    403,
    'Forbidden',
    `${object} is forbidden: User "${who.user}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`,
    { name: a.name ?? '', group: a.group, kind: a.resource },
  );
}

/** Throws the 403 the apiserver answers when the identity may not make the request. */
export function authorize(
  store: MemoryStore,
  who: Identity,
  verb: string,
  route: { type: ServedResource; namespace?: string; name?: string; subresource?: string },
): void {
  if (who.admin) return;
  const a: RequestAttributes = {
    verb,
    group: route.type.group,
    resource: route.type.resource,
    ...(route.subresource !== undefined ? { subresource: route.subresource } : {}),
    ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
    ...(route.name !== undefined ? { name: route.name } : {}),
  };
  if (!allowed(store, who, a)) throw forbidden(who, a);
  // A patch (server-side apply) of an object that does not exist yet creates it: the apiserver's
  // patch handler then checks `create` too.
  if (verb === 'patch' && route.name !== undefined && !route.subresource) {
    if (!store.get(route.type, route.namespace, route.name) && !allowed(store, who, { ...a, verb: 'create' }))
      throw forbidden(who, { ...a, verb: 'create' });
  }
}
