/**
 * A deterministic corpus for bench/check.ts: `units` small applications, each 12 objects of different
 * kinds (Deployment, StatefulSet, CronJob, Service, Ingress, ConfigMap, ServiceAccount, Role,
 * RoleBinding, PodDisruptionBudget, HorizontalPodAutoscaler, NetworkPolicy), with a mix of hardened
 * and careless settings so every rule family has work to do.
 */
export function corpusFiles(units: number): Array<{ name: string; text: string }> {
  const files: Array<{ name: string; text: string }> = [];
  for (let u = 0; u < units; u++)
    files.push({ name: `app-${String(u).padStart(5, '0')}.yaml`, text: unit(u) });
  return files;
}

export const OBJECTS_PER_UNIT = 12;

function unit(u: number): string {
  const ns = `team-${u % 50}`;
  const app = `app${u}`;
  const careless = u % 3 === 0;
  const image = careless ? `nginx:latest` : `ghcr.io/acme/${app}:1.${u % 10}.0`;
  const sc = careless
    ? '            privileged: true\n'
    : '            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities: {drop: [ALL]}\n';
  const probes = careless
    ? ''
    : `          readinessProbe: {httpGet: {path: /ready, port: http}}\n          livenessProbe: {httpGet: {path: /live, port: http}}\n`;
  const env = careless
    ? '          env:\n            - {name: DB_PASSWORD, value: hunter2-secret}\n'
    : '          env:\n            - {name: LOG_LEVEL, value: info}\n';
  const pod = (name: string, indent: string) =>
    `${indent}metadata:\n${indent}  labels: {app: ${app}, component: ${name}}\n${indent}spec:\n${indent}  securityContext: {runAsNonRoot: true, runAsUser: 10001, seccompProfile: {type: RuntimeDefault}}\n${indent}  containers:\n${indent}    - name: ${name}\n${indent}      image: ${image}\n${indent}      ports: [{name: http, containerPort: 8080}]\n${probes.replace(/^ {10}/gm, `${indent}      `)}${env.replace(/^ {10}/gm, `${indent}      `)}${indent}      resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}\n${indent}      securityContext:\n${sc.replace(/^ {12}/gm, `${indent}        `)}`;
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${app}, namespace: ${ns}}
spec:
  replicas: ${careless ? 3 : 2}
  selector: {matchLabels: {app: ${app}, component: web}}
  template:
${pod('web', '    ')}---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ${app}-db, namespace: ${ns}}
spec:
  serviceName: ${app}-db
  replicas: 1
  selector: {matchLabels: {app: ${app}, component: db}}
  template:
${pod('db', '    ')}---
apiVersion: batch/v1
kind: CronJob
metadata: {name: ${app}-report, namespace: ${ns}}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
${pod('report', '        ').replace('        spec:\n', '        spec:\n          restartPolicy: Never\n')}---
apiVersion: v1
kind: Service
metadata: {name: ${app}, namespace: ${ns}}
spec:
  selector: {app: ${app}, component: web}
  ports: [{name: http, port: 80, targetPort: ${careless ? 'web' : 'http'}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${app}, namespace: ${ns}}
spec:
${careless ? '' : `  tls: [{hosts: [${app}.example.com], secretName: ${app}-tls}]\n`}  rules:
    - host: ${app}.example.com
      http:
        paths: [{path: /, pathType: Prefix, backend: {service: {name: ${careless ? `${app}-missing` : app}, port: {number: 80}}}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ${app}-config, namespace: ${ns}}
data:
  LOG_LEVEL: info
  ${careless ? 'api_token: ghp_0123456789abcdefghijklmnopqrstuvwxyzAB' : 'FEATURE_FLAGS: "a,b,c"'}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ${app}, namespace: ${ns}}
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ${app}, namespace: ${ns}}
rules:
  - apiGroups: [""]
    resources: [${careless ? 'secrets' : 'configmaps'}]
    verbs: [${careless ? '"*"' : 'get'}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${app}, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ${careless && u % 2 === 0 ? 'ClusterRole' : 'Role'}, name: ${careless && u % 2 === 0 ? 'cluster-admin' : app}}
subjects: [{kind: ServiceAccount, name: ${app}, namespace: ${ns}}]
---
apiVersion: ${u % 7 === 0 ? 'policy/v1beta1' : 'policy/v1'}
kind: PodDisruptionBudget
metadata: {name: ${app}, namespace: ${ns}}
spec:
  ${careless ? 'maxUnavailable: 0' : 'maxUnavailable: 1'}
  selector: {matchLabels: {app: ${app}, component: web}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ${app}, namespace: ${ns}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ${app}}
  minReplicas: 2
  maxReplicas: 10
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${app}, namespace: ${ns}}
spec:
  podSelector: {matchLabels: {app: ${app}}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: ${app}}}}]}]
`;
}
