import { arr, get, isObj } from '../access.js';
import type { Manifest, Rule, Violation } from '../types.js';
import { kindRule } from './define.js';

const ROLE_KINDS = ['Role', 'ClusterRole'];

interface PolicyRule {
  index: number;
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

function rulesOf(m: Manifest): PolicyRule[] {
  return arr(m.body.rules).flatMap((r, index) =>
    isObj(r)
      ? [
          {
            index,
            apiGroups: arr(r.apiGroups).map(String),
            resources: arr(r.resources).map(String),
            verbs: arr(r.verbs).map(String),
          },
        ]
      : [],
  );
}

const wildcard = kindRule(
  {
    id: 'rbac-wildcard',
    title: 'Wildcard in an RBAC rule',
    severity: 'warning',
    category: 'rbac',
    checks: 'rules[].apiGroups, resources and verbs of a Role or ClusterRole must not contain `*`.',
    rationale:
      'A wildcard grants every current and future resource or verb, including ones added by CRDs later.',
    remediation: 'List the API groups, resources and verbs the subject needs.',
  },
  ROLE_KINDS,
  (m) =>
    rulesOf(m).flatMap((r) =>
      (['apiGroups', 'resources', 'verbs'] as const).flatMap((field): Violation[] => {
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
    ),
);

const clusterAdmin = kindRule(
  {
    id: 'rbac-cluster-admin',
    title: 'Binding to cluster-admin',
    severity: 'error',
    category: 'rbac',
    checks: 'A RoleBinding or ClusterRoleBinding must not reference the ClusterRole cluster-admin.',
    rationale: 'cluster-admin can do anything, including reading every Secret and granting itself more.',
    remediation: 'Bind a Role with only the permissions the subject needs.',
  },
  ['RoleBinding', 'ClusterRoleBinding'],
  (m) =>
    get(m.body, 'roleRef', 'name') === 'cluster-admin' && get(m.body, 'roleRef', 'kind') === 'ClusterRole'
      ? [{ manifest: m, path: ['roleRef', 'name'], message: 'binds the cluster-admin ClusterRole' }]
      : [],
);

const READ = ['get', 'list', 'watch'];

const secretRead = kindRule(
  {
    id: 'rbac-secret-read',
    title: 'Read access to Secrets',
    severity: 'warning',
    category: 'rbac',
    checks:
      'A Role or ClusterRole rule must not grant get, list or watch on secrets (core API group). Wildcards are reported by rbac-wildcard.',
    rationale:
      'list/watch on Secrets returns their contents: every credential in the namespace (or cluster).',
    remediation:
      'Grant get on the specific Secret via resourceNames, or mount the Secret into the pod instead.',
  },
  ROLE_KINDS,
  (m) =>
    rulesOf(m).flatMap((r): Violation[] => {
      const i = r.resources.indexOf('secrets');
      const core = r.apiGroups.includes('') || r.apiGroups.includes('*');
      const verbs = r.verbs.filter((v) => READ.includes(v));
      return i >= 0 && core && verbs.length > 0
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
    title: 'exec or attach into pods',
    severity: 'warning',
    category: 'rbac',
    checks: 'A Role or ClusterRole must not grant create (or get) on pods/exec or pods/attach.',
    rationale: 'Exec into a pod yields its service account token, its Secrets and its network position.',
    remediation: 'Grant exec only to operators, through a separate Role.',
  },
  ROLE_KINDS,
  (m) =>
    rulesOf(m).flatMap((r) =>
      r.resources.flatMap((res, i): Violation[] =>
        (res === 'pods/exec' || res === 'pods/attach') && r.verbs.some((v) => v === 'create' || v === 'get')
          ? [
              {
                manifest: m,
                path: ['rules', r.index, 'resources', i],
                message: `rule ${r.index} allows ${res}`,
              },
            ]
          : [],
      ),
    ),
);

const defaultServiceAccount = kindRule(
  {
    id: 'rbac-default-service-account',
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
  ['RoleBinding', 'ClusterRoleBinding'],
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
  defaultServiceAccount,
];
