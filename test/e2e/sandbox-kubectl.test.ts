/**
 * Conformance with the real kubectl v1.33: apply (client-side and server-side), get (Table
 * columns, yaml, json, wide, watch), describe, diff, scale, wait, delete with cascading, strict
 * field validation, protobuf generators refused, authentication.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubectlPath } from '../helpers/kube-tools.js';
import { startSandboxEnv, WEB_APP, writeManifest, type SandboxEnv } from './sandbox-env.js';

let env: SandboxEnv;

beforeAll(async () => {
  env = await startSandboxEnv();
});
afterAll(async () => {
  await env?.stop();
});

describe('kubectl apply and get', () => {
  it('creates, then leaves unchanged objects alone, and prints real columns', async () => {
    const file = writeManifest(env, 'app.yaml', WEB_APP);
    const created = await env.kubectl(['apply', '-f', file]);
    expect(created.stdout).toContain('deployment.apps/web created');
    expect(created.stdout).toContain('service/web created');
    expect(created.stdout).toContain('configmap/web-config created');
    const again = await env.kubectl(['apply', '-f', file]);
    expect(again.stdout).toContain('deployment.apps/web unchanged');
    expect(again.stdout).toContain('service/web unchanged');

    const wide = await env.kubectl(['get', 'deploy', 'web', '-o', 'wide']);
    expect(wide.stdout).toMatch(
      /NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/,
    );
    expect(wide.stdout).toMatch(/web\s+0\/2\s+0\s+0\s+\S+\s+web\s+nginx:1.27\s+app=web/);
    const svc = await env.kubectl(['get', 'svc', 'web']);
    expect(svc.stdout).toMatch(/NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/);
    expect(svc.stdout).toMatch(/web\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP/);

    const yaml = parse((await env.kubectl(['get', 'deploy', 'web', '-o', 'yaml'])).stdout);
    expect(yaml.metadata.generation).toBe(1);
    expect(yaml.spec.template.spec.containers[0].ports[0].protocol).toBe('TCP');
    expect(yaml.spec.strategy.rollingUpdate).toEqual({ maxSurge: '25%', maxUnavailable: '25%' });
    const json = JSON.parse((await env.kubectl(['get', 'cm', 'web-config', '-o', 'json'])).stdout);
    expect(json.data).toEqual({ LOG_LEVEL: 'info' });
  });

  it('rolls a change through client-side apply and bumps the generation only for spec changes', async () => {
    const file = writeManifest(env, 'app2.yaml', WEB_APP.replace('nginx:1.27', 'nginx:1.28'));
    expect((await env.kubectl(['apply', '-f', file])).stdout).toContain('deployment.apps/web configured');
    await env.kubectl(['label', 'deploy', 'web', 'team=shop']);
    const d = JSON.parse((await env.kubectl(['get', 'deploy', 'web', '-o', 'json'])).stdout);
    expect(d.spec.template.spec.containers[0].image).toBe('nginx:1.28');
    expect(d.metadata.generation).toBe(2);
    expect(d.metadata.labels.team).toBe('shop');
  });

  it('rejects unknown fields (kubectl sends fieldValidation=Strict after reading OpenAPI v3)', async () => {
    const file = writeManifest(
      env,
      'bad.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad}\ndata: {a: b}\nspecial: true\n',
    );
    const r = await env.kubectlResult(['apply', '-f', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('unknown field "special"');
  });

  it('applies server-side with field managers, conflicts and --force-conflicts', async () => {
    const file = writeManifest(
      env,
      'ssa.yaml',
      WEB_APP.replace(/name: web\b/g, 'name: api').replace(/app: web/g, 'app: api'),
    );
    expect((await env.kubectl(['apply', '--server-side', '-f', file])).stdout).toContain(
      'deployment.apps/api serverside-applied',
    );
    const replicas = writeManifest(
      env,
      'replicas.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec: {replicas: 5}\n',
    );
    await env.kubectl([
      'apply',
      '--server-side',
      '--field-manager=autoscaler',
      '--force-conflicts',
      '-f',
      replicas,
    ]);
    const conflict = await env.kubectlResult(['apply', '--server-side', '-f', file]);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('conflict with "autoscaler"');
    expect(conflict.stderr).toContain('.spec.replicas');
    await env.kubectl(['apply', '--server-side', '--force-conflicts', '-f', file]);
    const d = JSON.parse(
      (await env.kubectl(['get', 'deploy', 'api', '-o', 'json', '--show-managed-fields'])).stdout,
    );
    expect(d.spec.replicas).toBe(2);
    expect(d.metadata.managedFields.map((m: { manager: string }) => m.manager)).toContain('kubectl');
  });

  it('stores Gateway API HTTPRoutes schemaless, patched with JSON merge patch like a CRD', async () => {
    const route = (a: number, b: number) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: shop}\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n  - backendRefs: [{name: web, port: 80, weight: ${a}}, {name: web-canary, port: 80, weight: ${b}}]\n`;
    await env.kubectl(['apply', '-f', writeManifest(env, 'route.yaml', route(90, 10))]);
    await env.kubectl(['apply', '-f', writeManifest(env, 'route.yaml', route(50, 50))]);
    const weights = await env.kubectl([
      'get',
      'httproute',
      'shop',
      '-o',
      'jsonpath={.spec.rules[0].backendRefs[*].weight} {.metadata.generation}',
    ]);
    expect(weights.stdout).toBe('50 50 2');
  });

  it('describes with defaulted fields', async () => {
    const out = (await env.kubectl(['describe', 'deploy', 'web'])).stdout;
    expect(out).toMatch(/Port:\s+80\/TCP/);
    expect(out).toContain('RollingUpdateStrategy:  25% max unavailable, 25% max surge');
  });

  it('diffs (exit 1 with changes, 0 without), client-side and server-side', async () => {
    const same = writeManifest(env, 'same.yaml', WEB_APP.replace('nginx:1.27', 'nginx:1.28'));
    expect((await env.kubectlResult(['diff', '-f', same])).code).toBe(0);
    const changed = writeManifest(env, 'changed.yaml', WEB_APP.replace('nginx:1.27', 'nginx:1.29'));
    const diff = await env.kubectlResult(['diff', '-f', changed]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/^\+\s+- image: nginx:1.29$/m);
    expect(
      (await env.kubectlResult(['diff', '--server-side', '--force-conflicts', '-f', changed])).code,
    ).toBe(1);
    // Dry runs persist nothing.
    const d = JSON.parse((await env.kubectl(['get', 'deploy', 'web', '-o', 'json'])).stdout);
    expect(d.spec.template.spec.containers[0].image).toBe('nginx:1.28');
  });

  it('scales through the scale subresource', async () => {
    await env.kubectl(['scale', 'deploy', 'web', '--replicas=4']);
    expect((await env.kubectl(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'])).stdout).toBe('4');
  });

  it('waits for a condition set through the status subresource', async () => {
    const waiting = env.kubectl(['wait', '--for=condition=Available', 'deploy/web', '--timeout=30s']);
    const status = {
      status: {
        observedGeneration: 3,
        conditions: [
          { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'ok' },
        ],
      },
    };
    await new Promise((r) => setTimeout(r, 300));
    await env.kubectl([
      'patch',
      'deploy',
      'web',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify(status),
    ]);
    expect((await waiting).stdout).toContain('deployment.apps/web condition met');
  });

  it('streams Table rows with get -w', async () => {
    const child = spawn(kubectlPath(), [
      '--kubeconfig',
      env.kubeconfig,
      '--cache-dir',
      `${env.dir}/cache`,
      'get',
      'cm',
      '-w',
      '--output-watch-events',
    ]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const until = async (re: RegExp) => {
      for (let i = 0; i < 100 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(re);
    };
    await until(/EVENT\s+NAME\s+DATA\s+AGE/);
    const file = writeManifest(
      env,
      'watched.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched}\ndata: {a: b, c: d}\n',
    );
    await env.kubectl(['apply', '-f', file]);
    await until(/ADDED\s+watched\s+2\s+/);
    await env.kubectl(['delete', 'cm', 'watched']);
    await until(/DELETED\s+watched\s+2\s+/);
    child.kill();
  });
});

describe('kubectl delete', () => {
  async function ownerAndDependent(name: string): Promise<void> {
    const file = writeManifest(
      env,
      `${name}.yaml`,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\n`,
    );
    await env.kubectl(['apply', '-f', file]);
    const uid = (await env.kubectl(['get', 'cm', name, '-o', 'jsonpath={.metadata.uid}'])).stdout;
    const dep = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}-dep\n  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: ${name}, uid: ${uid}, blockOwnerDeletion: true}]\nstringData: {a: b}\n`;
    await env.kubectl(['apply', '-f', writeManifest(env, `${name}-dep.yaml`, dep)]);
  }

  it('collects dependents in the background and in the foreground, and orphans on request', async () => {
    await ownerAndDependent('bg');
    await env.kubectl(['delete', 'cm', 'bg']);
    expect((await env.kubectlResult(['get', 'secret', 'bg-dep'])).stderr).toContain('NotFound');

    await ownerAndDependent('fg');
    await env.kubectl(['delete', 'cm', 'fg', '--cascade=foreground', '--timeout=20s']);
    expect((await env.kubectlResult(['get', 'secret', 'fg-dep'])).code).not.toBe(0);

    await ownerAndDependent('orph');
    await env.kubectl(['delete', 'cm', 'orph', '--cascade=orphan']);
    const kept = JSON.parse((await env.kubectl(['get', 'secret', 'orph-dep', '-o', 'json'])).stdout);
    expect(kept.metadata.ownerReferences).toBeUndefined();
  });

  it('deletes a namespace with its contents', async () => {
    await env.kubectl([
      'apply',
      '-f',
      writeManifest(env, 'ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: scratch}\n'),
    ]);
    await env.kubectl([
      'apply',
      '-n',
      'scratch',
      '-f',
      writeManifest(env, 'ns-cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inside}\n'),
    ]);
    expect((await env.kubectl(['get', 'sa', '-n', 'scratch'])).stdout).toContain('default');
    await env.kubectl(['delete', 'ns', 'scratch', '--timeout=20s']);
    expect((await env.kubectlResult(['get', 'ns', 'scratch'])).stderr).toContain('NotFound');
  });
});

describe('what the sandbox refuses', () => {
  it('decodes the protobuf bodies of secret, configmap and namespace generators', async () => {
    await env.kubectl(['create', 'namespace', 'proto']);
    await env.kubectl([
      'create',
      'secret',
      'generic',
      'creds',
      '-n',
      'proto',
      '--from-literal=password=s3cret',
    ]);
    await env.kubectl(['create', 'configmap', 'settings', '-n', 'proto', '--from-literal=mode=fast']);
    const secret = JSON.parse(
      (await env.kubectl(['get', 'secret', 'creds', '-n', 'proto', '-o', 'json'])).stdout,
    );
    expect(Buffer.from(secret.data.password, 'base64').toString()).toBe('s3cret');
    expect(secret.type).toBe('Opaque');
    expect(
      (await env.kubectl(['get', 'cm', 'settings', '-n', 'proto', '-o', 'jsonpath={.data.mode}'])).stdout,
    ).toBe('fast');
  });

  it('answers other protobuf generator bodies with 415 and says what to use instead', async () => {
    const r = await env.kubectlResult(['create', 'deployment', 'proto', '--image=nginx']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('kubectl apply -f');
  });

  it('refuses requests without the token', async () => {
    const r = await env.kubectlResult(['get', 'pods', '--token', 'wrong']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Unauthorized|provide credentials/);
  });
});
