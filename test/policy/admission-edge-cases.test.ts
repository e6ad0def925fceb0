import { describe, expect, it } from 'vitest';
import { JUDGES, verdictsFor } from '../../src/policy/admission/verdicts.js';
import { parseManifests } from '../../src/policy/load/parse.js';
import { RULES } from '../../src/policy/rules/index.js';

/**
 * Edge cases beyond the rules' own fixtures, where the CEL had to restate the TypeScript's parsing
 * (paths, images, quantities, hosts, RBAC wildcards): check and the three exports must agree on each
 * object, and the expected objects must be refused.
 */
const pod = (name: string, spec: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata: { name: ${name} }\nspec:\n${spec
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}\n---\n`;
const c = (extra: string) =>
  `containers:\n  - name: app\n    image: nginx:1.27\n${extra
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}`;

const CASES: Record<string, { yaml: string; refused: string[] }> = {
  'sec-sensitive-host-path': {
    yaml: [
      '/var/run/docker.sock',
      '/etc/',
      '/data',
      '/srv/agent.sock',
      '/',
      '//',
      '/etcd',
      '/var/lib/kubelet/pods',
    ]
      .map((p, i) => pod(`p${i}`, `${c('')}\nvolumes: [{ name: v, hostPath: { path: "${p}" } }]`))
      .join(''),
    refused: ['Pod/p0', 'Pod/p1', 'Pod/p3', 'Pod/p4'],
  },
  'img-latest-tag': {
    yaml: [
      'nginx',
      'nginx:latest',
      'registry:5000/team/app',
      'registry:5000/team/app:1.2',
      'app@sha256:abc',
      'app:latest@sha256:abc',
    ]
      .map((img, i) => pod(`p${i}`, `containers: [{ name: app, image: "${img}" }]`))
      .join(''),
    refused: ['Pod/p0', 'Pod/p1', 'Pod/p2'],
  },
  'res-range': {
    yaml: [
      ['512', '100m'],
      ['64Mi', '500'],
      ['64Mi', '0'],
      ['1Gi', '0.5'],
      ['600Gi', '1'],
      ['4Mi', '1m'],
    ]
      .map(([mem, cpu], i) => pod(`p${i}`, c(`resources: { limits: { memory: "${mem}", cpu: "${cpu}" } }`)))
      .join(''),
    refused: ['Pod/p0', 'Pod/p1', 'Pod/p4'],
  },
  'sec-low-uid': {
    yaml: [
      ['', ''],
      ['runAsUser: 10001', ''],
      ['runAsUser: 1000', ''],
      ['', 'securityContext: { runAsUser: 20000 }'],
      ['runAsUser: 0', ''],
      ['runAsUser: 5', 'securityContext: { runAsUser: 10000 }'],
    ]
      .map(([podSc, cSc], i) => pod(`p${i}`, `securityContext: { ${podSc} }\n${c(cSc ?? '')}`))
      .join(''),
    refused: ['Pod/p0', 'Pod/p2'],
  },
  'net-ingress-tls': {
    yaml: [
      ['', 'a.example.com'],
      ['[{ hosts: [a.example.com] }]', 'a.example.com'],
      ['[{ hosts: ["*.example.com"] }]', 'b.example.com'],
      ['[{ hosts: [a.example.com] }]', 'b.example.com'],
      ['[{ secretName: x }]', 'a.example.com'],
    ]
      .map(
        ([tls, host], i) =>
          `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: { name: i${i} }\nspec:\n  ${tls ? `tls: ${tls}` : ''}\n  rules: [{ host: ${host} }]\n---\n`,
      )
      .join(''),
    refused: ['Ingress/i0', 'Ingress/i3', 'Ingress/i4'],
  },
  'probe-named-port': {
    yaml: [
      'readinessProbe: { httpGet: { port: "8080" } }',
      'readinessProbe: { httpGet: { port: http } }',
      'livenessProbe: { tcpSocket: { port: metrics } }',
      'lifecycle: { preStop: { httpGet: { port: admin } } }',
      'startupProbe: { httpGet: { port: 8080 } }',
    ]
      .map((probe, i) => pod(`p${i}`, c(`ports: [{ name: http, containerPort: 8080 }]\n${probe}`)))
      .join(''),
    refused: ['Pod/p2', 'Pod/p3'],
  },
  'res-requests-equal-limits': {
    yaml: [
      '{ requests: { cpu: 500m }, limits: { cpu: "0.5" } }',
      '{ requests: { cpu: 500m } }',
      '{}',
      '{ requests: { memory: 1Gi }, limits: { memory: 1024Mi } }',
      '{ requests: { memory: 1Gi }, limits: { memory: 1G } }',
      '{ limits: { memory: 1Gi } }',
    ]
      .map((r, i) => pod(`p${i}`, c(`resources: ${r}`)))
      .join(''),
    refused: ['Pod/p1', 'Pod/p4'],
  },
  'rbac-wildcard': {
    yaml: [
      '{ apiGroups: [""], resources: [pods], verbs: [get] }',
      '{ apiGroups: ["*"], resources: [pods], verbs: [get] }',
      '{ apiGroups: [""], resources: ["pods/*"], verbs: [get] }',
      '{ apiGroups: [""], resources: ["*/scale"], verbs: [get] }',
    ]
      .map(
        (r, i) =>
          `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: { name: r${i} }\nrules: [${r}]\n---\n`,
      )
      .join(''),
    refused: ['Role/r1', 'Role/r2'],
  },
  'rbac-create-workloads': {
    yaml: [
      '{ apiGroups: [apps], resources: [deployments], verbs: [create] }',
      '{ apiGroups: [""], resources: [deployments], verbs: [create] }',
      '{ apiGroups: ["*"], resources: [jobs], verbs: ["*"] }',
      '{ apiGroups: [""], resources: [pods], verbs: [get] }',
    ]
      .map(
        (r, i) =>
          `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: r${i} }\nrules: [${r}]\n---\n`,
      )
      .join(''),
    refused: ['ClusterRole/r0', 'ClusterRole/r2'],
  },
  'container-ports': {
    yaml: [
      'containers: [{ name: a, image: a:1, ports: [{ name: http, containerPort: 80 }] }, { name: b, image: b:1, ports: [{ name: metrics, containerPort: 81 }] }]',
      'containers: [{ name: a, image: a:1, ports: [{ name: http, containerPort: 80 }] }, { name: b, image: b:1, ports: [{ name: http, containerPort: 81 }] }]',
      'containers: [{ name: a, image: a:1, ports: [{ containerPort: 80 }] }, { name: b, image: b:1, ports: [{ containerPort: 80, protocol: TCP }] }]',
      'containers: [{ name: a, image: a:1, ports: [{ containerPort: 53 }, { containerPort: 53, protocol: UDP }] }]',
      'containers: [{ name: a, image: a:1, ports: [{ name: "-web", containerPort: 80 }] }]',
      'containers: [{ name: a, image: a:1, ports: [{ name: "8080", containerPort: 80 }] }]',
      'containers: [{ name: a, image: a:1, ports: [{ name: "a--b", containerPort: 80 }] }]',
      'initContainers: [{ name: i, image: i:1, ports: [{ name: init, containerPort: 90 }] }]\ncontainers: [{ name: a, image: a:1, ports: [{ name: web, containerPort: 80 }] }]',
    ]
      .map((spec, i) => pod(`p${i}`, spec))
      .join(''),
    refused: ['Pod/p1', 'Pod/p2', 'Pod/p4', 'Pod/p5', 'Pod/p6'],
  },
  'sec-linux-hardening': {
    yaml:
      [
        `securityContext: { seccompProfile: { type: RuntimeDefault } }\n${c('')}`,
        `securityContext: { seccompProfile: { type: RuntimeDefault } }\n${c('securityContext: { seccompProfile: { type: Unconfined } }')}`,
        c('securityContext: { capabilities: { drop: [] } }'),
        c('securityContext: { capabilities: { drop: [NET_RAW] } }'),
        `securityContext: { seLinuxOptions: { level: "s0:c1" } }\n${c('securityContext: { seLinuxOptions: {} }')}`,
        `securityContext: { seLinuxOptions: { level: "s0:c1" } }\n${c('')}`,
        `os: { name: windows }\n${c('')}`,
        c('securityContext: { appArmorProfile: { type: Localhost, localhostProfile: p } }'),
      ]
        .map((spec, i) => pod(`p${i}`, spec))
        .join('') +
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a0\n  annotations: { container.apparmor.security.beta.kubernetes.io/app: runtime/default }\nspec: { containers: [{ name: app, image: a:1 }] }\n---\n' +
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a1\n  annotations: { seccomp.security.alpha.kubernetes.io/pod: runtime/default }\nspec: { containers: [{ name: app, image: a:1 }] }\n',
    refused: ['Pod/p1', 'Pod/p2', 'Pod/p4', 'Pod/a1'],
  },
  'sec-seccomp-annotation': {
    yaml: [
      ['container.seccomp.security.alpha.kubernetes.io/app: runtime/default', ''],
      [
        'container.seccomp.security.alpha.kubernetes.io/app: runtime/default',
        'securityContext: { seccompProfile: { type: RuntimeDefault } }',
      ],
      ['example.com/seccomp: x', ''],
    ]
      .map(
        ([a, sc], i) =>
          `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\n  annotations: { ${a} }\nspec:\n  ${sc}\n  containers: [{ name: app, image: a:1 }]\n---\n`,
      )
      .join(''),
    refused: ['Pod/p0'],
  },
  'probe-identical': {
    yaml: [
      'readinessProbe: { httpGet: { path: /h, port: 80 } }\nlivenessProbe: { httpGet: { port: 80, path: /h } }',
      'readinessProbe: { httpGet: { path: /h, port: 80 } }\nlivenessProbe: { httpGet: { path: /h, port: 80 }, periodSeconds: 20 }',
      'readinessProbe: { httpGet: { path: /h, port: 80 } }\nlivenessProbe: { httpGet: { path: /h, port: 80 }, failureThreshold: 1 }',
      'readinessProbe: { httpGet: { path: /h, port: 80 } }\nlivenessProbe: { tcpSocket: { port: 80 } }',
      'readinessProbe: { exec: { command: [a] }, initialDelaySeconds: 5 }\nlivenessProbe: { exec: { command: [a] }, initialDelaySeconds: 5 }',
    ]
      .map((probes, i) => pod(`p${i}`, c(probes)))
      .join(''),
    refused: ['Pod/p0', 'Pod/p2', 'Pod/p4'],
  },
  'rbac-pod-exec': {
    yaml:
      [
        '{ apiGroups: [""], resources: [pods/attach], verbs: [get] }',
        '{ apiGroups: ["*"], resources: ["*/exec"], verbs: ["*"] }',
        '{ apiGroups: [apps], resources: [pods/exec], verbs: [create] }',
        '{ apiGroups: [""], resources: [pods/exec], verbs: [list] }',
        '{ apiGroups: [""], resources: ["*"], verbs: [create] }',
      ]
        .map(
          (r, i) =>
            `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: r${i} }\nrules: [${r}]\n---\n`,
        )
        .join('') +
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: admin, labels: { kubernetes.io/bootstrapping: rbac-defaults } }\nrules: [{ apiGroups: [""], resources: [pods/exec], verbs: [create] }]\n',
    refused: ['ClusterRole/r0', 'ClusterRole/r1', 'ClusterRole/r4'],
  },
  'workload-selector-mismatch': {
    yaml: [
      '{ matchExpressions: [{ key: app, operator: In, values: [web, api] }] }',
      '{ matchExpressions: [{ key: tier, operator: NotIn, values: [db] }] }',
      '{ matchExpressions: [{ key: app, operator: In, values: [] }] }',
      '{ matchExpressions: [{ key: app, operator: Exists }] }',
      '{ matchExpressions: [{ key: app, operator: DoesNotExist }] }',
      '{ matchExpressions: [{ key: app, operator: Equals, values: [web] }] }',
      '{}',
      '{ matchLabels: { app: web, track: stable } }',
      '{ matchLabels: { "bad key!": web } }',
    ]
      .map(
        (sel, i) =>
          `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d${i} }\nspec:\n  selector: ${sel}\n  template:\n    metadata: { labels: { app: web } }\n    spec: { containers: [{ name: a, image: a:1 }] }\n---\n`,
      )
      .join(''),
    refused: ['Deployment/d2', 'Deployment/d4', 'Deployment/d5', 'Deployment/d7', 'Deployment/d8'],
  },
  'metadata-labels': {
    yaml:
      [
        'labels: { app.kubernetes.io/name: web, empty: "" }\n  annotations: { example.com/note: x }',
        'annotations: { Example.com/note: x }',
        `labels: { v: ${'a'.repeat(64)} }`,
        'labels: { v: 1 }',
        'labels: { "a/b/c": x }',
        'labels: { v: "-a" }',
      ]
        .map((m, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m${i}\n  ${m}\n---\n`)
        .join('') +
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\nspec:\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: { app: web, version: "1.2+b" } }\n    spec: { containers: [{ name: a, image: a:1 }] }\n',
    refused: ['ConfigMap/m1', 'ConfigMap/m2', 'ConfigMap/m4', 'ConfigMap/m5', 'Deployment/d'],
  },
  'metadata-app-labels': {
    yaml: [
      ['{ app.kubernetes.io/name: web }', '{ app.kubernetes.io/name: api }'],
      ['{ app: web, app.kubernetes.io/name: web }', '{ app: web }'],
      ['{}', '{ app: x, app.kubernetes.io/instance: y }'],
      ['{ app: x }', '{ app: x, app.kubernetes.io/part-of: shop }'],
      ['{ app.kubernetes.io/part-of: shop }', '{ app.kubernetes.io/part-of: shop }'],
    ]
      .map(
        ([own, tpl], i) =>
          `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d${i}, labels: ${own} }\nspec:\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: ${tpl} }\n    spec: { containers: [{ name: a, image: a:1 }] }\n---\n`,
      )
      .join(''),
    refused: ['Deployment/d0', 'Deployment/d2'],
  },
};

describe.each(Object.entries(CASES))('%s edge cases', (id, { yaml, refused }) => {
  it('check and the three exports agree on every object, refusing the expected ones', () => {
    const rule = RULES.find((r) => r.id === id)!;
    const { manifests, problems } = parseManifests(yaml, `${id}.yaml`);
    expect(problems).toEqual([]);
    const verdicts = verdictsFor(rule, manifests, {
      kubeVersion: { major: 1, minor: 36 },
      pssVersion: { major: 1, minor: 35 },
    });
    const norm = (x: string) => (x === 'skip' ? 'pass' : x);
    expect(verdicts.filter((v) => JUDGES.some((j) => norm(v.verdicts[j]) !== v.verdicts.check))).toEqual([]);
    expect(verdicts.filter((v) => v.verdicts.check === 'fail').map((v) => v.object)).toEqual(refused);
  });
});
