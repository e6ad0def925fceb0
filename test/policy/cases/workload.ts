import type { RuleCase } from '../rule-harness.js';
import { restrictedPod } from './pss.js';

const hardened =
  '        allowPrivilegeEscalation: false\n        readOnlyRootFilesystem: true\n        capabilities:\n          drop: [ALL]\n';

function deployment(
  opts: { replicas?: string; podSpec?: string; container?: string; labels?: string } = {},
): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
${opts.replicas ?? ''}  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
${opts.labels ?? '        app: web\n'}    spec:
${opts.podSpec ?? ''}      containers:
        - name: app
          image: app:1
${opts.container ?? ''}`;
}

const PDB = `---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app: web
`;

const HPA = `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 2
  maxReplicas: 5
`;

const SPREAD =
  '      topologySpreadConstraints:\n        - maxSkew: 1\n          topologyKey: kubernetes.io/hostname\n          whenUnsatisfiable: ScheduleAnyway\n          labelSelector:\n            matchLabels:\n              app: web\n';

export const WORKLOAD_CASES: RuleCase[] = [
  {
    rule: 'sec-read-only-root-fs',
    fail: restrictedPod().replace(
      '      securityContext:\n        allow',
      '      securityContext: # <-\n        allow',
    ),
    pass: restrictedPod({ containerSc: hardened }),
  },
  {
    rule: 'sec-low-uid',
    fail: restrictedPod({
      podSc: '    runAsNonRoot: true\n    runAsUser: 1000 # <-\n    seccompProfile: {type: RuntimeDefault}\n',
    }),
    pass: restrictedPod({
      podSc: '    runAsNonRoot: true\n    runAsUser: 10001\n    seccompProfile: {type: RuntimeDefault}\n',
    }),
  },
  {
    rule: 'sec-root-group',
    fail: restrictedPod({
      podSc: '    runAsNonRoot: true\n    fsGroup: 0 # <-\n    seccompProfile: {type: RuntimeDefault}\n',
    }),
    pass: restrictedPod({
      podSc: '    runAsNonRoot: true\n    fsGroup: 10001\n    seccompProfile: {type: RuntimeDefault}\n',
    }),
  },
  {
    rule: 'sec-automount-token',
    fail: restrictedPod().replace('\nspec:\n', '\nspec: # <-\n'),
    pass: restrictedPod({ spec: '  automountServiceAccountToken: false\n' }),
  },
  {
    rule: 'sec-sensitive-host-path',
    fail: restrictedPod({
      spec: '  volumes:\n    - name: docker\n      hostPath:\n        path: /var/run/docker.sock # <-\n',
    }),
    pass: restrictedPod({ spec: '  volumes:\n    - name: data\n      hostPath:\n        path: /srv/data\n' }),
  },
  {
    rule: 'sec-share-process-namespace',
    fail: restrictedPod({ spec: '  shareProcessNamespace: true # <-\n' }),
    pass: restrictedPod({ spec: '  shareProcessNamespace: false\n' }),
  },
  {
    rule: 'img-latest-tag',
    fail: restrictedPod().replace('image: app:1', 'image: nginx:latest # <-'),
    pass: restrictedPod().replace('image: app:1', 'image: nginx:1.27'),
  },
  {
    rule: 'img-pull-policy',
    fail: restrictedPod({ container: '      imagePullPolicy: IfNotPresent # <-\n' }).replace(
      'image: app:1',
      'image: nginx',
    ),
    pass: restrictedPod({ container: '      imagePullPolicy: Always\n' }).replace(
      'image: app:1',
      'image: nginx',
    ),
  },
  {
    rule: 'img-digest',
    fail: restrictedPod().replace('image: app:1', 'image: app:1 # <-'),
    pass: restrictedPod().replace('image: app:1', `image: app@sha256:${'a'.repeat(64)}`),
  },
  {
    rule: 'img-registry',
    allowedRegistries: ['ghcr.io/acme/', 'docker.io/library/'],
    fail: restrictedPod().replace('image: app:1', 'image: quay.io/someone/app:1 # <-'),
    pass:
      restrictedPod()
        .replace('image: app:1', 'image: ghcr.io/acme/app:1')
        .replace('    - name: app\n', '    - name: app\n') +
      '---\n' +
      restrictedPod().replace('name: p\n', 'name: q\n').replace('image: app:1', 'image: nginx:1.27'),
  },
  {
    rule: 'img-missing',
    fail: restrictedPod().replace('    - name: app\n      image: app:1\n', '    - name: app # <-\n'),
    pass: restrictedPod(),
  },
  {
    rule: 'res-cpu-request',
    fail: restrictedPod({ container: '      resources:\n        requests: # <-\n          memory: 64Mi\n' }),
    pass: restrictedPod({ container: '      resources:\n        requests:\n          cpu: 100m\n' }),
  },
  {
    rule: 'res-memory-request',
    fail: restrictedPod({ container: '      resources:\n        requests: # <-\n          cpu: 100m\n' }),
    pass: restrictedPod({ container: '      resources:\n        requests:\n          memory: 64Mi\n' }),
  },
  {
    rule: 'res-memory-limit',
    fail: restrictedPod({ container: '      resources:\n        limits: # <-\n          cpu: "1"\n' }),
    pass: restrictedPod({ container: '      resources:\n        limits:\n          memory: 64Mi\n' }),
  },
  {
    rule: 'res-cpu-limit',
    fail: restrictedPod({ container: '      resources:\n        limits: # <-\n          memory: 64Mi\n' }),
    pass: restrictedPod({ container: '      resources:\n        limits:\n          cpu: "1"\n' }),
  },
  {
    rule: 'res-ephemeral-storage',
    fail: restrictedPod({ container: '      resources: # <-\n        limits:\n          memory: 64Mi\n' }),
    pass: restrictedPod({
      container: '      resources:\n        requests:\n          ephemeral-storage: 1Gi\n',
    }),
  },
  {
    rule: 'res-request-above-limit',
    fail: restrictedPod({
      container:
        '      resources:\n        requests:\n          cpu: "2" # <-\n        limits:\n          cpu: 1500m\n',
    }),
    pass: restrictedPod({
      container:
        '      resources:\n        requests:\n          cpu: "1"\n        limits:\n          cpu: 1500m\n',
    }),
  },
  {
    rule: 'probe-readiness',
    fail: restrictedPod({ container: '      ports:\n        - containerPort: 8080\n' }).replace(
      '    - name: app\n',
      '    - name: app # <-\n',
    ),
    pass: restrictedPod({
      container:
        '      ports:\n        - containerPort: 8080\n      readinessProbe:\n        tcpSocket:\n          port: 8080\n',
    }),
  },
  {
    rule: 'probe-liveness',
    fail: restrictedPod().replace('    - name: app\n', '    - name: app # <-\n'),
    pass: restrictedPod({ container: '      livenessProbe:\n        exec:\n          command: [true]\n' }),
  },
  {
    rule: 'probe-identical',
    fail: restrictedPod({
      container:
        '      readinessProbe:\n        httpGet: {path: /health, port: 8080}\n      livenessProbe: # <-\n        httpGet: {path: /health, port: 8080}\n',
    }),
    pass: restrictedPod({
      container:
        '      readinessProbe:\n        httpGet: {path: /ready, port: 8080}\n      livenessProbe:\n        httpGet: {path: /health, port: 8080}\n',
    }),
  },
  {
    rule: 'probe-named-port',
    fail: restrictedPod({
      container:
        '      ports:\n        - name: http\n          containerPort: 8080\n      readinessProbe:\n        httpGet:\n          port: web # <-\n',
    }),
    pass: restrictedPod({
      container:
        '      ports:\n        - name: http\n          containerPort: 8080\n      readinessProbe:\n        httpGet:\n          port: http\n',
    }),
  },
  {
    rule: 'avail-pdb-missing',
    fail: deployment({ replicas: '  replicas: 3 # <-\n' }),
    pass: deployment({ replicas: '  replicas: 3\n' }) + PDB,
  },
  {
    rule: 'avail-pdb-blocks-eviction',
    fail:
      deployment({ replicas: '  replicas: 3\n' }) +
      PDB.replace('maxUnavailable: 1', 'maxUnavailable: 0 # <-'),
    pass: deployment({ replicas: '  replicas: 3\n' }) + PDB,
  },
  {
    rule: 'avail-spread',
    fail: deployment({ replicas: '  replicas: 2\n' }).replace(
      '    spec:\n      containers',
      '    spec: # <-\n      containers',
    ),
    pass: deployment({ replicas: '  replicas: 2\n', podSpec: SPREAD }),
  },
  {
    rule: 'avail-hpa-fixed-replicas',
    fail: deployment({ replicas: '  replicas: 2 # <-\n' }) + HPA,
    pass: deployment() + HPA,
  },
  {
    rule: 'avail-hpa-target-missing',
    fail: HPA.slice(4).replace('    name: web\n', '    name: webb # <-\n'),
    pass: deployment() + HPA,
  },
  {
    rule: 'workload-selector-mismatch',
    fail: deployment({ labels: '        app: website\n' }).replace('  selector:\n', '  selector: # <-\n'),
    pass: deployment(),
  },
];
