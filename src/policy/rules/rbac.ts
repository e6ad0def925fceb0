import { arr, get, isObj, str } from '../access.js';
import { indexOf } from '../index-set.js';
import { boundRole, execGrants, isBuiltInClusterRole, policyRules, ruleAllows } from '../rbac.js';
import type { Manifest, Rule, Violation } from '../types.js';
import { listOr, stringLabel } from './cel.js';
import { kindRule } from './define.js';

const ROLE_KINDS = ['Role', 'ClusterRole'];
const BINDING_KINDS = ['RoleBinding', 'ClusterRoleBinding'];

const rulesOf = (m: Manifest) => policyRules(m.body);

/** ClusterRoles Kubernetes itself maintains (re-declared in the input, e.g. by a cluster dump). */
function isDefaultRole(m: Manifest): boolean {
  return get(m.body, 'metadata', 'labels', 'kubernetes.io/bootstrapping') === 'rbac-defaults';
}

function roleRefText(m: Manifest): string {
  return `${String(get(m.body, 'roleRef', 'kind'))} "${String(get(m.body, 'roleRef', 'name'))}"`;
}

const wildcard = kindRule(
  {
    id: 'rbac-wildcard',
    admission: {
      kinds: ['Role', 'ClusterRole'],
      expression:
        "!has(object.rules) || object.rules == null || object.rules.all(r, ['apiGroups', 'resources', 'verbs'].all(f, !(f in r) || r[f] == null || !r[f].exists(x, x == '*')) && (!has(r.resources) || r.resources == null || !r.resources.exists(x, x.matches('^[^*/]+/\\\\*$'))))",
      message: 'a role must not grant * API groups, resources or verbs, nor name resource/*',
    },
    title: 'Wildcard in an RBAC rule',
    severity: 'warning',
    category: 'rbac',
    checks:
      'rules[].apiGroups, resources and verbs of a Role or ClusterRole must not contain `*`; a resource written `pods/*` is reported too, because the authorizer matches it literally and it grants no subresource.',
    rationale:
      'A wildcard grants every current and future resource or verb, including ones added by CRDs later.',
    remediation: 'List the API groups, resources and verbs the subject needs.',
  },
  ROLE_KINDS,
  (m) =>
    rulesOf(m).flatMap((r) => [
      ...(['apiGroups', 'resources', 'verbs'] as const).flatMap((field): Violation[] => {
        const i = r[field].indexOf('*');
        return i >= 0
          ? [
              {
                manifest: m,
                path: ['rules', r.index, field, i],
                message: `rule ${r.index} grants every ${field === 'apiGroups' ? 'API group' : field === 'resources' ? 'resource' : 'verb'} (*)`,
              },
            ]
          : [];
      }),
      ...r.resources.flatMap((res, i): Violation[] =>
        /^[^*/]+\/\*$/.test(res)
          ? [
              {
                manifest: m,
                path: ['rules', r.index, 'resources', i],
                message: `rule ${r.index} names "${res}", which RBAC matches literally: it grants no subresource (list them, e.g. ${res.slice(0, -1)}log, or use "*/<subresource>")`,
              },
            ]
          : [],
      ),
    ]),
);

const clusterAdmin = kindRule(
  {
    id: 'rbac-cluster-admin',
    title: 'Binding to cluster-admin',
    severity: 'error',
    category: 'rbac',
    checks:
      'A RoleBinding or ClusterRoleBinding must not reference the ClusterRole cluster-admin, nor a Role or ClusterRole of the input that grants every verb on every resource of every API group (`*`, or get, list, watch, create, update, patch and delete listed in any order; aggregated ClusterRoles included).',
    rationale: 'cluster-admin can do anything, including reading every Secret and granting itself more.',
    remediation: 'Bind a Role with only the permissions the subject needs.',
  },
  BINDING_KINDS,
  (m, ctx) => {
    if (
      get(m.body, 'roleRef', 'name') === 'cluster-admin' &&
      get(m.body, 'roleRef', 'kind') === 'ClusterRole'
    )
      return [{ manifest: m, path: ['roleRef', 'name'], message: 'binds the cluster-admin ClusterRole' }];
    const grant = boundRole(m, indexOf(ctx.manifests));
    return grant?.everything
      ? [
          {
            manifest: m,
            path: ['roleRef', 'name'],
            message: `binds ${roleRefText(m)}, which grants every verb on every resource: the equivalent of cluster-admin${m.ref.kind === 'RoleBinding' ? ' in the namespace' : ''}`,
          },
        ]
      : [];
  },
);

const READ = ['get', 'list', 'watch'];

const secretRead = kindRule(
  {
    id: 'rbac-secret-read',
    admission: {
      kinds: ['Role', 'ClusterRole'],
      expression:
        "!has(object.rules) || object.rules == null || !object.rules.exists(r, has(r.resources) && r.resources != null && 'secrets' in r.resources && has(r.verbs) && r.verbs != null && r.verbs.exists(v, v in ['*', 'get', 'list', 'watch']) && has(r.apiGroups) && r.apiGroups != null && r.apiGroups.exists(g, g == '*' || g == ''))",
      message: 'a role must not grant get, list or watch on secrets',
    },
    title: 'Read access to Secrets',
    severity: 'warning',
    category: 'rbac',
    checks:
      'A Role or ClusterRole rule naming secrets must not grant get, list or watch on them in the core API group (`*` verbs and API groups included). A `*` resource is reported by rbac-wildcard.',
    rationale:
      'list/watch on Secrets returns their contents: every credential in the namespace (or cluster).',
    remediation:
      'Grant get on the specific Secret via resourceNames, or mount the Secret into the pod instead.',
  },
  ROLE_KINDS,
  (m) =>
    rulesOf(m).flatMap((r): Violation[] => {
      const i = r.resources.indexOf('secrets');
      // The verbs and API groups as the authorizer matches them (`*` included); a `*` resource is rbac-wildcard's.
      const verbs = READ.filter((verb) => ruleAllows(r, { verb, apiGroup: '', resource: 'secrets' }));
      return i >= 0 && verbs.length > 0
        ? [
            {
              manifest: m,
              path: ['rules', r.index, 'resources', i],
              message: `rule ${r.index} grants ${verbs.join('/')} on secrets`,
            },
          ]
        : [];
    }),
);

const ESCALATION = ['escalate', 'bind', 'impersonate'];

const escalation = kindRule(
  {
    id: 'rbac-escalation',
    admission: {
      kinds: ['Role', 'ClusterRole'],
      expression:
        "!has(object.rules) || object.rules.all(r, !has(r.verbs) || !r.verbs.exists(v, v in ['escalate', 'bind', 'impersonate']))",
      message: 'a role must not grant escalate, bind or impersonate',
    },
    title: 'escalate, bind or impersonate',
    severity: 'error',
    category: 'rbac',
    checks: 'A Role or ClusterRole must not grant the verbs escalate, bind or impersonate.',
    rationale:
      'These verbs let the subject grant itself permissions it does not have, or act as another user.',
    remediation: 'Remove the verb; only cluster administrators should hold it.',
  },
  ROLE_KINDS,
  (m) =>
    rulesOf(m).flatMap((r) =>
      r.verbs.flatMap((v, i): Violation[] =>
        ESCALATION.includes(v)
          ? [{ manifest: m, path: ['rules', r.index, 'verbs', i], message: `rule ${r.index} grants ${v}` }]
          : [],
      ),
    ),
);

const podExec = kindRule(
  {
    id: 'rbac-pod-exec',
    admission: {
      kinds: ['Role', 'ClusterRole'],
      expression: `${stringLabel('object.metadata', 'kubernetes.io/bootstrapping')} && object.metadata.labels['kubernetes.io/bootstrapping'] == 'rbac-defaults' || ${listOr('object', 'rules')}.all(r, type(r) != map || !(${listOr('r', 'verbs')}.exists(v, v in ['*', 'create', 'get']) && ${listOr('r', 'apiGroups')}.exists(g, g in ['*', '']) && ${listOr('r', 'resources')}.exists(x, x in ['*', 'pods/exec', 'pods/attach', '*/exec', '*/attach'])))`,
      message: 'a role must not grant create or get on pods/exec or pods/attach',
    },
    title: 'exec or attach into pods',
    severity: 'warning',
    category: 'rbac',
    checks:
      "A Role or ClusterRole must not grant create (or get) on pods/exec or pods/attach in the core API group, whether named or reached through `*` verbs, `*` or `*/exec` resources or `*` API groups. ClusterRoles labelled kubernetes.io/bootstrapping: rbac-defaults (Kubernetes' own) are skipped.",
    rationale: 'Exec into a pod yields its service account token, its Secrets and its network position.',
    remediation: 'Grant exec only to operators, through a separate Role.',
  },
  ROLE_KINDS,
  (m) =>
    isDefaultRole(m)
      ? []
      : rulesOf(m).flatMap((r): Violation[] => {
          const grants = execGrants(r);
          if (grants.length === 0) return [];
          const named = r.resources.findIndex((res) => grants.includes(res));
          return [
            {
              manifest: m,
              path: ['rules', r.index, 'resources', ...(named >= 0 ? [named] : [])],
              message: `rule ${r.index} allows ${grants.join(' and ')}`,
            },
          ];
        }),
);

const bindingPodExec = kindRule(
  {
    id: 'rbac-binding-pod-exec',
    title: 'Binding grants exec or attach into pods',
    severity: 'warning',
    category: 'rbac',
    checks:
      'A RoleBinding or ClusterRoleBinding must not reference a role that allows pods/exec or pods/attach (evaluated as rbac-pod-exec, including a ClusterRole bound by a RoleBinding and the built-in admin and edit ClusterRoles).',
    rationale:
      'The binding is what hands the shell to its subjects; a ServiceAccount that can exec reaches every pod it may exec into, with their tokens and Secrets.',
    remediation:
      'Bind a role without pods/exec and pods/attach; give exec to operators through a separate binding.',
  },
  BINDING_KINDS,
  (m, ctx) => {
    const grant = boundRole(m, indexOf(ctx.manifests));
    if (!grant || grant.exec.length === 0 || grant.everything) return [];
    return [
      {
        manifest: m,
        path: ['roleRef', 'name'],
        message: `binds ${roleRefText(m)}, which allows ${grant.exec.join(' and ')}`,
      },
    ];
  },
);

const roleMissing = kindRule(
  {
    id: 'rbac-role-missing',
    title: 'Binding to a role not in the input',
    severity: 'warning',
    category: 'rbac',
    checks:
      "roleRef of a RoleBinding (a Role in its namespace, or a ClusterRole) or a ClusterRoleBinding (a ClusterRole) must name a role in the input; Kubernetes' own ClusterRoles (cluster-admin, admin, edit, view, system:*) are known.",
    rationale:
      'A binding to a missing role grants nothing until someone creates a role of that name, and then grants whatever that role says: usually a typo, sometimes a trap.',
    remediation:
      'Fix roleRef.name or kind, or check the binding together with the manifests that define the role.',
  },
  BINDING_KINDS,
  (m, ctx) => {
    const kind = str(get(m.body, 'roleRef', 'kind'));
    const name = str(get(m.body, 'roleRef', 'name'));
    if (!name || !kind) return [];
    if (kind === 'ClusterRole' && isBuiltInClusterRole(name)) return [];
    if (kind === 'Role' && m.ref.kind === 'ClusterRoleBinding')
      return [
        {
          manifest: m,
          path: ['roleRef', 'kind'],
          message: 'a ClusterRoleBinding can only reference a ClusterRole',
        },
      ];
    return boundRole(m, indexOf(ctx.manifests))
      ? []
      : [
          {
            manifest: m,
            path: ['roleRef', 'name'],
            message: `${kind} "${name}" is not in the input${kind === 'Role' ? ` (namespace "${m.ref.namespace ?? 'default'}")` : ''}`,
          },
        ];
  },
);

const defaultServiceAccount = kindRule(
  {
    id: 'rbac-default-service-account',
    admission: {
      kinds: ['RoleBinding', 'ClusterRoleBinding'],
      expression:
        "!has(object.subjects) || !object.subjects.exists(s, has(s.kind) && s.kind == 'ServiceAccount' && has(s.name) && s.name == 'default')",
      message: 'the default ServiceAccount must not be a subject',
    },
    title: 'Permissions bound to a default ServiceAccount',
    severity: 'warning',
    category: 'rbac',
    checks:
      'A RoleBinding or ClusterRoleBinding must not have the ServiceAccount named "default" as a subject.',
    rationale:
      'Every pod that names no ServiceAccount runs as "default", so the permissions reach pods nobody meant to grant them to.',
    remediation:
      'Create a dedicated ServiceAccount, bind the Role to it and set serviceAccountName on the pods that need it.',
  },
  BINDING_KINDS,
  (m) =>
    arr(m.body.subjects).flatMap((s, i): Violation[] =>
      isObj(s) && s.kind === 'ServiceAccount' && s.name === 'default'
        ? [
            {
              manifest: m,
              path: ['subjects', i, 'name'],
              message: `grants ${String(get(m.body, 'roleRef', 'name'))} to the default ServiceAccount${typeof s.namespace === 'string' ? ` of ${s.namespace}` : ''}`,
            },
          ]
        : [],
    ),
);

export const RBAC_RULES: Rule[] = [
  wildcard,
  clusterAdmin,
  secretRead,
  escalation,
  podExec,
  bindingPodExec,
  roleMissing,
  defaultServiceAccount,
];
