/** ValidatingAdmissionPolicy enforcement at the wire: status, reason, causes, Warning headers, dry runs, params. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiJson } from '../../testing/http.js';
import { startSandbox, type Sandbox } from '../start.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ runtime: false });
  const vap = '/apis/admissionregistration.k8s.io/v1';
  const post = async (path: string, body: unknown) =>
    expect((await call('POST', path, body)).status).toBe(201);
  await post(`${vap}/validatingadmissionpolicies`, {
    metadata: { name: 'replicas' },
    spec: {
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: ['apps'],
            apiVersions: ['v1'],
            operations: ['CREATE', 'UPDATE'],
            resources: ['deployments'],
          },
        ],
      },
      validations: [
        {
          expression: 'object.spec.replicas <= 3',
          messageExpression: "'at most 3 replicas, not ' + string(object.spec.replicas)",
        },
        {
          expression: "has(object.metadata.labels) && 'team' in object.metadata.labels",
          reason: 'Forbidden',
        },
      ],
    },
  });
  await post(`${vap}/validatingadmissionpolicybindings`, {
    metadata: { name: 'replicas-deny' },
    spec: {
      policyName: 'replicas',
      validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchLabels: { enforce: 'yes' } } },
    },
  });
  await post(`${vap}/validatingadmissionpolicybindings`, {
    metadata: { name: 'replicas-warn' },
    spec: { policyName: 'replicas', validationActions: ['Warn'] },
  });
  await post(`${vap}/validatingadmissionpolicies`, {
    metadata: { name: 'with-params' },
    spec: {
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      matchConstraints: {
        resourceRules: [
          { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['services'] },
        ],
      },
      validations: [{ expression: 'object.metadata.name.startsWith(params.data.prefix)' }],
    },
  });
  await post(`${vap}/validatingadmissionpolicybindings`, {
    metadata: { name: 'with-params' },
    spec: {
      policyName: 'with-params',
      validationActions: ['Deny'],
      paramRef: { name: 'prefix', namespace: 'default', parameterNotFoundAction: 'Deny' },
    },
  });
  await post('/api/v1/namespaces', { metadata: { name: 'prod', labels: { enforce: 'yes' } } });
});
afterAll(async () => {
  await sandbox?.stop();
});

function call(method: string, path: string, body?: unknown) {
  return apiJson(sandbox, method, path, { body });
}

const deployment = (name: string, replicas: number, labels: Record<string, string> = { team: 'a' }) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'a', image: 'a:1' }] } },
  },
});

describe('ValidatingAdmissionPolicy in the sandbox', () => {
  it('Deny refuses with 422 Invalid, the real message and one cause, on a dry run too, storing nothing', async () => {
    for (const dry of ['?dryRun=All', '']) {
      const r = await call('POST', `/apis/apps/v1/namespaces/prod/deployments${dry}`, deployment('big', 5));
      expect(r.status).toBe(422);
      const message =
        "ValidatingAdmissionPolicy 'replicas' with binding 'replicas-deny' denied request: at most 3 replicas, not 5";
      expect(r.body).toMatchObject({
        kind: 'Status',
        reason: 'Invalid',
        code: 422,
        message: `deployments.apps "big" is forbidden: ${message}`,
        details: { name: 'big', group: 'apps', kind: 'deployments', causes: [{ message }] },
      });
    }
    expect((await call('GET', '/apis/apps/v1/namespaces/prod/deployments/big')).status).toBe(404);
  });

  it("a validation's reason sets the status (Forbidden: 403); without a message the expression is named", async () => {
    const r = await call('POST', '/apis/apps/v1/namespaces/prod/deployments', deployment('nolabel', 1, {}));
    expect(r.status).toBe(403);
    expect(r.body.message).toContain(
      "denied request: failed expression: has(object.metadata.labels) && 'team' in object.metadata.labels",
    );
  });

  it('Warn admits with a Warning header; namespaces outside the binding are not denied', async () => {
    const r = await call('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('big', 5));
    expect(r.status).toBe(201);
    expect(r.warning).toBe(
      `299 - "Validation failed for ValidatingAdmissionPolicy 'replicas' with binding 'replicas-warn': at most 3 replicas, not 5"`,
    );
    // An update is admitted again.
    const updated = await call('PUT', '/apis/apps/v1/namespaces/default/deployments/big', {
      ...deployment('big', 2),
      metadata: {
        name: 'big',
        labels: { team: 'a' },
        resourceVersion: (r.body.metadata as { resourceVersion: string }).resourceVersion,
      },
    });
    expect(updated.status).toBe(200);
    expect(updated.warning).toBeUndefined();
  });

  it('reads params through paramRef, and denies when they are missing (parameterNotFoundAction Deny)', async () => {
    const svc = (name: string) => ({ metadata: { name }, spec: { ports: [{ port: 80 }] } });
    const missing = await call('POST', '/api/v1/namespaces/default/services', svc('web'));
    expect(missing.status).toBe(422);
    expect(missing.body.message).toContain(
      'no params found for policy binding with `Deny` parameterNotFoundAction',
    );
    expect(
      (
        await call('POST', '/api/v1/namespaces/default/configmaps', {
          metadata: { name: 'prefix' },
          data: { prefix: 'shop-' },
        })
      ).status,
    ).toBe(201);
    expect((await call('POST', '/api/v1/namespaces/default/services', svc('web'))).status).toBe(422);
    expect((await call('POST', '/api/v1/namespaces/default/services', svc('shop-web'))).status).toBe(201);
  });
});
