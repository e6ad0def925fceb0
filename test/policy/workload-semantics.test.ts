import { describe, expect, it } from 'vitest';
import { secretReason } from '../../src/policy/rules/secrets.js';
import { restrictedPod } from './cases/pss.js';
import { findingsOf } from './rule-harness.js';

const statefulSet = (serviceName: string | undefined) =>
  `apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  namespace: data\nspec:\n${serviceName === undefined ? '' : `  serviceName: ${serviceName}\n`}  selector:\n    matchLabels: {app: db}\n  template:\n    metadata:\n      labels: {app: db, role: primary}\n    spec:\n      containers:\n        - {name: db, image: db:1}\n`;
const svc = (name: string, spec: string, ns = 'data') =>
  `---\napiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n${spec}`;

describe('StatefulSet governing Service', () => {
  it.each([
    [
      'headless Service selecting the pods',
      statefulSet('db') + svc('db', '  clusterIP: None\n  selector: {app: db}\n'),
      '',
    ],
    ['no serviceName', statefulSet(undefined), 'no spec.serviceName'],
    ['Service missing', statefulSet('db'), 'not in the input'],
    [
      'Service in another namespace',
      statefulSet('db') + svc('db', '  clusterIP: None\n  selector: {app: db}\n', 'other'),
      'not in the input',
    ],
    ['Service with a cluster IP', statefulSet('db') + svc('db', '  selector: {app: db}\n'), 'not headless'],
    [
      'headless Service selecting other pods',
      statefulSet('db') + svc('db', '  clusterIP: None\n  selector: {app: cache}\n'),
      'does not select',
    ],
    [
      'headless Service without selector',
      statefulSet('db') + svc('db', '  clusterIP: None\n'),
      'does not select',
    ],
  ])('%s', (_, yaml, message) => {
    const found = findingsOf(yaml, 'avail-statefulset-service').map((f) => f.message);
    if (message === '') expect(found).toEqual([]);
    else expect(found).toEqual([expect.stringContaining(message)]);
  });
});

describe('credentials recognised by their format', () => {
  it.each([
    ['ANY', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA'],
    ['ANY', '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE'],
    ['ANY', '-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF'],
    ['ANY', 'ASIAY34FZKBOKMUTVV7A'],
    ['ANY', 'AIzaSyA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU1v'],
    [
      'ANY',
      'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy==;',
    ],
    ['ANY', 'ghp_0123456789abcdefghijABCDEFGHIJ012345'],
    ['ANY', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL'],
    ['ANY', 'glpat-xxxxxxxxxxxxxxxxxxxx'],
    ['ANY', 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX'],
    ['ANY', 'npm_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['ANY', 'SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ'],
    ['ANY', 'sk-proj-abcdefghijklmnopqrstuvwxyz012345'],
    ['ANY', '{"auths":{"ghcr.io":{"auth":"dXNlcjpwYXNzd29yZA=="}}}'],
    [
      'kubeconfig',
      'users:\n- name: admin\n  user:\n    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=',
    ],
    ['application.properties', 'server.port=8080\nspring.datasource.password=hunter22\n'],
    ['config.yaml', 'db:\n  host: db\n  password: "s3cr3t-v4lue"\n'],
    ['.env', 'LOG_LEVEL=info\nexport STRIPE_API_KEY=abc123def456\n'],
  ])('flags %s=%j', (name, value) => expect(secretReason(name, value)).toBeDefined());

  it.each([
    ['application.properties', 'server.port=8080\nspring.datasource.password=${DB_PASSWORD}\n'],
    ['config.yaml', 'db:\n  host: db\n  password_file: /run/secrets/db\n  token_ttl: 300\n'],
    ['nginx.conf', 'server {\n  listen 8080;\n  location / { proxy_pass http://web; }\n}\n'],
    ['README', 'Set the AKIA-prefixed key in the Secret, never here.\n'],
    ['ANY', 'sk-not-a-key'],
    ['ANY', 'AIzaShort'],
  ])('does not flag %s=%j', (name, value) => expect(secretReason(name, value)).toBeUndefined());

  it('reports a key in a ConfigMap file and in a literal env value', () => {
    const cm =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  app.ini: |\n    [db]\n    password = hunter22\n';
    expect(findingsOf(cm, 'secret-in-configmap')[0]?.message).toContain('line 2 (password)');
    const env = restrictedPod({
      container:
        '      env:\n        - name: GCP_KEY\n          value: AIzaSyA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU1v\n',
    });
    expect(findingsOf(env, 'secret-env-literal')[0]?.message).toContain('a Google API key');
  });
});

const withCaps = (caps: string) =>
  restrictedPod({ containerSc: `        allowPrivilegeEscalation: false\n        capabilities:\n${caps}` });

describe('capabilities outside the safe set', () => {
  it.each([
    ['          add: [SYS_ADMIN]\n', 'pss-capabilities', 1],
    ['          add: [NET_ADMIN]\n', 'pss-capabilities', 1],
    ['          add: [ALL]\n', 'pss-capabilities', 1],
    ['          add: [NET_RAW]\n', 'pss-capabilities', 1],
    ['          add: [CHOWN]\n', 'pss-capabilities', 0],
    ['          drop: [ALL]\n          add: [NET_BIND_SERVICE]\n', 'pss-restricted-capabilities', 0],
    ['          drop: [ALL]\n          add: [CHOWN]\n', 'pss-restricted-capabilities', 1],
    ['          drop: [NET_RAW]\n', 'pss-restricted-capabilities', 1],
  ])('%j: %s %d', (caps, rule, expected) => expect(findingsOf(withCaps(caps), rule)).toHaveLength(expected));
});

describe('topology spread', () => {
  const deploy = (podSpec: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n${podSpec}      containers:\n        - {name: app, image: app:1}\n`;
  it.each([
    ['missing', '', 'neither'],
    [
      'empty topologySpreadConstraints',
      '      topologySpreadConstraints: []\n',
      'empty topologySpreadConstraints',
    ],
    ['empty podAntiAffinity', '      affinity:\n        podAntiAffinity: {}\n', 'empty podAntiAffinity'],
    [
      'one spread constraint',
      '      topologySpreadConstraints:\n        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}\n',
      '',
    ],
    [
      'preferred anti-affinity',
      '      affinity:\n        podAntiAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n            - weight: 100\n              podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}}\n',
      '',
    ],
  ])('%s', (_, podSpec, message) => {
    const found = findingsOf(deploy(podSpec), 'avail-spread').map((f) => f.message);
    if (message === '') expect(found).toEqual([]);
    else expect(found).toEqual([expect.stringContaining(message)]);
  });
});

describe('seccomp by annotation and --kube-version', () => {
  const annotated = restrictedPod({
    podSc: '    runAsNonRoot: true\n',
    containerSc: '        allowPrivilegeEscalation: false\n',
    meta: '  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: runtime/default\n',
  });
  it.each([
    ['1.18', 0, 0],
    ['1.24', 0, 0],
    ['1.25', 1, 1],
    ['1.33', 1, 1],
  ])(
    'kube-version %s: sec-linux-hardening %d, sec-seccomp-annotation %d',
    (version, hardening, annotation) => {
      expect(findingsOf(annotated, 'sec-linux-hardening', version)).toHaveLength(hardening);
      expect(findingsOf(annotated, 'sec-seccomp-annotation', version)).toHaveLength(annotation);
    },
  );

  it.each([
    ['seccomp RuntimeDefault on the pod', { podSc: '    seccompProfile: {type: RuntimeDefault}\n' }, 0],
    ['seccomp Unconfined', { podSc: '    seccompProfile: {type: Unconfined}\n' }, 1],
    ['AppArmor on the container', { containerSc: '        appArmorProfile: {type: RuntimeDefault}\n' }, 0],
    ['SELinux options', { podSc: '    seLinuxOptions: {level: "s0:c123,c456"}\n' }, 0],
    ['empty SELinux options', { podSc: '    seLinuxOptions: {}\n' }, 1],
    ['dropped capabilities', { containerSc: '        capabilities: {drop: [NET_RAW]}\n' }, 0],
    ['nothing', {}, 1],
  ])('%s: sec-linux-hardening %d', (_, opts: { podSc?: string; containerSc?: string }, expected) => {
    const pod = restrictedPod({
      podSc: opts.podSc ?? '    runAsNonRoot: true\n',
      containerSc: opts.containerSc ?? '        allowPrivilegeEscalation: false\n',
    });
    expect(findingsOf(pod, 'sec-linux-hardening')).toHaveLength(expected);
  });
});

describe('ephemeral storage', () => {
  it.each([
    ['', 1, 1],
    ['        requests: {ephemeral-storage: 1Gi}\n', 0, 1],
    ['        requests: {ephemeral-storage: 1Gi}\n        limits: {ephemeral-storage: 2Gi}\n', 0, 0],
  ])('%j: request %d, limit %d', (resources, request, limit) => {
    const pod = restrictedPod({ container: resources ? `      resources:\n${resources}` : '' });
    expect(findingsOf(pod, 'res-ephemeral-storage')).toHaveLength(request);
    expect(findingsOf(pod, 'res-ephemeral-storage-limit')).toHaveLength(limit);
  });
});
