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
