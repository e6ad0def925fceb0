/**
 * The "done when", through the real kubectl: a process pod of examples/sample-service
 * serves traffic through its Service port, a Deployment update applied with kubectl rolls with no
 * failed request from a concurrent client, and rollout status/history/undo/restart, logs and wait
 * behave as on a real cluster; a broken image makes `rollout status` fail on the progress deadline
 * while the old pods keep serving.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxEnv, writeManifest, type SandboxEnv } from './sandbox-env.js';

let env: SandboxEnv;
beforeAll(async () => {
  env = await startSandboxEnv({ runtime: true });
});
afterAll(async () => {
  await env?.stop();
});

const manifest = (tag: string, deadline = 600) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: sample
spec:
  replicas: 2
  progressDeadlineSeconds: ${deadline}
  selector:
    matchLabels: {app: sample}
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata:
      labels: {app: sample}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: app
        image: sample-service:${tag}
        ports: [{name: http, containerPort: 8080}]
        readinessProbe:
          httpGet: {path: /readyz, port: http}
          periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata:
  name: sample
spec:
  selector: {app: sample}
  ports: [{name: http, port: 80, targetPort: http}]
`;

function get(port: number): Promise<{ code: number; body: string }> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => done({ code: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => done({ code: 0, body: e.message }));
    req.end();
  });
}

/** Runs `during` while a client sends requests one after another; returns every result. */
async function underLoad(
  port: number,
  during: () => Promise<void>,
): Promise<{ code: number; body: string }[]> {
  let stop = false;
  const results: { code: number; body: string }[] = [];
  const client = (async () => {
    for (let i = 0; i < 50_000 && !stop; i++) results.push(await get(port));
  })();
  try {
    await during();
  } finally {
    stop = true;
    await client;
  }
  return results;
}

const servicePort = () =>
  env.sandbox.runtime?.servicePorts().find((p) => p.name === 'sample' && p.port === 80)?.localPort;

describe('sample-service on the sandbox, driven by kubectl', () => {
  it('serves through the Service port and rolls v1 → v2 with zero failed requests', async () => {
    await env.kubectl(['apply', '-f', writeManifest(env, 'v1.yaml', manifest('v1'))]);
    expect((await env.kubectl(['rollout', 'status', 'deploy/sample', '--timeout=60s'])).stdout).toContain(
      'successfully rolled out',
    );
    await env.kubectl(['wait', '--for=condition=Available', 'deploy/sample', '--timeout=30s']);
    const port = servicePort();
    expect(port).toBeGreaterThan(0);
    expect(await get(port as number)).toEqual({ code: 200, body: '{"version":"v1"}\n' });
    expect((await env.kubectl(['logs', 'deploy/sample'])).stdout).toMatch(/sample-service v1 listening/);
    expect((await env.kubectl(['describe', 'deploy/sample'])).stdout).toMatch(
      /ScalingReplicaSet\s.*Scaled up replica set sample-\S+ from 0 to 2/,
    );

    const results = await underLoad(port as number, async () => {
      await new Promise((r) => setTimeout(r, 300));
      await env.kubectl(['apply', '-f', writeManifest(env, 'v2.yaml', manifest('v2'))]);
      await env.kubectl(['rollout', 'status', 'deploy/sample', '--timeout=60s']);
      await new Promise((r) => setTimeout(r, 300));
    });
    expect(results.filter((r) => r.code !== 200)).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
    expect(new Set(results.map((r) => r.body))).toEqual(
      new Set(['{"version":"v1"}\n', '{"version":"v2"}\n']),
    );
    expect(results.at(-1)?.body).toBe('{"version":"v2"}\n');
  }, 120_000);

  it('undo goes back to v1 on the old ReplicaSet without failed requests; restart makes a new revision', async () => {
    const port = servicePort() as number;
    const rsBefore = (await env.kubectl(['get', 'rs', '-l', 'app=sample', '-o', 'name'])).stdout
      .trim()
      .split('\n')
      .sort();
    const results = await underLoad(port, async () => {
      await env.kubectl(['rollout', 'undo', 'deploy/sample']);
      await env.kubectl(['rollout', 'status', 'deploy/sample', '--timeout=60s']);
    });
    expect(results.filter((r) => r.code !== 200)).toEqual([]);
    expect((await get(port)).body).toBe('{"version":"v1"}\n');
    expect(
      (await env.kubectl(['get', 'rs', '-l', 'app=sample', '-o', 'name'])).stdout.trim().split('\n').sort(),
    ).toEqual(rsBefore);
    const history = (await env.kubectl(['rollout', 'history', 'deploy/sample'])).stdout;
    expect(history).toMatch(/^2\s/m);
    expect(history).toMatch(/^3\s/m);
    expect(history).not.toMatch(/^1\s/m);

    await env.kubectl(['rollout', 'restart', 'deploy/sample']);
    await env.kubectl(['rollout', 'status', 'deploy/sample', '--timeout=60s']);
    expect(
      (
        await env.kubectl([
          'get',
          'deploy',
          'sample',
          '-o',
          'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}',
        ])
      ).stdout,
    ).toBe('4');
  }, 120_000);

  it('a broken image fails rollout status on the progress deadline while the old pods keep serving', async () => {
    const port = servicePort() as number;
    let status = { code: 0, stdout: '', stderr: '' };
    const results = await underLoad(port, async () => {
      await env.kubectl(['apply', '-f', writeManifest(env, 'broken.yaml', manifest('broken', 3))]);
      status = await env.kubectlResult(['rollout', 'status', 'deploy/sample', '--timeout=60s']);
    });
    expect(status.code).not.toBe(0);
    expect(status.stderr).toMatch(/exceeded its progress deadline/);
    expect(results.filter((r) => r.code !== 200)).toEqual([]);
    const pods = (await env.kubectl(['get', 'pods', '-l', 'app=sample'])).stdout;
    expect(pods).toMatch(/ImagePullBackOff|ErrImagePull/);
  }, 120_000);
});

describe('other workloads through kubectl', () => {
  it('rollout status for a StatefulSet and a DaemonSet, wait for a Job to complete, PVC bound', async () => {
    const manifests = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: kvstore:16}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: fluent-bit:3}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  completions: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: migrator:1}]
`;
    await env.kubectl(['apply', '-f', writeManifest(env, 'workloads.yaml', manifests)]);
    expect((await env.kubectl(['rollout', 'status', 'statefulset/db', '--timeout=60s'])).stdout).toMatch(
      /roll out complete|partitioned roll out complete/,
    );
    expect((await env.kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=60s'])).stdout).toContain(
      'successfully rolled out',
    );
    await env.kubectl(['wait', '--for=condition=complete', 'job/migrate', '--timeout=60s']);
    expect((await env.kubectl(['get', 'pvc', 'data-db-1', '-o', 'jsonpath={.status.phase}'])).stdout).toBe(
      'Bound',
    );
    expect(
      (await env.kubectl(['get', 'pods', '-l', 'app=db', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout,
    ).toBe('db-0 db-1');
  }, 120_000);

  it('StatefulSet and DaemonSet history and undo through ControllerRevisions', async () => {
    await env.kubectl(['set', 'image', 'statefulset/db', 'db=kvstore:17']);
    await env.kubectl(['rollout', 'status', 'statefulset/db', '--timeout=60s']);
    const history = (await env.kubectl(['rollout', 'history', 'statefulset/db'])).stdout;
    expect(history).toMatch(/^1\s/m);
    expect(history).toMatch(/^2\s/m);
    await env.kubectl(['rollout', 'undo', 'statefulset/db']);
    await env.kubectl(['rollout', 'status', 'statefulset/db', '--timeout=60s']);
    expect(
      (
        await env.kubectl([
          'get',
          'statefulset',
          'db',
          '-o',
          'jsonpath={.spec.template.spec.containers[0].image}',
        ])
      ).stdout,
    ).toBe('kvstore:16');
    const images = (
      await env.kubectl([
        'get',
        'pods',
        '-l',
        'app=db',
        '-o',
        'jsonpath={.items[*].spec.containers[0].image}',
      ])
    ).stdout;
    expect(images).toBe('kvstore:16 kvstore:16');
    const after = (await env.kubectl(['rollout', 'history', 'statefulset/db'])).stdout;
    expect(after).toMatch(/^2\s/m);
    expect(after).toMatch(/^3\s/m);
    expect(after).not.toMatch(/^1\s/m);

    await env.kubectl(['set', 'image', 'daemonset/agent', 'agent=fluent-bit:4']);
    await env.kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=60s']);
    await env.kubectl(['rollout', 'undo', 'daemonset/agent']);
    await env.kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=60s']);
    expect(
      (
        await env.kubectl([
          'get',
          'pods',
          '-l',
          'app=agent',
          '-o',
          'jsonpath={.items[*].spec.containers[0].image}',
        ])
      ).stdout,
    ).toBe('fluent-bit:3');
  }, 120_000);
});
