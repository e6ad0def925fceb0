/** The HTTP surface clients depend on, checked at the wire: discovery, OpenAPI, auth, watch framing, patches, dry runs. */
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall } from '../../testing/http.js';
import { startSandbox, type Sandbox } from '../start.js';
import { AGGREGATED_CONTENT_TYPE } from './discovery.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ runtime: false, historySize: 50 });
});
afterAll(async () => {
  await sandbox?.stop();
});

/** One request to this file's sandbox (packages/sandbox/testing/http.ts). */
const call = (method: string, path: string, opts?: Parameters<typeof apiCall>[3]) =>
  apiCall(sandbox, method, path, opts);

/** Reads a watch until `count` lines arrived (or the server closed it). */
function watchLines(
  path: string,
  count: number,
  accept = 'application/json',
): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const lines: Record<string, unknown>[] = [];
    const req = request(
      `${sandbox.url}${path}`,
      { headers: { Authorization: `Bearer ${sandbox.token}`, Accept: accept }, ca: sandbox.certs.caCert },
      (res) => {
        let buf = '';
        res.on('data', (c: Buffer) => {
          buf += c.toString();
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            lines.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
            buf = buf.slice(nl + 1);
            if (lines.length >= count) {
              req.destroy();
              resolve(lines);
            }
          }
        });
        res.on('end', () => resolve(lines));
      },
    );
    req.on('error', (e) => (lines.length >= count ? undefined : reject(e)));
    req.end();
  });
}

describe('API server', () => {
  it('refuses requests without the token, except health and version', async () => {
    expect((await call('GET', '/api/v1/pods', { token: null })).status).toBe(401);
    expect(JSON.parse((await call('GET', '/api/v1/pods', { token: 'nope' })).text)).toMatchObject({
      kind: 'Status',
      reason: 'Unauthorized',
      code: 401,
    });
    expect((await call('GET', '/healthz', { token: null })).text).toBe('ok');
    expect(JSON.parse((await call('GET', '/version', { token: null })).text)).toMatchObject({
      major: '1',
      minor: '33',
    });
  });

  it('serves aggregated discovery only with its exact content type, legacy lists otherwise', async () => {
    const aggregated = await call('GET', '/apis', {
      accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
    });
    expect(aggregated.headers['content-type']).toBe(AGGREGATED_CONTENT_TYPE);
    const apps = (
      JSON.parse(aggregated.text) as {
        items: {
          metadata: { name: string };
          versions: { resources: { resource: string; subresources?: { subresource: string }[] }[] }[];
        }[];
      }
    ).items.find((g) => g.metadata.name === 'apps');
    expect(
      apps?.versions[0]?.resources
        .find((r) => r.resource === 'deployments')
        ?.subresources?.map((s) => s.subresource),
    ).toEqual(['scale', 'status']);
    const legacy = JSON.parse((await call('GET', '/apis/apps/v1')).text) as {
      resources: {
        name: string;
        kind: string;
        group?: string;
        shortNames?: string[];
        categories?: string[];
      }[];
    };
    expect(legacy.resources.find((r) => r.name === 'deployments')).toMatchObject({
      kind: 'Deployment',
      shortNames: ['deploy'],
      categories: ['all'],
    });
    expect(legacy.resources.find((r) => r.name === 'deployments/scale')).toMatchObject({
      group: 'autoscaling',
      kind: 'Scale',
    });
    expect(JSON.parse((await call('GET', '/api')).text)).toMatchObject({
      kind: 'APIVersions',
      versions: ['v1'],
    });
  });

  it('publishes OpenAPI v3 with what kubectl looks for before sending fieldValidation=Strict', async () => {
    const index = JSON.parse((await call('GET', '/openapi/v3')).text) as {
      paths: Record<string, { serverRelativeURL: string }>;
    };
    const url = index.paths['apis/apps/v1']?.serverRelativeURL as string;
    expect(url).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]+$/);
    const doc = JSON.parse((await call('GET', url)).text) as {
      paths: Record<
        string,
        {
          patch?: {
            parameters: { name: string }[];
            'x-kubernetes-group-version-kind': unknown;
            requestBody: { content: Record<string, unknown> };
          };
        }
      >;
      components: { schemas: Record<string, unknown> };
    };
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']?.patch;
    expect(patch?.['x-kubernetes-group-version-kind']).toEqual({
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
    });
    expect(patch?.parameters.map((p) => p.name)).toContain('fieldValidation');
    expect(Object.keys(patch?.requestBody.content ?? {})).toContain('application/strategic-merge-patch+json');
    expect(doc.components.schemas['io.k8s.api.apps.v1.Deployment']).toBeDefined();
  });

  it('validates fields strictly on request, warns by default', async () => {
    const body = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'strict' },
      data: { a: 'b' },
      extra: 1,
    });
    const strict = await apiCall(
      sandbox,
      'POST',
      '/api/v1/namespaces/default/configmaps?fieldValidation=Strict',
      {
        raw: body,
        contentType: 'application/json',
      },
    );
    expect(strict.status).toBe(400);
    expect(JSON.parse(strict.text).message).toBe('strict decoding error: unknown field "extra"');
    const warned = await call('POST', '/api/v1/namespaces/default/configmaps', {
      raw: body,
      contentType: 'application/json',
    });
    expect(warned.status).toBe(201);
    expect(warned.headers.warning).toBe('299 - "unknown field \\"extra\\""');
    expect(JSON.parse(warned.text).extra).toBeUndefined();
  });

  it('runs dry runs without persisting and rejects unknown patch types', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } });
    expect(
      (
        await call('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', {
          raw: body,
          contentType: 'application/json',
        })
      ).status,
    ).toBe(201);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/dry')).status).toBe(404);
    const bad = await call('PATCH', '/api/v1/namespaces/default/configmaps/strict', {
      raw: '{}',
      contentType: 'text/plain',
    });
    expect(bad.status).toBe(415);
    const forced = await apiCall(
      sandbox,
      'PATCH',
      '/api/v1/namespaces/default/configmaps/strict?force=true',
      {
        raw: '{}',
        contentType: 'application/merge-patch+json',
      },
    );
    expect(forced.status).toBe(422);
  });

  it('gives spec.replicas to the manager that writes /scale (operation Update, subresource scale)', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'scaled' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'scaled' } },
        template: {
          metadata: { labels: { app: 'scaled' } },
          spec: { containers: [{ name: 'c', image: 'x' }] },
        },
      },
    };
    const path = '/apis/apps/v1/namespaces/default/deployments/scaled';
    const applied = await call('PATCH', `${path}?fieldManager=slipway`, {
      raw: JSON.stringify(deployment),
      contentType: 'application/apply-patch+yaml',
    });
    expect(applied.status).toBe(201);
    const scaled = await call('PATCH', `${path}/scale?fieldManager=hpa`, {
      raw: '{"spec":{"replicas":5}}',
      contentType: 'application/merge-patch+json',
    });
    expect(scaled.status).toBe(200);
    const live = JSON.parse((await call('GET', path)).text) as {
      spec: { replicas: number };
      metadata: {
        managedFields: Array<{ manager: string; operation: string; subresource?: string; fieldsV1: unknown }>;
      };
    };
    expect(live.spec.replicas).toBe(5);
    const hpa = live.metadata.managedFields.find((m) => m.manager === 'hpa');
    expect(hpa).toMatchObject({
      operation: 'Update',
      subresource: 'scale',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
    });
    const slipway = live.metadata.managedFields.find((m) => m.manager === 'slipway');
    expect(JSON.stringify(slipway?.fieldsV1)).not.toContain('f:replicas');
  });

  it('streams watch events one per line, as Tables when asked, ending initial events with a bookmark', async () => {
    const list = JSON.parse((await call('GET', '/api/v1/namespaces/default/configmaps')).text) as {
      metadata: { resourceVersion: string };
    };
    const watching = watchLines(
      `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion}`,
      1,
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    );
    await new Promise((r) => setTimeout(r, 100));
    await call('POST', '/api/v1/namespaces/default/configmaps', {
      raw: JSON.stringify({ metadata: { name: 'watched' }, data: { x: 'y' } }),
      contentType: 'application/json',
    });
    const [event] = await watching;
    expect(event).toMatchObject({
      type: 'ADDED',
      object: { kind: 'Table', rows: [{ cells: ['watched', 1, expect.any(String)] }] },
    });

    const initial = await watchLines(
      '/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan',
      3,
    );
    const bookmark = initial.find((e) => e.type === 'BOOKMARK');
    expect(bookmark).toMatchObject({
      object: { metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } },
    });
  });

  it('answers a too-old resourceVersion with an Expired ERROR event', async () => {
    for (let i = 0; i < 60; i++)
      await call('POST', '/api/v1/namespaces/default/configmaps', {
        raw: JSON.stringify({ metadata: { name: `churn-${i}` } }),
        contentType: 'application/json',
      });
    const [event] = await watchLines('/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=2', 1);
    expect(event).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', reason: 'Expired', code: 410 },
    });
  });

  it('deletes collections by label selector', async () => {
    for (const name of ['gone-1', 'gone-2'])
      await call('POST', '/api/v1/namespaces/default/configmaps', {
        raw: JSON.stringify({ metadata: { name, labels: { sweep: 'yes' } } }),
        contentType: 'application/json',
      });
    const swept = await apiCall(
      sandbox,
      'DELETE',
      '/api/v1/namespaces/default/configmaps?labelSelector=sweep%3Dyes',
    );
    expect((JSON.parse(swept.text) as { items: unknown[] }).items).toHaveLength(2);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/gone-1')).status).toBe(404);
  });
});
