/**
 * The exported ValidatingAdmissionPolicies enforced by the sandbox, through the real kubectl v1.33:
 * `slipway policy export` (with a custom CEL rule and resource limits made errors in
 * .slipway-check.yaml) applied with `kubectl apply -f`, then a privileged Pod, a Deployment without
 * limits and a LoadBalancer Service (the custom rule) refused, dry-run included, with Kubernetes'
 * status and message; a compliant Deployment admitted, with the warnings of warning-level rules.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { SAMPLE_SPEC, slipwayCli } from './deploy-helpers.js';
import { startSandboxEnv, writeManifest, type SandboxEnv } from './sandbox-env.js';

let env: SandboxEnv;

const CHECK_CONFIG = `rules:
  res-memory-limit: error
  res-cpu-limit: error
customRules:
  - id: no-loadbalancer
    kinds: [Service]
    severity: error
    expression: "!has(object.spec.type) || object.spec.type != 'LoadBalancer'"
    message: Services stay inside the cluster
  - id: cost-center
    kinds: [Deployment]
    severity: error
    expression: "has(variables.podMeta.labels) && 'cost-center' in variables.podMeta.labels"
    message: every Deployment's pods carry a cost-center label
`;

const pod = (name: string, securityContext: string) => `apiVersion: v1
kind: Pod
metadata: { name: ${name} }
spec:
  containers:
    - name: app
      image: nginx:1.27
      resources: { limits: { cpu: 100m, memory: 64Mi } }
      securityContext: ${securityContext}
`;

const deployment = (name: string, resources: string, image = 'nginx:1.27') => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name}, cost-center: shop } }
    spec:
      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: RuntimeDefault } }
      containers:
        - name: app
          image: ${image}
          resources: ${resources}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: { drop: [ALL] }
`;

beforeAll(async () => {
  env = await startSandboxEnv();
  const dir = join(env.dir, 'repo');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '.slipway-check.yaml'), CHECK_CONFIG);
  const run = memoryIo({ cwd: dir });
  expect(await main(['node', 'slipway', 'policy', 'export', '--out', 'admission'], run.io)).toBe(0);
  const applied = await env.kubectl(['apply', '-f', join(dir, 'admission')]);
  expect(applied.stdout).toContain(
    'validatingadmissionpolicy.admissionregistration.k8s.io/slipway-pss-privileged created',
  );
  expect(applied.stdout).toContain(
    'validatingadmissionpolicybinding.admissionregistration.k8s.io/slipway-no-loadbalancer created',
  );
});
afterAll(async () => {
  await env?.stop();
});

describe('the sandbox enforces the exported ValidatingAdmissionPolicies', () => {
  it('refuses a privileged Pod with the API server status and message', async () => {
    const file = writeManifest(env, 'priv.yaml', pod('priv', '{ privileged: true }'));
    const r = await env.kubectlResult(['apply', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      // What kubectl prints for the API server's 422 (the denial is the Status's one cause, field empty).
      `The pods "priv" is invalid: : ValidatingAdmissionPolicy 'slipway-pss-privileged' with binding 'slipway-pss-privileged' denied request: pss-privileged: containers must not be privileged`,
    );
    expect((await env.kubectlResult(['get', 'pod', 'priv'])).code).toBe(1);
  });

  it('refuses a Deployment without limits, on a server dry run too', async () => {
    const file = writeManifest(
      env,
      'nolimits.yaml',
      deployment('nolimits', '{ requests: { cpu: 10m, memory: 16Mi } }'),
    );
    const dry = await env.kubectlResult(['apply', '--dry-run=server', '-f', file]);
    expect(dry.code).toBe(1);
    expect(dry.stderr).toMatch(
      /The deployments "nolimits" is invalid: : ValidatingAdmissionPolicy 'slipway-res-(cpu|memory)-limit' with binding 'slipway-res-(cpu|memory)-limit' denied request: res-(cpu|memory)-limit: every container and init container must set resources.limits/,
    );
    const r = await env.kubectlResult(['apply', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('denied request: res-');
  });

  it('refuses a LoadBalancer Service by the custom CEL rule', async () => {
    const file = writeManifest(
      env,
      'lb.yaml',
      'apiVersion: v1\nkind: Service\nmetadata: { name: lb }\nspec: { type: LoadBalancer, selector: { app: a }, ports: [{ port: 80 }] }\n',
    );
    const r = await env.kubectlResult(['apply', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `The services "lb" is invalid: : ValidatingAdmissionPolicy 'slipway-no-loadbalancer' with binding 'slipway-no-loadbalancer' denied request: no-loadbalancer: Services stay inside the cluster`,
    );
  });

  it('admits a compliant Deployment, with the Warning of a warning-level rule', async () => {
    const file = writeManifest(
      env,
      'ok.yaml',
      deployment(
        'ok',
        '{ requests: { cpu: 10m, memory: 16Mi }, limits: { cpu: 100m, memory: 64Mi } }',
        'nginx:latest',
      ),
    );
    const r = await env.kubectl(['apply', '-f', file]);
    expect(r.stdout).toContain('deployment.apps/ok created');
    expect(r.stderr).toContain(
      "Warning: Validation failed for ValidatingAdmissionPolicy 'slipway-img-latest-tag' with binding 'slipway-img-latest-tag': img-latest-tag: every image must carry a version tag other than latest, or a digest",
    );
  });

  it('slipway deploy stops at a refusal as a plan failure naming object and rule, applying none of the app', async () => {
    const r = await slipwayCli(env, ['deploy', '-f', SAMPLE_SPEC, '--env', 'dev']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /Deployment sample-web: refused by the cluster's admission policy slipway-cost-center \[cost-center\]: every Deployment's pods carry a cost-center label/,
    );
    expect(r.stderr).toContain('nothing was applied');
    const deployments = await env.kubectl(['get', 'deployments', '-A', '-o', 'name']);
    expect(deployments.stdout).not.toContain('sample');
  });
});
