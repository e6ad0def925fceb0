import type { RuleCase } from '../rule-harness.js';
import { restrictedPod } from './pss.js';

/** Cases for the concepts kube-score and Polaris check (issue 26); see docs/rules/peers.md. */

const deployment = (
  opts: { replicas?: string; spec?: string; podSpec?: string; meta?: string; labels?: string } = {},
) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
${opts.meta ?? ''}spec:
${opts.replicas ?? '  replicas: 2\n'}${opts.spec ?? ''}  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
${opts.labels ?? '        app: web\n'}    spec:
${opts.podSpec ?? ''}      containers:
        - name: app
          image: app:1
`;

const service = `---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
`;

const hpa = (spec: string) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
${spec}`;

const binding = (roleRef: string, kind = 'RoleBinding') => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata:
  name: b
roleRef:
  apiGroup: rbac.authorization.k8s.io
${roleRef}subjects:
  - kind: ServiceAccount
    name: app
`;

const clusterRole = (rules: string, name = 'r') => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${name}
rules:
${rules}`;

const job = (podSpec: string) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
${podSpec}          containers:
            - name: run
              image: app:1
`;

const pdb = (budget: string) => `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec: # <-
${budget}  selector:
    matchLabels:
      app: web
`;

export const PEER_CASES: RuleCase[] = [
  {
    rule: 'avail-pdb-no-budget',
    fail: pdb(''),
    pass: pdb('  maxUnavailable: 1\n').replace(' # <-', ''),
  },
  {
    rule: 'rbac-binding-pod-exec',
    fail:
      clusterRole('  - apiGroups: ["*"]\n    resources: ["*"]\n    verbs: [create]\n') +
      binding('  kind: ClusterRole\n  name: r # <-\n'),
    pass:
      clusterRole('  - apiGroups: [""]\n    resources: [pods, pods/log]\n    verbs: [get, create]\n') +
      binding('  kind: ClusterRole\n  name: r\n'),
  },
  {
    rule: 'rbac-role-missing',
    fail: binding('  kind: Role\n  name: deployer # <-\n'),
    pass: binding('  kind: ClusterRole\n  name: view\n'),
  },
  {
    rule: 'avail-min-replicas',
    fail: deployment({ replicas: '  replicas: 1 # <-\n' }),
    pass: deployment({ replicas: '  replicas: 2\n' }),
  },
  {
    rule: 'avail-deployment-strategy',
    fail: deployment({ spec: '  strategy:\n    type: Recreate # <-\n' }) + service,
    pass: deployment({ spec: '  strategy:\n    type: RollingUpdate\n' }) + service,
  },
  {
    rule: 'avail-hpa-min-replicas',
    fail: hpa('  minReplicas: 1 # <-\n  maxReplicas: 4\n'),
    pass: hpa('  minReplicas: 2\n  maxReplicas: 4\n'),
  },
  {
    rule: 'avail-hpa-max-replicas',
    fail: hpa('  minReplicas: 3\n  maxReplicas: 3 # <-\n'),
    pass: hpa('  minReplicas: 3\n  maxReplicas: 6\n'),
  },
  {
    rule: 'container-ports',
    fail: restrictedPod({
      container: '      ports:\n        - name: http-metrics-port # <-\n          containerPort: 9090\n',
    }),
    pass: restrictedPod({
      container: '      ports:\n        - name: metrics\n          containerPort: 9090\n',
    }),
  },
  {
    rule: 'workload-naked-pod',
    fail: restrictedPod().replace('metadata:\n', 'metadata: # <-\n'),
    pass: restrictedPod({
      meta: '  ownerReferences:\n    - apiVersion: apps/v1\n      kind: ReplicaSet\n      name: web-1\n      uid: 1\n      controller: true\n',
    }),
  },
  {
    rule: 'workload-multiple-controllers',
    // A canary whose selector is a superset still has its pods claimed by the main Deployment.
    fail:
      deployment() +
      '---\n' +
      deployment({ labels: '        app: web\n        track: canary\n' })
        .replace('    metadata:\n      labels:\n', '    metadata:\n      labels: # <-\n')
        .replace('name: web\n', 'name: web-canary\n')
        .replace('      app: web\n  template', '      app: web\n      track: canary\n  template'),
    pass:
      deployment() +
      '---\n' +
      deployment({ labels: '        app: api\n' })
        .replace('name: web\n', 'name: api\n')
        .replace('      app: web\n  template', '      app: api\n  template'),
  },
  {
    rule: 'sec-linux-hardening',
    fail: restrictedPod({
      podSc: '    runAsNonRoot: true\n',
      containerSc: '        allowPrivilegeEscalation: false\n',
    }).replace(
      '      securityContext:\n        allowPrivilegeEscalation',
      '      securityContext: # <-\n        allowPrivilegeEscalation',
    ),
    pass: restrictedPod(),
  },
  {
    rule: 'sec-seccomp-annotation',
    fail: restrictedPod({
      podSc: '    runAsNonRoot: true\n',
      meta: '  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: runtime/default # <-\n',
    }),
    pass: restrictedPod({
      meta: '  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: runtime/default\n',
    }),
  },
  {
    rule: 'sched-priority-class',
    fail: restrictedPod().replace('\nspec:\n', '\nspec: # <-\n'),
    pass: restrictedPod({ spec: '  priorityClassName: high\n' }),
  },
  {
    rule: 'job-restart-policy',
    fail: job('          restartPolicy: Always # <-\n'),
    pass: job('          restartPolicy: OnFailure\n'),
  },
  {
    rule: 'metadata-app-labels',
    fail: deployment({
      meta: '  labels:\n    app.kubernetes.io/instance: shop\n',
      labels: '        app: web\n        app.kubernetes.io/instance: shop-canary # <-\n',
    }),
    pass: deployment({
      meta: '  labels:\n    app.kubernetes.io/instance: shop\n',
      labels:
        '        app: web\n        app.kubernetes.io/instance: shop\n        app.kubernetes.io/name: web\n',
    }),
  },
  {
    rule: 'res-ephemeral-storage-limit',
    fail: restrictedPod({
      container: '      resources: # <-\n        requests:\n          ephemeral-storage: 1Gi\n',
    }),
    pass: restrictedPod({
      container: '      resources:\n        limits:\n          ephemeral-storage: 1Gi\n',
    }),
  },
  {
    rule: 'res-requests-equal-limits',
    fail: restrictedPod({
      container:
        '      resources:\n        requests:\n          memory: 128Mi # <-\n        limits:\n          memory: 256Mi\n',
    }),
    pass: restrictedPod({
      container:
        '      resources:\n        requests:\n          memory: 256Mi\n        limits:\n          memory: 256Mi\n',
    }),
  },
  {
    rule: 'res-range',
    fail: restrictedPod({ container: '      resources:\n        limits:\n          memory: 512 # <-\n' }),
    pass: restrictedPod({ container: '      resources:\n        limits:\n          memory: 512Mi\n' }),
  },
  {
    rule: 'img-pull-always',
    fail: restrictedPod().replace(
      '      image: app:1\n',
      '      image: app:1\n      imagePullPolicy: IfNotPresent # <-\n',
    ),
    pass: restrictedPod().replace(
      '      image: app:1\n',
      '      image: app:1\n      imagePullPolicy: Always\n',
    ),
  },
];
