/**
 * ValidatingAdmissionPolicy on the requests beyond create and update, as the API server judges them:
 * DELETE (`object` null, the stored object as `oldObject`), the `/scale` subresource (an
 * autoscaling/v1 Scale, matched only by rules naming the subresource), and what admission writes on
 * the audit event (auditAnnotations as `<policy>/<key>`, Audit-action failures as
 * validation.policy.admission.k8s.io/validation_failure).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiJson } from '../../testing/http.js';
import type { AdmissionAuditEvent } from './admission.js';
import { startSandbox, type Sandbox } from '../start.js';

let sandbox: Sandbox;
const audit: AdmissionAuditEvent[] = [];
const VAP = '/apis/admissionregistration.k8s.io/v1';
const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';

function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
  return apiJson(sandbox, method, path, { body, contentType });
}

const policy = (name: string, resources: string[], operations: string[], spec: Record<string, unknown>) => ({
  metadata: { name },
  spec: {
    matchConstraints: {
      resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations, resources }],
    },
    ...spec,
  },
});
const binding = (name: string, actions: string[]) => ({
  metadata: { name },
  spec: { policyName: name, validationActions: actions },
});

const deployment = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'a', image: 'a:1' }] } },
  },
});

beforeAll(async () => {
  sandbox = await startSandbox({ runtime: false, audit: (e) => audit.push(e) });
  const objects: Array<[string, unknown]> = [
    [
      'validatingadmissionpolicies',
      policy('keep-protected', ['deployments'], ['DELETE'], {
        validations: [
          {
            expression:
              "object == null && !(has(oldObject.metadata.labels) && 'protected' in oldObject.metadata.labels)",
            messageExpression: "'deployment ' + oldObject.metadata.name + ' is protected'",
          },
        ],
      }),
    ],
    ['validatingadmissionpolicybindings', binding('keep-protected', ['Deny'])],
    [
      'validatingadmissionpolicies',
      policy('scale-cap', ['deployments/scale'], ['UPDATE'], {
        validations: [
          {
            expression:
              "request.kind.kind == 'Scale' && request.subResource == 'scale' && object.spec.replicas <= 5 && oldObject.kind == 'Scale'",
            messageExpression: "'at most 5 replicas, not ' + string(object.spec.replicas)",
          },
        ],
      }),
    ],
    ['validatingadmissionpolicybindings', binding('scale-cap', ['Deny'])],
    [
      'validatingadmissionpolicies',
      policy('audited', ['deployments'], ['CREATE'], {
        validations: [{ expression: "has(object.metadata.labels) && 'team' in object.metadata.labels" }],
        auditAnnotations: [
          { key: 'replicas', valueExpression: "'replicas: ' + string(object.spec.replicas)" },
          { key: 'absent', valueExpression: 'null' },
        ],
      }),
    ],
    ['validatingadmissionpolicybindings', binding('audited', ['Audit'])],
  ];
  for (const [resource, body] of objects)
    expect((await call('POST', `${VAP}/${resource}`, body)).status).toBe(201);
  for (const d of [deployment('plain'), deployment('guarded', { protected: 'yes', team: 'a' })])
    expect((await call('POST', DEPLOYMENTS, d)).status).toBe(201);
});
afterAll(async () => {
  await sandbox?.stop();
});

describe('ValidatingAdmissionPolicy on DELETE, /scale, and the audit event', () => {
  it('DELETE is judged with object null and the stored object as oldObject, dry runs and collections too', async () => {
    const refused = await call('DELETE', `${DEPLOYMENTS}/guarded`);
    expect(refused.status).toBe(422);
    expect(refused.body.message).toBe(
      `deployments.apps "guarded" is forbidden: ValidatingAdmissionPolicy 'keep-protected' with binding 'keep-protected' denied request: deployment guarded is protected`,
    );
    expect((await call('DELETE', `${DEPLOYMENTS}/guarded?dryRun=All`)).status).toBe(422);
    expect((await call('DELETE', `${DEPLOYMENTS}?labelSelector=protected`)).status).toBe(422);
    expect((await call('GET', `${DEPLOYMENTS}/guarded`)).status).toBe(200);
    expect((await call('DELETE', `${DEPLOYMENTS}/plain?dryRun=All`)).status).toBe(200);
    expect((await call('GET', `${DEPLOYMENTS}/plain`)).status).toBe(200);
  });

  it('/scale is judged as an autoscaling/v1 Scale by rules naming deployments/scale, not by deployments', async () => {
    const path = `${DEPLOYMENTS}/plain/scale`;
    const refused = await call('PATCH', path, { spec: { replicas: 9 } }, 'application/merge-patch+json');
    expect(refused.status).toBe(422);
    expect(refused.body.message).toContain(
      "ValidatingAdmissionPolicy 'scale-cap' with binding 'scale-cap' denied request: at most 5 replicas, not 9",
    );
    const ok = await call('PATCH', path, { spec: { replicas: 4 } }, 'application/merge-patch+json');
    expect(ok.status).toBe(200);
    expect((ok.body.spec as { replicas: number }).replicas).toBe(4);
    // A replicas change through the Deployment itself is not the scale subresource.
    const patched = await call(
      'PATCH',
      `${DEPLOYMENTS}/plain`,
      { spec: { replicas: 7 } },
      'application/merge-patch+json',
    );
    expect(patched.status).toBe(200);
  });

  it('records auditAnnotations as <policy>/<key> (null left out) and Audit failures as validation_failure', async () => {
    audit.length = 0;
    expect((await call('POST', DEPLOYMENTS, deployment('unlabelled'))).status).toBe(201);
    expect(audit).toEqual([
      {
        verb: 'create',
        objectRef: { resource: 'deployments', apiGroup: 'apps', namespace: 'default', name: 'unlabelled' },
        dryRun: false,
        annotations: {
          'audited/replicas': 'replicas: 1',
          'validation.policy.admission.k8s.io/validation_failure': JSON.stringify([
            {
              message: "failed expression: has(object.metadata.labels) && 'team' in object.metadata.labels",
              policy: 'audited',
              binding: 'audited',
              expressionIndex: 0,
              validationActions: ['Audit'],
            },
          ]),
        },
      },
    ]);
  });
});
