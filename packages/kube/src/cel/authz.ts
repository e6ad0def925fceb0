import { celMethod, CelScalar, isCelMap, mapType, type CelFunc, type CelMap } from '@bufbuild/cel';

/**
 * The Kubernetes authorizer library (k8s.io/apiserver/pkg/cel/library/authz.go) as
 * ValidatingAdmissionPolicy offers it in the `authorizer` variable:
 *   authorizer.group(g).resource(r)[.subresource(s)][.namespace(ns)][.name(n)].check(verb)
 *   authorizer.serviceAccount(ns, name)...   (checks as that ServiceAccount)
 *   authorizer.requestResource.check(verb)   (the request's group, resource, subresource, namespace, name)
 *   authorizer.path('/healthz').check(verb)  (a non-resource URL, with a lower-cased HTTP verb)
 * and on the Decision: allowed(), reason(), errored(), error(). Resource checks ask the host's
 * authorizer (the sandbox's RBAC) with APIVersion "*", as the API server does. Not offered: the
 * fieldSelector/labelSelector refinements.
 *
 * Kubernetes' values are opaque types; here each is a map with one `@authz` entry holding its fields
 * as JSON, read only by these functions (the authorizer map also holds `requestResource`).
 */
export interface AuthzUser {
  name: string;
  groups: string[];
}

export interface AuthzAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export interface AuthzDecision {
  allowed: boolean;
  reason: string;
  error?: string;
}

/** A non-resource request (`authorizer.path(p).check(verb)`): the URL path and the lower-cased HTTP verb. */
export interface AuthzPathAttributes {
  verb: string;
  path: string;
}

/** What the host answers; `user` undefined is the request's own user. */
export type CelAuthorizer = (
  user: AuthzUser | undefined,
  attributes: AuthzAttributes | AuthzPathAttributes,
) => AuthzDecision;

const KEY = '@authz';
const { STRING, BOOL } = CelScalar;
const OPAQUE = mapType(STRING, CelScalar.DYN);

type Fields =
  | { kind: 'authorizer'; user?: AuthzUser }
  | { kind: 'group'; user?: AuthzUser; group: string }
  | ({ kind: 'resource'; user?: AuthzUser } & Omit<AuthzAttributes, 'verb'>)
  | { kind: 'path'; user?: AuthzUser; path: string }
  | ({ kind: 'decision' } & AuthzDecision);

const wrap = (f: Fields): CelMap => new Map([[KEY, JSON.stringify(f)]]) as unknown as CelMap;

function read<K extends Fields['kind']>(m: CelMap, ...kinds: K[]): Extract<Fields, { kind: K }> {
  const text = isCelMap(m) ? m.get(KEY) : undefined;
  const f = typeof text === 'string' ? (JSON.parse(text) as Fields) : undefined;
  if (!f || !(kinds as string[]).includes(f.kind))
    throw new Error(`no such overload: not a kubernetes.authorization value of this kind`);
  return f as Extract<Fields, { kind: K }>;
}

let active: CelAuthorizer | undefined;

/** Runs `f` with `authorizer` answering the checks it evaluates (evaluation is synchronous). */
export function withAuthorizer<T>(authorizer: CelAuthorizer | undefined, f: () => T): T {
  const before = active;
  active = authorizer;
  try {
    return f();
  } finally {
    active = before;
  }
}

/** The `authorizer` variable for a request; its requestResource is the request's resource. */
export function authorizerValue(request: Omit<AuthzAttributes, 'verb'>): CelMap {
  const m = wrap({ kind: 'authorizer' });
  (m as unknown as Map<string, unknown>).set('requestResource', wrap({ kind: 'resource', ...request }));
  return m;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const setter = (field: 'subresource' | 'namespace' | 'name') =>
  celMethod(field, OPAQUE, [STRING], OPAQUE, function (value) {
    return wrap({ ...read(this, 'resource'), [field]: value });
  });

export const AUTHZ_FUNCS: CelFunc[] = [
  celMethod('group', OPAQUE, [STRING], OPAQUE, function (group) {
    const { user } = read(this, 'authorizer');
    return wrap({ kind: 'group', ...(user ? { user } : {}), group });
  }),
  celMethod('path', OPAQUE, [STRING], OPAQUE, function (path) {
    const { user } = read(this, 'authorizer');
    if (path.trim() === '') throw new Error('path must not be empty');
    return wrap({ kind: 'path', ...(user ? { user } : {}), path });
  }),
  celMethod('serviceAccount', OPAQUE, [STRING, STRING], OPAQUE, function (namespace, name) {
    read(this, 'authorizer');
    if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) throw new Error('Invalid service account name');
    if (namespace.length > 63 || !DNS_LABEL.test(namespace))
      throw new Error('Invalid service account namespace');
    return wrap({
      kind: 'authorizer',
      user: {
        name: `system:serviceaccount:${namespace}:${name}`,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
      },
    });
  }),
  celMethod('resource', OPAQUE, [STRING], OPAQUE, function (resource) {
    const { user, group } = read(this, 'group');
    if (resource.trim() === '') throw new Error('resource must not be empty');
    return wrap({
      kind: 'resource',
      ...(user ? { user } : {}),
      group,
      resource,
      subresource: '',
      namespace: '',
      name: '',
    });
  }),
  setter('subresource'),
  setter('namespace'),
  setter('name'),
  celMethod('check', OPAQUE, [STRING], OPAQUE, function (verb) {
    const { kind: _, user, ...attributes } = read(this, 'resource', 'path');
    if (!active) return wrap({ kind: 'decision', allowed: false, reason: '', error: 'no authorizer' });
    const d = active(user, { ...attributes, verb });
    return wrap({ kind: 'decision', ...d });
  }),
  celMethod('allowed', OPAQUE, [], BOOL, function () {
    return read(this, 'decision').allowed;
  }),
  celMethod('reason', OPAQUE, [], STRING, function () {
    return read(this, 'decision').reason;
  }),
  celMethod('errored', OPAQUE, [], BOOL, function () {
    return read(this, 'decision').error !== undefined;
  }),
  celMethod('error', OPAQUE, [], STRING, function () {
    return read(this, 'decision').error ?? '';
  }),
];
