import { describe, expect, it } from 'vitest';
import { indexOf } from '../../src/policy/index-set.js';
import { parseManifests } from '../../src/policy/load/parse.js';
import { findingsOf } from './rule-harness.js';
import { restrictedPod } from './cases/pss.js';

const pod = (ns: string, labels: string) =>
  restrictedPod({ meta: `  namespace: ${ns}\n  labels:\n${labels}` });
const policy = (ns: string, selector: string) =>
  `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\n  namespace: ${ns}\nspec:\n  podSelector: ${selector}\n  policyTypes: [Ingress, Egress]\n`;

describe('cross-object rules see the whole input set', () => {
  it('an empty podSelector {} covers every pod of its namespace, and only that namespace', () => {
    const input = pod('a', '    app: web\n') + policy('a', '{}');
    expect(findingsOf(input, 'net-no-network-policy')).toEqual([]);
    expect(findingsOf(pod('b', '    app: web\n') + policy('a', '{}'), 'net-no-network-policy')).toHaveLength(
      1,
    );
  });

  it('matchExpressions select by label; a non-matching policy does not cover the pod', () => {
    const input =
      pod('a', '    tier: db\n') +
      policy('a', '{matchExpressions: [{key: tier, operator: In, values: [db, cache]}]}');
    expect(findingsOf(input, 'net-no-network-policy')).toEqual([]);
    const other = pod('a', '    tier: web\n') + policy('a', '{matchLabels: {tier: db}}');
    expect(findingsOf(other, 'net-no-network-policy')).toHaveLength(1);
  });

  it('policies sharing their matchLabels are told apart by an In requirement, each selecting once', () => {
    // Nine policies in the namespace: the index files them by label (see candidatesFor). All share
    // matchLabels {part: shop}; policy i selects names s<i> (listed twice) and s<i+1>.
    const n = 9;
    const objects = Array.from({ length: n }, (_, i) =>
      [
        `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\n  namespace: a\n  labels: {part: shop, name: s${i}}\nspec:\n  containers: [{name: app, image: app:1}]\n`,
        `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np${i}\n  namespace: a\nspec:\n  podSelector:\n    matchLabels: {part: shop}\n    matchExpressions: [{key: name, operator: In, values: [s${i}, s${i}, s${(i + 1) % n}]}]\n`,
      ].join('---\n'),
    );
    const { manifests } = parseManifests(objects.join('---\n'), 'case.yaml');
    const index = indexOf(manifests);
    for (const w of index.workloads) {
      const i = Number(w.manifest.ref.name.slice(1));
      const expected = [`np${(i + n - 1) % n}`, `np${i}`].sort(
        (a, b) => Number(a.slice(2)) - Number(b.slice(2)),
      );
      expect(index.networkPoliciesSelecting(w).map((p) => p.ref.name)).toEqual(expected);
    }
  });

  it('a ServiceAccount with automountServiceAccountToken: false covers its pods', () => {
    const input =
      restrictedPod({ spec: '  serviceAccountName: runner\n' }) +
      '---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: runner\nautomountServiceAccountToken: false\n';
    expect(findingsOf(input, 'sec-automount-token')).toEqual([]);
  });

  it('an HPA minReplicas above 1 requires a PDB and spreading, even without spec.replicas', () => {
    const deploy =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - {name: app, image: app:1}\n';
    const hpa =
      '---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 3\n  maxReplicas: 6\n';
    expect(findingsOf(deploy + hpa, 'avail-pdb-missing')[0]?.message).toContain('3 replicas');
    expect(findingsOf(deploy + hpa, 'avail-spread')).toHaveLength(1);
    expect(findingsOf(deploy, 'avail-pdb-missing')).toEqual([]);
    const pdb = (min: number) =>
      `---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  minAvailable: ${min}\n  selector:\n    matchLabels: {app: web}\n`;
    expect(findingsOf(deploy + hpa + pdb(3), 'avail-pdb-blocks-eviction')).toHaveLength(1);
    expect(findingsOf(deploy + hpa + pdb(2), 'avail-pdb-blocks-eviction')).toEqual([]);
  });

  it('a Service matches pods only in its own namespace', () => {
    const svc =
      '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: b\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n';
    expect(findingsOf(pod('a', '    app: web\n') + svc, 'net-service-no-pods')).toHaveLength(1);
    expect(findingsOf(pod('b', '    app: web\n') + svc, 'net-service-no-pods')).toEqual([]);
  });

  it('readiness is required for a container behind a Service even without declared ports', () => {
    const svc =
      '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n';
    const p = restrictedPod({ meta: '  labels:\n    app: web\n' });
    expect(findingsOf(p, 'probe-readiness')).toEqual([]);
    expect(findingsOf(p + svc, 'probe-readiness')[0]?.message).toContain('behind a Service');
  });

  it('CronJob and Argo Rollout pod templates are checked where they live', () => {
    const cron =
      'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  schedule: "* * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers:\n            - name: job\n              image: x:1\n              securityContext:\n                privileged: true\n';
    expect(findingsOf(cron, 'pss-privileged').map((f) => `${f.line}:${f.column}`)).toEqual(['16:17']);
    expect(findingsOf(cron, 'probe-liveness')).toEqual([]);
    const rollout =
      'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: r\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: r}}\n  template:\n    metadata:\n      labels: {app: r}\n    spec:\n      hostPID: true\n      containers:\n        - {name: app, image: x:1}\n';
    expect(findingsOf(rollout, 'pss-host-namespaces').map((f) => `${f.line}:${f.column}`)).toEqual(['12:7']);
  });
});

describe('probe-identical tolerates the recommended pattern', () => {
  it('accepts the same check when liveness is more patient than readiness', () => {
    const probes = (live: string) =>
      restrictedPod({
        container: `      readinessProbe:\n        tcpSocket: {port: 6379}\n        periodSeconds: 5\n      livenessProbe:\n        tcpSocket: {port: 6379}\n${live}`,
      });
    expect(findingsOf(probes('        periodSeconds: 10\n'), 'probe-identical')).toEqual([]);
    expect(findingsOf(probes('        periodSeconds: 5\n'), 'probe-identical')).toHaveLength(1);
  });
});

describe('probe-readiness and sidecars', () => {
  it('asks the serving container for a readiness probe, not a port-less sidecar', () => {
    const pod = restrictedPod({
      meta: '  labels:\n    app: web\n',
      container: '      ports: [{containerPort: 8080}]\n      readinessProbe: {tcpSocket: {port: 8080}}\n',
    }).replace(
      '  containers:\n',
      '  containers:\n    - name: logs\n      image: fluent-bit:3\n      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n',
    );
    const svc =
      '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n';
    expect(findingsOf(pod + svc, 'probe-readiness')).toEqual([]);
  });
});

describe('operators', () => {
  it('does not claim a Service selects nothing when a custom resource in its namespace may create the pods', () => {
    const svc =
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  selector: {cnpg.io/cluster: db}\n  ports: [{port: 5432}]\n';
    const cluster =
      '---\napiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: db\nspec:\n  instances: 3\n';
    expect(findingsOf(svc, 'net-service-no-pods')).toHaveLength(1);
    expect(findingsOf(svc + cluster, 'net-service-no-pods')).toEqual([]);
  });
});

describe('other network policy engines', () => {
  it('treats Cilium and AdminNetworkPolicy objects as possible coverage', () => {
    const p = restrictedPod({ meta: '  labels:\n    app: web\n' });
    expect(findingsOf(p, 'net-no-network-policy')).toHaveLength(1);
    expect(
      findingsOf(
        `${p}---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: c\nspec:\n  endpointSelector: {}\n`,
        'net-no-network-policy',
      ),
    ).toEqual([]);
    expect(
      findingsOf(
        `${p}---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: a\nspec:\n  priority: 10\n`,
        'net-no-network-policy',
      ),
    ).toEqual([]);
  });
});
