import type { RuleCase } from '../rule-harness.js';
import { restrictedPod } from './pss.js';

const labelled = (labels = '    app: web\n') =>
  restrictedPod({
    meta: `  labels:\n${labels}`,
    container: '      ports:\n        - name: http\n          containerPort: 8080\n',
  });

const service = (spec: string) => `---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
${spec}`;

const ingress = (spec: string) => `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
${spec}`;

const role = (rules: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: r
rules:
${rules}`;

const WEB_SVC = service(
  '  selector:\n    app: web\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n',
);

export const OBJECT_CASES: RuleCase[] = [
  {
    rule: 'net-no-network-policy',
    fail: labelled().replace('  labels:\n', '  labels: # <-\n'),
    pass: `${labelled()}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n`,
  },
  {
    rule: 'net-service-no-pods',
    fail: labelled() + service('  selector: # <-\n    app: api\n  ports:\n    - port: 80\n'),
    pass: labelled() + WEB_SVC,
  },
  {
    rule: 'net-target-port-name',
    fail:
      labelled() +
      service('  selector:\n    app: web\n  ports:\n    - port: 80\n      targetPort: web # <-\n'),
    pass: labelled() + WEB_SVC,
  },
  {
    rule: 'net-target-port-undeclared',
    fail:
      labelled() +
      service('  selector:\n    app: web\n  ports:\n    - port: 80\n      targetPort: 9090 # <-\n'),
    pass:
      labelled() + service('  selector:\n    app: web\n  ports:\n    - port: 80\n      targetPort: 8080\n'),
  },
  {
    rule: 'net-ingress-backend',
    fail:
      labelled() +
      WEB_SVC +
      ingress(
        '  tls:\n    - hosts: [a.example.com]\n  rules:\n    - host: a.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: api # <-\n                port:\n                  number: 80\n',
      ),
    pass:
      labelled() +
      WEB_SVC +
      ingress(
        '  tls:\n    - hosts: [a.example.com]\n  rules:\n    - host: a.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: web\n                port:\n                  number: 80\n',
      ),
  },
  {
    rule: 'net-httproute-backend',
    fail: `${WEB_SVC.slice(4)}---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\nspec:\n  rules:\n    - backendRefs:\n        - name: web\n          port: 8081 # <-\n`
      .replace('          port: 8081 # <-\n', '          port: 8081\n')
      .replace('        - name: web\n', '        - name: web # <-\n'),
    pass: `${WEB_SVC.slice(4)}---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\nspec:\n  rules:\n    - backendRefs:\n        - name: web\n          port: 80\n`,
  },
  {
    rule: 'net-ingress-tls',
    fail: ingress('  defaultBackend:\n    service: {name: web, port: {number: 80}}\n')
      .slice(4)
      .replace('\nspec:\n', '\nspec: # <-\n'),
    pass: ingress('  tls:\n    - hosts: [a.example.com]\n  rules:\n    - host: a.example.com\n').slice(4),
  },
  {
    rule: 'net-node-port',
    fail: service('  type: NodePort # <-\n  ports:\n    - port: 80\n').slice(4),
    pass: service('  type: ClusterIP\n  ports:\n    - port: 80\n').slice(4),
  },
  {
    rule: 'rbac-wildcard',
    fail: role('  - apiGroups: [""]\n    resources: [configmaps]\n    verbs:\n      - "*" # <-\n'),
    pass: role('  - apiGroups: [""]\n    resources: [configmaps]\n    verbs: [get]\n'),
  },
  {
    rule: 'rbac-cluster-admin',
    fail: 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: b\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin # <-\nsubjects:\n  - kind: ServiceAccount\n    name: ci\n    namespace: ci\n',
    pass: 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: b\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n  - kind: ServiceAccount\n    name: ci\n    namespace: ci\n',
  },
  {
    rule: 'rbac-secret-read',
    fail: role('  - apiGroups: [""]\n    resources:\n      - secrets # <-\n    verbs: [list]\n'),
    pass: role('  - apiGroups: [""]\n    resources: [secrets]\n    verbs: [create]\n'),
  },
  {
    rule: 'rbac-escalation',
    fail: role(
      '  - apiGroups: [rbac.authorization.k8s.io]\n    resources: [roles]\n    verbs:\n      - escalate # <-\n',
    ),
    pass: role('  - apiGroups: [rbac.authorization.k8s.io]\n    resources: [roles]\n    verbs: [get]\n'),
  },
  {
    rule: 'rbac-pod-exec',
    fail: role('  - apiGroups: [""]\n    resources:\n      - pods/exec # <-\n    verbs: [create]\n'),
    pass: role('  - apiGroups: [""]\n    resources: [pods/log]\n    verbs: [get]\n'),
  },
  {
    rule: 'secret-env-literal',
    fail: restrictedPod({
      container: '      env:\n        - name: DB_PASSWORD\n          value: s3cr3t-v4lue # <-\n',
    }),
    pass: restrictedPod({
      container:
        '      env:\n        - name: DB_PASSWORD_FILE\n          value: /run/secrets/db\n        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef: {name: db, key: password}\n',
    }),
  },
  {
    rule: 'secret-in-configmap',
    fail: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  aws_key: AKIAIOSFODNN7EXAMPLE # <-\n',
    pass: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  LOG_LEVEL: info\n  api_key_header: X-Api-Key\n',
  },
  {
    rule: 'api-removed',
    fail: 'apiVersion: extensions/v1beta1 # <-\nkind: Ingress\nmetadata:\n  name: i\n',
    pass: 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\n',
  },
  {
    rule: 'api-deprecated',
    fail: 'apiVersion: v1 # <-\nkind: Endpoints\nmetadata:\n  name: e\n',
    pass: 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: e\naddressType: IPv4\nendpoints: []\n',
  },
  {
    rule: 'duplicate-object',
    fail: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c # <-\n',
    pass: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: other\n',
  },
  {
    rule: 'ignore-without-reason',
    fail: restrictedPod({ meta: '  annotations:\n    slipway.dev/ignore: img-latest-tag # <-\n' }),
    pass: restrictedPod({
      meta: '  annotations:\n    slipway.dev/ignore: img-latest-tag\n    slipway.dev/ignore-reason: pinned by the platform mirror\n',
    }),
  },
  {
    rule: 'ignore-unknown-rule',
    fail: restrictedPod({
      meta: '  annotations:\n    slipway.dev/ignore: img-latest-tags # <-\n    slipway.dev/ignore-reason: typo\n',
    }),
    pass: restrictedPod({
      meta: '  annotations:\n    slipway.dev/ignore: img-latest-tag\n    slipway.dev/ignore-reason: pinned by the platform mirror\n',
    }),
  },
];

const statefulSet = (serviceName: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: ${serviceName}
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
        - {name: db, image: postgres:16}
`;

const binding = (sa: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: b
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: reader
subjects:
  - kind: ServiceAccount
    name: ${sa}
`;

export const HYGIENE_CASES: RuleCase[] = [
  { rule: 'rbac-default-service-account', fail: binding('default # <-'), pass: binding('reports') },
  {
    rule: 'env-duplicate',
    fail: restrictedPod({
      container:
        '      env:\n        - name: MODE\n          value: a\n        - name: MODE # <-\n          value: b\n',
    }),
    pass: restrictedPod({
      container:
        '      env:\n        - name: MODE\n          value: a\n        - name: LEVEL\n          value: b\n',
    }),
  },
  {
    rule: 'net-policy-selects-nothing',
    fail: `${labelled()}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n  podSelector: # <-\n    matchLabels: {app: wbe}\n`,
    pass: `${labelled()}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n  podSelector:\n    matchLabels: {app: web}\n`,
  },
  {
    rule: 'sec-writable-host-path',
    fail: restrictedPod({
      spec: '  volumes:\n    - name: logs\n      hostPath: {path: /var/log}\n',
      container: '      volumeMounts:\n        - name: logs # <-\n          mountPath: /logs\n',
    }),
    pass: restrictedPod({
      spec: '  volumes:\n    - name: logs\n      hostPath: {path: /var/log}\n',
      container:
        '      volumeMounts:\n        - name: logs\n          mountPath: /logs\n          readOnly: true\n',
    }),
  },
  {
    rule: 'rbac-create-workloads',
    fail: role(
      '  - apiGroups: [apps]\n    resources:\n      - deployments # <-\n    verbs: [create, update]\n',
    ),
    pass: role('  - apiGroups: [apps]\n    resources: [deployments]\n    verbs: [get, list]\n'),
  },
  {
    rule: 'avail-statefulset-service',
    fail: statefulSet('db-headless').replace('  serviceName: db-headless', '  serviceName: db-headless # <-'),
    pass: `${statefulSet('db-headless')}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: db-headless\nspec:\n  clusterIP: None\n  selector: {app: db}\n  ports: [{port: 5432}]\n`,
  },
  {
    rule: 'cronjob-deadline',
    fail: 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec: # <-\n  schedule: "0 * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: a, image: a:1}]\n',
    pass: 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  schedule: "0 * * * *"\n  startingDeadlineSeconds: 300\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: a, image: a:1}]\n',
  },
  {
    rule: 'metadata-labels',
    fail: restrictedPod({ meta: '  labels:\n    version: 1.2+build # <-\n' }),
    pass: restrictedPod({ meta: '  labels:\n    version: 1.2-build\n    app.kubernetes.io/name: web\n' }),
  },
];
