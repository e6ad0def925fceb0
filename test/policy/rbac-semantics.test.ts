import { describe, expect, it } from 'vitest';
import { execGrants, grantsEverything, ruleAllows, type PolicyRule } from '../../src/policy/rbac.js';
import { findingsOf } from './rule-harness.js';

/**
 * RBAC as the authorizer evaluates it (k8s.io/kubernetes pkg/apis/rbac/v1 evaluation_helpers): a
 * request (verb, API group, resource[/subresource]) is allowed by a rule when each of the three lists
 * holds the asked value or `*`; a subresource also matches `*` and `*\/<subresource>`, never `pods/*`.
 */
const rule = (
  apiGroups: string[],
  resources: string[],
  verbs: string[],
  resourceNames: string[] = [],
): PolicyRule => ({
  index: 0,
  apiGroups,
  resources,
  verbs,
  resourceNames,
});

describe('ruleAllows: verbs × resources × apiGroups', () => {
  it.each([
    // [apiGroups, resources, verbs, verb, group, resource, allowed]
    [[''], ['pods/exec'], ['create'], 'create', '', 'pods/exec', true],
    [[''], ['pods/exec'], ['get'], 'create', '', 'pods/exec', false],
    [[''], ['pods/exec'], ['*'], 'create', '', 'pods/exec', true],
    [['*'], ['pods/exec'], ['create'], 'create', '', 'pods/exec', true],
    [['apps'], ['pods/exec'], ['create'], 'create', '', 'pods/exec', false],
    [[''], ['*'], ['create'], 'create', '', 'pods/exec', true],
    [[''], ['*/exec'], ['create'], 'create', '', 'pods/exec', true],
    [[''], ['*/attach'], ['create'], 'create', '', 'pods/exec', false],
    [[''], ['pods/*'], ['create'], 'create', '', 'pods/exec', false],
    [[''], ['pods'], ['create'], 'create', '', 'pods/exec', false],
    [[''], ['pods/exec'], ['create'], 'create', '', 'pods', false],
    [[''], ['*'], ['*'], 'delete', '', 'secrets', true],
    [['*'], ['*'], ['*'], 'patch', 'apps', 'deployments', true],
    [['apps'], ['deployments'], ['get', 'list'], 'list', 'apps', 'deployments', true],
    [['apps'], ['deployments'], ['get', 'list'], 'list', 'apps', 'deployments/scale', false],
    [['apps'], ['deployments/scale'], ['update'], 'update', 'apps', 'deployments/scale', true],
    [[], ['pods'], ['get'], 'get', '', 'pods', false],
    [[''], [], ['get'], 'get', '', 'pods', false],
    [[''], ['pods'], [], 'get', '', 'pods', false],
  ])('%j %j %j allows %s %s/%s: %s', (apiGroups, resources, verbs, verb, apiGroup, resource, allowed) =>
    expect(ruleAllows(rule(apiGroups, resources, verbs), { verb, apiGroup, resource })).toBe(allowed),
  );
});

describe('execGrants and grantsEverything', () => {
  it.each([
    [rule([''], ['pods/exec'], ['create']), ['pods/exec']],
    [rule([''], ['pods/attach'], ['get']), ['pods/attach']],
    [rule(['*'], ['*'], ['*']), ['pods/exec', 'pods/attach']],
    [rule([''], ['*'], ['create']), ['pods/exec', 'pods/attach']],
    [rule(['*'], ['pods/exec', 'pods/attach'], ['get']), ['pods/exec', 'pods/attach']],
    [rule([''], ['pods/exec'], ['*'], ['web-0']), ['pods/exec']],
    [rule([''], ['pods/exec'], ['list', 'watch']), []],
    [rule([''], ['pods/*'], ['*']), []],
    [rule(['apps'], ['*'], ['*']), []],
  ])('%j grants %j', (r, grants) => expect(execGrants(r)).toEqual(grants));

  it.each([
    [rule(['*'], ['*'], ['*']), true],
    [rule(['*'], ['*'], ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']), true],
    [rule(['*'], ['*'], ['get', 'list', 'delete', 'update', 'create', 'patch', 'watch']), true],
    [
      rule(['*'], ['*'], ['delete', 'deletecollection', 'patch', 'update', 'create', 'watch', 'list', 'get']),
      true,
    ],
    [rule(['*'], ['*'], ['get', 'list', 'watch', 'create', 'update', 'patch']), false],
    [rule([''], ['*'], ['*']), false],
    [rule(['*'], ['pods'], ['*']), false],
    [rule(['*'], ['*'], ['*'], ['only-this']), false],
  ])('%j grants everything: %s', (r, everything) => expect(grantsEverything(r)).toBe(everything));
});

const role = (kind: 'Role' | 'ClusterRole', name: string, rules: string, extra = '') =>
  `---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${kind === 'Role' ? '  namespace: team\n' : ''}${extra}rules:\n${rules}`;
const bind = (kind: 'RoleBinding' | 'ClusterRoleBinding', refKind: string, name: string) =>
  `---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata:\n  name: b\n${kind === 'RoleBinding' ? '  namespace: team\n' : ''}roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ${refKind}\n  name: ${name}\nsubjects:\n  - kind: ServiceAccount\n    name: app\n    namespace: team\n`;
const EXEC = '  - apiGroups: [""]\n    resources: [pods/exec]\n    verbs: [create]\n';
const WILD = '  - apiGroups: ["*"]\n    resources: ["*"]\n    verbs: ["*"]\n';
const ALL_VERBS =
  '  - apiGroups: ["*"]\n    resources: ["*"]\n    verbs: [watch, patch, get, delete, list, update, create]\n';
const READ = '  - apiGroups: [""]\n    resources: [pods]\n    verbs: [get, list]\n';

describe('bindings are judged by the role they reference', () => {
  it.each([
    ['RoleBinding → Role with exec', role('Role', 'r', EXEC) + bind('RoleBinding', 'Role', 'r'), 1, 0, 0],
    [
      'RoleBinding → ClusterRole with exec',
      role('ClusterRole', 'r', EXEC) + bind('RoleBinding', 'ClusterRole', 'r'),
      1,
      0,
      0,
    ],
    [
      'ClusterRoleBinding → ClusterRole with exec',
      role('ClusterRole', 'r', EXEC) + bind('ClusterRoleBinding', 'ClusterRole', 'r'),
      1,
      0,
      0,
    ],
    [
      'RoleBinding → ClusterRole of wildcards',
      role('ClusterRole', 'r', WILD) + bind('RoleBinding', 'ClusterRole', 'r'),
      0,
      1,
      0,
    ],
    [
      'ClusterRoleBinding → every verb listed, any order',
      role('ClusterRole', 'r', ALL_VERBS) + bind('ClusterRoleBinding', 'ClusterRole', 'r'),
      0,
      1,
      0,
    ],
    [
      'ClusterRoleBinding → cluster-admin',
      bind('ClusterRoleBinding', 'ClusterRole', 'cluster-admin'),
      0,
      1,
      0,
    ],
    ['RoleBinding → built-in edit', bind('RoleBinding', 'ClusterRole', 'edit'), 1, 0, 0],
    ['RoleBinding → built-in view', bind('RoleBinding', 'ClusterRole', 'view'), 0, 0, 0],
    ['RoleBinding → read-only Role', role('Role', 'r', READ) + bind('RoleBinding', 'Role', 'r'), 0, 0, 0],
    ['RoleBinding → missing Role', bind('RoleBinding', 'Role', 'r'), 0, 0, 1],
    ['ClusterRoleBinding → missing ClusterRole', bind('ClusterRoleBinding', 'ClusterRole', 'r'), 0, 0, 1],
    [
      'RoleBinding → Role of another namespace',
      role('Role', 'r', EXEC).replace('namespace: team', 'namespace: other') +
        bind('RoleBinding', 'Role', 'r'),
      0,
      0,
      1,
    ],
    [
      'ClusterRoleBinding → Role (invalid)',
      role('Role', 'r', EXEC) + bind('ClusterRoleBinding', 'Role', 'r'),
      0,
      0,
      1,
    ],
    [
      'aggregated ClusterRole gathers exec from a labelled ClusterRole',
      role(
        'ClusterRole',
        'agg',
        '  []\n',
        '  labels: {}\naggregationRule:\n  clusterRoleSelectors:\n    - matchLabels: {rbac.example.com/aggregate-to-ops: "true"}\n',
      ) +
        role('ClusterRole', 'piece', EXEC, '  labels:\n    rbac.example.com/aggregate-to-ops: "true"\n') +
        bind('ClusterRoleBinding', 'ClusterRole', 'agg'),
      1,
      0,
      0,
    ],
  ])('%s', (_, yaml, exec, admin, missing) => {
    const bindingOnly = (rule: string) =>
      findingsOf(yaml, rule).filter((f) => f.object.kind.endsWith('Binding'));
    expect(bindingOnly('rbac-binding-pod-exec')).toHaveLength(exec);
    expect(bindingOnly('rbac-cluster-admin')).toHaveLength(admin);
    expect(bindingOnly('rbac-role-missing')).toHaveLength(missing);
  });

  it('reports a Role granting exec through wildcards, and a pods/* resource as granting no subresource', () => {
    for (const rules of [
      '  - apiGroups: [""]\n    resources: [pods/exec]\n    verbs: ["*"]\n',
      '  - apiGroups: ["*"]\n    resources: [pods/attach]\n    verbs: [get]\n',
      '  - apiGroups: [""]\n    resources: ["*"]\n    verbs: [create]\n',
      '  - apiGroups: [""]\n    resources: ["*/exec"]\n    verbs: [create]\n',
    ])
      expect(findingsOf(role('Role', 'r', rules), 'rbac-pod-exec'), rules).toHaveLength(1);
    const literal = role(
      'Role',
      'r',
      '  - apiGroups: [""]\n    resources: ["pods/*"]\n    verbs: [create]\n',
    );
    expect(findingsOf(literal, 'rbac-pod-exec')).toEqual([]);
    expect(findingsOf(literal, 'rbac-wildcard')[0]?.message).toContain('grants no subresource');
    const defaults = role(
      'ClusterRole',
      'admin',
      WILD,
      '  labels:\n    kubernetes.io/bootstrapping: rbac-defaults\n',
    );
    expect(findingsOf(defaults, 'rbac-pod-exec')).toEqual([]);
  });
});

describe('rules over named resources match verbs and API groups as the authorizer does', () => {
  const r = (rules: string) => role('Role', 'r', rules);
  it.each([
    ['  - apiGroups: [""]\n    resources: [secrets]\n    verbs: [list]\n', 'rbac-secret-read', 1],
    ['  - apiGroups: [""]\n    resources: [secrets]\n    verbs: ["*"]\n', 'rbac-secret-read', 1],
    ['  - apiGroups: ["*"]\n    resources: [secrets]\n    verbs: [get]\n', 'rbac-secret-read', 1],
    ['  - apiGroups: [apps]\n    resources: [secrets]\n    verbs: [get]\n', 'rbac-secret-read', 0],
    ['  - apiGroups: [""]\n    resources: [secrets]\n    verbs: [create, delete]\n', 'rbac-secret-read', 0],
    [
      '  - apiGroups: [apps]\n    resources: [deployments]\n    verbs: [create]\n',
      'rbac-create-workloads',
      1,
    ],
    ['  - apiGroups: [apps]\n    resources: [deployments]\n    verbs: ["*"]\n', 'rbac-create-workloads', 1],
    ['  - apiGroups: [""]\n    resources: [deployments]\n    verbs: [create]\n', 'rbac-create-workloads', 0],
    ['  - apiGroups: ["*"]\n    resources: [jobs, pods]\n    verbs: [create]\n', 'rbac-create-workloads', 2],
    ['  - apiGroups: [batch]\n    resources: [jobs]\n    verbs: [get, list]\n', 'rbac-create-workloads', 0],
  ])('%j: %s %d', (rules, rule, expected) => expect(findingsOf(r(rules), rule)).toHaveLength(expected));
});
