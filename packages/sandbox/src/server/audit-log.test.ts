/**
 * The audit log of `slipway sandbox up --audit-log FILE`: what kube-apiserver writes with
 * --audit-log-path at the Metadata level, one audit.k8s.io/v1 Event a line, read back from the file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall } from '../../testing/http.js';
import { startSandbox, type Sandbox } from '../start.js';
import { microTime, type AuditEvent } from './audit-log.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-audit-'));
const file = join(dir, 'audit.jsonl');
let sandbox: Sandbox;
const events: AuditEvent[] = [];
const ids: Record<string, string> = {};
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
const VAP = '/apis/admissionregistration.k8s.io/v1';

beforeAll(async () => {
  sandbox = await startSandbox({ runtime: false, auditLogFile: file });
  const call = async (
    name: string,
    method: string,
    path: string,
    opts: Parameters<typeof apiCall>[3] = {},
  ) => {
    const reply = await apiCall(sandbox, method, path, { userAgent: 'audit-test/1.0', ...opts });
    ids[name] = String(reply.headers['audit-id']);
    return reply;
  };
  await call('version', 'GET', '/version');
  const created = await call('create', 'POST', CONFIGMAPS, {
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } },
  });
  expect(created.status).toBe(201);
  expect((await call('missing', 'GET', `${CONFIGMAPS}/nope`)).status).toBe(404);
  expect((await call('list', 'GET', CONFIGMAPS)).status).toBe(200);
  expect((await call('unauthenticated', 'GET', CONFIGMAPS, { token: 'wrong' })).status).toBe(401);
  expect((await call('watch', 'GET', `${CONFIGMAPS}?watch=true&timeoutSeconds=1`)).status).toBe(200);
  // A ServiceAccount with no RoleBinding: RBAC forbids its read.
  await call('account', 'POST', '/api/v1/namespaces/default/serviceaccounts', {
    body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader' } },
  });
  await call('token', 'POST', '/api/v1/namespaces/default/secrets', {
    body: {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: { name: 'reader-token', annotations: { 'kubernetes.io/service-account.name': 'reader' } },
      data: { token: Buffer.from('reader-secret-token').toString('base64') },
    },
  });
  expect((await call('forbidden', 'GET', CONFIGMAPS, { token: 'reader-secret-token' })).status).toBe(403);
  // A policy whose binding only audits: the failure is written on the request's event.
  await call('policy', 'POST', `${VAP}/validatingadmissionpolicies`, {
    body: {
      metadata: { name: 'needs-team' },
      spec: {
        matchConstraints: {
          resourceRules: [
            { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] },
          ],
        },
        validations: [{ expression: "has(object.metadata.labels) && 'team' in object.metadata.labels" }],
      },
    },
  });
  await call('binding', 'POST', `${VAP}/validatingadmissionpolicybindings`, {
    body: {
      metadata: { name: 'needs-team' },
      spec: { policyName: 'needs-team', validationActions: ['Audit'] },
    },
  });
  const audited = await call('audited', 'POST', CONFIGMAPS, {
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'no-team' } },
  });
  expect(audited.status).toBe(201);
  await sandbox.stop();
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean))
    events.push(JSON.parse(line) as AuditEvent);
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
});

const of = (name: string) => events.filter((e) => e.auditID === ids[name]);

describe('the sandbox audit log', () => {
  it('writes one Metadata-level audit.k8s.io/v1 Event per request, under the ID of its Audit-Id header', () => {
    const names = [
      'version',
      'create',
      'missing',
      'list',
      'unauthenticated',
      'forbidden',
      'policy',
      'audited',
    ];
    for (const name of names) {
      expect(ids[name], name).toMatch(/^[0-9a-f-]{36}$/);
      expect(of(name), name).toHaveLength(1);
    }
    expect(new Set(Object.values(ids)).size).toBe(Object.keys(ids).length);
    for (const e of events) {
      expect(e).toMatchObject({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata' });
      expect(e.requestReceivedTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(e.stageTimestamp >= e.requestReceivedTimestamp).toBe(true);
      expect(e.sourceIPs).toEqual(['127.0.0.1']);
      expect(e.userAgent).toBe('audit-test/1.0');
    }
  });

  it('names the verb, the user, the object and the answer', () => {
    const [create] = of('create');
    expect(create).toMatchObject({
      stage: 'ResponseComplete',
      verb: 'create',
      requestURI: CONFIGMAPS,
      user: { username: 'system:admin', groups: expect.arrayContaining(['system:masters']) as unknown },
      objectRef: { resource: 'configmaps', namespace: 'default', name: 'settings', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 201 },
      annotations: { 'authorization.k8s.io/decision': 'allow' },
    });
    expect(create!.objectRef).not.toHaveProperty('apiGroup');
    expect(create!.responseStatus).not.toHaveProperty('status');
    expect(of('missing')[0]).toMatchObject({
      verb: 'get',
      objectRef: { resource: 'configmaps', namespace: 'default', name: 'nope', apiVersion: 'v1' },
      responseStatus: { code: 404, status: 'Failure', reason: 'NotFound' },
    });
    expect(of('list')[0]).toMatchObject({ verb: 'list', responseStatus: { code: 200 } });
    expect(of('list')[0]!.objectRef).not.toHaveProperty('name');
    expect(of('policy')[0]!.objectRef).toMatchObject({
      resource: 'validatingadmissionpolicies',
      apiGroup: 'admissionregistration.k8s.io',
      apiVersion: 'v1',
    });
    // A path that is not a resource: the lower-cased method, no object.
    const [version] = of('version');
    expect(version).toMatchObject({ verb: 'get', requestURI: '/version', responseStatus: { code: 200 } });
    expect(version).not.toHaveProperty('objectRef');
  });

  it("records RBAC's refusal as the forbid decision, with the ServiceAccount as the user", () => {
    expect(of('forbidden')[0]).toMatchObject({
      verb: 'list',
      user: { username: 'system:serviceaccount:default:reader' },
      annotations: { 'authorization.k8s.io/decision': 'forbid' },
      responseStatus: { code: 403, status: 'Failure', reason: 'Forbidden' },
    });
  });

  it('records a request that failed authentication without a user', () => {
    expect(of('unauthenticated')[0]).toMatchObject({
      user: {},
      responseStatus: { code: 401, status: 'Failure', reason: 'Unauthorized' },
    });
  });

  it('writes a watch twice: ResponseStarted when the headers went out, ResponseComplete when it ended', () => {
    const watch = of('watch');
    expect(watch.map((e) => e.stage)).toEqual(['ResponseStarted', 'ResponseComplete']);
    expect(watch.every((e) => e.verb === 'watch' && e.responseStatus?.code === 200)).toBe(true);
    expect(watch[1]!.stageTimestamp >= watch[0]!.stageTimestamp).toBe(true);
  });

  it("carries admission's Audit-action failure on the request's own event", () => {
    const [audited] = of('audited');
    const failure = audited!.annotations?.['validation.policy.admission.k8s.io/validation_failure'];
    expect(JSON.parse(failure ?? 'null')).toEqual([
      expect.objectContaining({ policy: 'needs-team', binding: 'needs-team', validationActions: ['Audit'] }),
    ]);
    expect(of('create')[0]!.annotations).not.toHaveProperty(
      'validation.policy.admission.k8s.io/validation_failure',
    );
  });
});

describe('microTime', () => {
  it("is metav1.MicroTime's RFC 3339 with six fraction digits", () => {
    expect(microTime(new Date('2026-12-07T05:40:00.123Z'))).toBe('2026-12-07T05:40:00.123000Z');
  });
});
