/**
 * The `authorizer` variable of ValidatingAdmissionPolicy in the sandbox: checks made as the caller
 * (the admin token, or a ServiceAccount's token), as a named ServiceAccount, and on the request's own
 * resource (authorizer.requestResource), answered by the sandbox's RBAC.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiJson } from '../../testing/http.js';
import { startSandbox, type Sandbox } from '../start.js';

let sandbox: Sandbox;
const SA_TOKEN = 'deployer-token-for-the-authorizer-test';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
const RBAC = '/apis/rbac.authorization.k8s.io/v1/namespaces/default';

function call(method: string, path: string, body: unknown, token = sandbox.token) {
  return apiJson(sandbox, method, path, { body, token });
}

const role = (configmapVerbs: string[]) => ({
  metadata: { name: 'deployer' },
  rules: [
    { apiGroups: [''], resources: ['configmaps'], verbs: configmapVerbs },
    { apiGroups: [''], resources: ['secrets'], resourceNames: ['public'], verbs: ['get'] },
  ],
});
const configMap = (name: string, ref?: string) => ({
  metadata: { name },
  data: ref ? { 'secret-ref': ref } : {},
});

beforeAll(async () => {
  sandbox = await startSandbox({ runtime: false, historySize: 50 });
  const setup: Array<[string, unknown]> = [
    ['/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'deployer' } }],
    [
      '/api/v1/namespaces/default/secrets',
      {
        metadata: {
          name: 'deployer-token',
          annotations: { 'kubernetes.io/service-account.name': 'deployer' },
        },
        type: 'kubernetes.io/service-account-token',
        data: { token: Buffer.from(SA_TOKEN).toString('base64') },
      },
    ],
    [`${RBAC}/roles`, role(['create', 'delete'])],
    [
      `${RBAC}/rolebindings`,
      {
        metadata: { name: 'deployer' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'default' }],
      },
    ],
    [
      '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      {
        metadata: { name: 'metrics-reader' },
        rules: [{ nonResourceURLs: ['/metrics/*', '/healthz'], verbs: ['get'] }],
      },
    ],
    [
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      {
        metadata: { name: 'metrics-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'metrics-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'default' }],
      },
    ],
    [
      '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies',
      {
        metadata: { name: 'authz' },
        spec: {
          matchConstraints: {
            resourceRules: [
              { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] },
            ],
          },
          validations: [
            {
              expression:
                "!('secret-ref' in object.data) || authorizer.group('').resource('secrets').namespace(object.metadata.namespace).name(object.data['secret-ref']).check('get').allowed()",
              message: 'the caller may not read the Secret the ConfigMap names',
            },
            {
              expression: "authorizer.requestResource.check('delete').allowed()",
              message: 'only callers who may delete ConfigMaps create them',
            },
            {
              expression:
                "authorizer.serviceAccount('default', 'deployer').group('').resource('secrets').namespace('default').name('public').check('get').allowed() && !authorizer.serviceAccount('default', 'deployer').group('').resource('secrets').namespace('default').check('list').allowed()",
              message: 'the deployer ServiceAccount reads exactly the public Secret',
            },
            {
              expression:
                "authorizer.serviceAccount('default', 'deployer').path('/metrics/app').check('get').allowed() && authorizer.serviceAccount('default', 'deployer').path('/healthz').check('get').allowed() && !authorizer.serviceAccount('default', 'deployer').path('/metrics/app').check('post').allowed() && !authorizer.serviceAccount('default', 'deployer').path('/healthz/etcd').check('get').allowed() && !authorizer.serviceAccount('default', 'deployer').path('/metrics').check('get').allowed()",
              message: 'the deployer ServiceAccount may GET /metrics/* and /healthz, nothing else',
            },
          ],
        },
      },
    ],
    [
      '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings',
      { metadata: { name: 'authz' }, spec: { policyName: 'authz', validationActions: ['Deny'] } },
    ],
  ];
  for (const [path, body] of setup) expect((await call('POST', path, body)).status).toBe(201);
});

afterAll(async () => {
  await sandbox?.stop();
});

describe('the authorizer variable in the sandbox admission', () => {
  it('checks as the ServiceAccount that calls, against its RoleBinding', async () => {
    expect((await call('POST', CONFIGMAPS, configMap('a', 'public'), SA_TOKEN)).status).toBe(201);
    const refused = await call('POST', CONFIGMAPS, configMap('b', 'db'), SA_TOKEN);
    expect(refused.status).toBe(422);
    expect(refused.body.message).toBe(
      `configmaps "b" is forbidden: ValidatingAdmissionPolicy 'authz' with binding 'authz' denied request: the caller may not read the Secret the ConfigMap names`,
    );
  });

  it('checks the request resource with another verb (authorizer.requestResource)', async () => {
    expect((await call('PUT', `${RBAC}/roles/deployer`, role(['create']))).status).toBe(200);
    const refused = await call('POST', CONFIGMAPS, configMap('c'), SA_TOKEN);
    expect(refused.status).toBe(422);
    expect(refused.body.message).toContain('only callers who may delete ConfigMaps create them');
  });

  it('lets the admin token do what RBAC would refuse the ServiceAccount', async () => {
    expect((await call('POST', CONFIGMAPS, configMap('d', 'db'))).status).toBe(201);
  });

  it('checks non-resource URLs (authorizer.path) against ClusterRoles bound cluster-wide', async () => {
    const binding = '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/metrics-reader';
    expect((await call('DELETE', binding, undefined)).status).toBe(200);
    const refused = await call('POST', CONFIGMAPS, configMap('e'));
    expect(refused.status).toBe(422);
    expect(refused.body.message).toContain('the deployer ServiceAccount may GET /metrics/* and /healthz');
  });
});
