/**
 * The API server with the runtime (controllers, kubelet, proxy from packages/sandbox/src/runtime): what
 * kubectl and helm do that needs objects to converge. `rollout status`, `rollout undo` reusing the
 * old ReplicaSet (which depends on the server's template defaulting), `wait --for=condition=Available`,
 * cascading delete down to pods, and `helm upgrade --wait`.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxEnv, WEB_APP, writeManifest, type SandboxEnv } from './sandbox-env.js';

const chart = resolve(import.meta.dirname, '..', 'fixtures', 'sandbox-chart');
let env: SandboxEnv;

beforeAll(async () => {
  env = await startSandboxEnv({ runtime: true });
});
afterAll(async () => {
  await env?.stop();
});

describe('kubectl and helm with the runtime', () => {
  it('rolls out, reports status, rolls back onto the old ReplicaSet and waits for Available', async () => {
    await env.kubectl(['apply', '-f', writeManifest(env, 'v1.yaml', WEB_APP)]);
    expect((await env.kubectl(['rollout', 'status', 'deploy/web', '--timeout=60s'])).stdout).toContain(
      'successfully rolled out',
    );
    await env.kubectl(['wait', '--for=condition=Available', 'deploy/web', '--timeout=60s']);

    await env.kubectl([
      'apply',
      '-f',
      writeManifest(env, 'v2.yaml', WEB_APP.replace('nginx:1.27', 'nginx:1.28')),
    ]);
    await env.kubectl(['rollout', 'status', 'deploy/web', '--timeout=60s']);
    const history = (await env.kubectl(['rollout', 'history', 'deploy/web'])).stdout;
    expect(history).toMatch(/^1\s/m);
    expect(history).toMatch(/^2\s/m);
    const before = (await env.kubectl(['get', 'rs', '-l', 'app=web', '-o', 'name'])).stdout
      .trim()
      .split('\n')
      .sort();

    await env.kubectl(['rollout', 'undo', 'deploy/web']);
    await env.kubectl(['rollout', 'status', 'deploy/web', '--timeout=60s']);
    const after = (await env.kubectl(['get', 'rs', '-l', 'app=web', '-o', 'name'])).stdout
      .trim()
      .split('\n')
      .sort();
    expect(after).toEqual(before);
    expect(
      (
        await env.kubectl([
          'get',
          'deploy',
          'web',
          '-o',
          'jsonpath={.spec.template.spec.containers[0].image}',
        ])
      ).stdout,
    ).toBe('nginx:1.27');
    const pods = (await env.kubectl(['get', 'pods', '-l', 'app=web'])).stdout;
    expect(pods).toMatch(/NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    expect(pods).toMatch(/web-\S+\s+1\/1\s+Running/);
  });

  it('restarts a rollout and serves pod logs', async () => {
    await env.kubectl(['rollout', 'restart', 'deploy/web']);
    await env.kubectl(['rollout', 'status', 'deploy/web', '--timeout=60s']);
    const template = JSON.parse((await env.kubectl(['get', 'deploy', 'web', '-o', 'json'])).stdout).spec
      .template;
    expect(template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBeDefined();
    const logs = await env.kubectlResult(['logs', 'deploy/web']);
    expect(logs.code).toBe(0);
  });

  it('deletes a Deployment down to its pods, in the foreground', async () => {
    // Foreground: kubectl returns once the Deployment is gone, which the GC allows only after its
    // ReplicaSets, and theirs after their pods (terminated gracefully by the kubelet).
    await env.kubectl(['delete', 'deploy', 'web', '--cascade=foreground', '--timeout=60s']);
    expect((await env.kubectl(['get', 'pods,rs', '-l', 'app=web', '-o', 'name'])).stdout.trim()).toBe('');
  });

  it('installs and upgrades a chart with helm --wait', async () => {
    await env.helm(['install', 'demo', chart, '--wait', '--timeout', '90s']);
    expect(
      (await env.kubectl(['get', 'deploy', 'demo-web', '-o', 'jsonpath={.status.availableReplicas}'])).stdout,
    ).toBe('2');
    await env.helm(['upgrade', 'demo', chart, '--set', 'image=nginx:1.28', '--wait', '--timeout', '90s']);
    expect(
      (
        await env.kubectl([
          'get',
          'deploy',
          'demo-web',
          '-o',
          'jsonpath={.status.updatedReplicas}/{.status.availableReplicas}',
        ])
      ).stdout,
    ).toBe('2/2');
  });
});
