import { describe, expect, it } from 'vitest';
import { restrictedPod } from './cases/pss.js';
import { findingsOf } from './rule-harness.js';

/** The concepts kube-score and Polaris check that Slipway had no rule for (docs/rules/peers.md). */
const ports = (list: string) => restrictedPod({ container: `      ports:\n${list}` });
const deploy = (spec: string, podSpec = '', meta = '', podLabels = '{app: web}') =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n${meta}spec:\n${spec}  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: ${podLabels}\n    spec:\n${podSpec}      containers:\n        - {name: app, image: app:1}\n`;
const SVC =
  '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n';
const resources = (r: string) => restrictedPod({ container: `      resources:\n${r}` });

describe('peer concepts', () => {
  it.each([
    [
      'container-ports',
      ports('        - {name: http, containerPort: 80}\n        - {name: metrics, containerPort: 9090}\n'),
      0,
    ],
    [
      'container-ports',
      ports('        - {name: http, containerPort: 80}\n        - {name: http, containerPort: 81}\n'),
      1,
    ],
    [
      'container-ports',
      ports(
        '        - {name: dns, containerPort: 53}\n        - {name: dns-udp, containerPort: 53, protocol: UDP}\n',
      ),
      0,
    ],
    [
      'container-ports',
      ports(
        '        - {name: a, containerPort: 80}\n        - {name: b, containerPort: 80, protocol: TCP}\n',
      ),
      1,
    ],
    ['container-ports', ports('        - {name: HTTP, containerPort: 80}\n'), 1],
    ['container-ports', ports('        - {name: "8080", containerPort: 8080}\n'), 1],
    ['container-ports', ports('        - {name: web--api, containerPort: 8080}\n'), 1],
    ['avail-min-replicas', deploy(''), 1],
    ['avail-min-replicas', deploy('  replicas: 3\n'), 0],
    ['avail-deployment-strategy', deploy('  replicas: 3\n  strategy: {type: Recreate}\n'), 0],
    ['avail-deployment-strategy', deploy('  replicas: 3\n  strategy: {type: Recreate}\n') + SVC, 1],
    [
      'avail-deployment-strategy',
      deploy('  replicas: 3\n  strategy: {rollingUpdate: {maxUnavailable: "100%"}}\n') + SVC,
      1,
    ],
    [
      'avail-deployment-strategy',
      deploy('  replicas: 3\n  strategy: {rollingUpdate: {maxUnavailable: 3}}\n') + SVC,
      1,
    ],
    [
      'avail-deployment-strategy',
      deploy('  replicas: 3\n  strategy: {rollingUpdate: {maxUnavailable: 1}}\n') + SVC,
      0,
    ],
    [
      'job-restart-policy',
      'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: a:1}]\n',
      1,
    ],
    [
      'job-restart-policy',
      'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: a, image: a:1}]\n',
      0,
    ],
    ['metadata-app-labels', deploy('  replicas: 2\n', '', '', '{app: web, app.kubernetes.io/name: api}'), 1],
    [
      'metadata-app-labels',
      deploy('  replicas: 2\n', '', '', '{app: web, app.kubernetes.io/instance: web}'),
      0,
    ],
    [
      'metadata-app-labels',
      deploy(
        '  replicas: 2\n',
        '',
        '  labels: {app.kubernetes.io/part-of: shop}\n',
        '{app: web, app.kubernetes.io/part-of: store}',
      ),
      1,
    ],
    [
      'res-requests-equal-limits',
      resources('        requests: {cpu: 500m, memory: 1Gi}\n        limits: {cpu: "0.5", memory: 1Gi}\n'),
      0,
    ],
    [
      'res-requests-equal-limits',
      resources('        requests: {cpu: 250m}\n        limits: {cpu: 500m}\n'),
      1,
    ],
    ['res-requests-equal-limits', resources('        requests: {cpu: 250m}\n'), 1],
    ['res-requests-equal-limits', resources('        limits: {memory: 1Gi}\n'), 0],
    ['res-range', resources('        requests: {cpu: 500}\n'), 1],
    ['res-range', resources('        requests: {cpu: 500m, memory: 128Mi, ephemeral-storage: 1Gi}\n'), 0],
    ['res-range', resources('        limits: {memory: 1e3}\n'), 1],
    ['img-pull-always', restrictedPod(), 1],
    ['workload-naked-pod', restrictedPod(), 1],
    ['workload-naked-pod', restrictedPod({ meta: '  annotations:\n    helm.sh/hook: test\n' }), 0],
    ['sched-priority-class', restrictedPod({ spec: '  priorityClassName: ""\n' }), 1],
  ])('%s #%#', (rule, yaml, expected) => expect(findingsOf(yaml, rule)).toHaveLength(expected));

  it.each([
    [1, undefined, 1, 0],
    [2, 2, 0, 1],
    [3, 10, 0, 0],
  ])('HPA minReplicas %s maxReplicas %s: min %d, max %d', (min, max, minFindings, maxFindings) => {
    const hpa = `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: ${min}\n${max === undefined ? '' : `  maxReplicas: ${max}\n`}`;
    expect(findingsOf(hpa, 'avail-hpa-min-replicas')).toHaveLength(minFindings);
    expect(findingsOf(hpa, 'avail-hpa-max-replicas')).toHaveLength(maxFindings);
  });

  it('an HPA lifts the replica minimum; a ReplicaSet owned by a Deployment is not a second controller', () => {
    const hpa =
      '---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 2\n  maxReplicas: 4\n';
    expect(findingsOf(deploy('') + hpa, 'avail-min-replicas')).toEqual([]);
    const rs = deploy('  replicas: 2\n')
      .replace('kind: Deployment', 'kind: ReplicaSet')
      .replace(
        '  name: web\n',
        '  name: web-5d8f\n  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: "1", controller: true}]\n',
      );
    expect(findingsOf(`${deploy('  replicas: 2\n')}---\n${rs}`, 'workload-multiple-controllers')).toEqual([]);
    const twoOwners = restrictedPod({
      meta: '  ownerReferences:\n    - {apiVersion: apps/v1, kind: ReplicaSet, name: a, uid: "1", controller: true}\n    - {apiVersion: apps/v1, kind: ReplicaSet, name: b, uid: "2", controller: true}\n',
    });
    expect(findingsOf(twoOwners, 'workload-multiple-controllers')).toHaveLength(1);
  });
});
