import { describe, expect, it } from 'vitest';
import { matchesLabelSelector, pdbSelects } from '../../src/policy/selectors.js';
import { restrictedPod } from './cases/pss.js';
import { findingsOf } from './rule-harness.js';

/** Label selectors as k8s.io/apimachinery LabelSelectorAsSelector evaluates them. */
describe('matchesLabelSelector', () => {
  const labels = { app: 'web', tier: 'front', track: 'stable' };
  it.each([
    [{}, true],
    [{ matchLabels: { app: 'web' } }, true],
    [{ matchLabels: { app: 'api' } }, false],
    [{ matchLabels: { app: 'web', zone: 'a' } }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, false],
    [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['back'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, false],
    [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    [{ matchExpressions: [{ key: 'track', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
    [{ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    [{ matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] }, false],
    [
      {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['front'] },
          { key: 'track', operator: 'NotIn', values: ['canary'] },
        ],
      },
      true,
    ],
    [
      {
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'track', operator: 'In', values: ['canary'] }],
      },
      false,
    ],
    [undefined, false],
    [null, false],
  ])('%j → %s', (selector, expected) => expect(matchesLabelSelector(selector, labels)).toBe(expected));
});

describe('pdbSelects', () => {
  it.each([
    ['policy/v1', {}, true],
    ['policy/v1beta1', {}, false],
    ['policy/v1', undefined, false],
    ['policy/v1beta1', { matchLabels: { app: 'web' } }, true],
    ['policy/v1', { matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] }, false],
  ])('%s %j → %s', (apiVersion, selector, expected) =>
    expect(pdbSelects({ apiVersion, selector }, { app: 'web' })).toBe(expected),
  );
});

const deployment = (ns = 'shop', replicas = 3) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: ${ns}\nspec:\n  replicas: ${replicas}\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web, tier: front}\n    spec:\n      containers:\n        - {name: app, image: app:1}\n`;
const pdb = (selector: string, ns = 'shop', budget = 'maxUnavailable: 1', apiVersion = 'policy/v1') =>
  `---\napiVersion: ${apiVersion}\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n  namespace: ${ns}\nspec:\n  ${budget}\n  selector: ${selector}\n`;
const hpa = (min: number) =>
  `---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: ${min}\n  maxReplicas: 10\n`;

describe('PodDisruptionBudget coverage and eviction', () => {
  it.each([
    ['matchLabels', pdb('{matchLabels: {app: web}}'), 0],
    ['matchExpressions In', pdb('{matchExpressions: [{key: tier, operator: In, values: [front]}]}'), 0],
    [
      'matchExpressions not matching',
      pdb('{matchExpressions: [{key: tier, operator: In, values: [back]}]}'),
      1,
    ],
    [
      'matchExpressions NotIn excluding',
      pdb('{matchExpressions: [{key: tier, operator: NotIn, values: [front]}]}'),
      1,
    ],
    [
      'labels and expressions both needed',
      pdb('{matchLabels: {app: web}, matchExpressions: [{key: tier, operator: DoesNotExist}]}'),
      1,
    ],
    ['other namespace', pdb('{matchLabels: {app: web}}', 'ops'), 1],
    ['empty selector, policy/v1', pdb('{}'), 0],
    ['empty selector, policy/v1beta1', pdb('{}', 'shop', 'maxUnavailable: 1', 'policy/v1beta1'), 1],
  ])('%s: avail-pdb-missing %d', (_, budget, expected) =>
    expect(findingsOf(deployment() + budget, 'avail-pdb-missing')).toHaveLength(expected),
  );

  it.each([
    ['minAvailable below replicas', deployment('shop', 3), 'minAvailable: 2', 0],
    ['minAvailable equal to replicas', deployment('shop', 3), 'minAvailable: 3', 1],
    [
      'minAvailable above HPA minReplicas',
      deployment('shop', 5).replace('  replicas: 5\n', '') + hpa(2),
      'minAvailable: 3',
      1,
    ],
    [
      'minAvailable equal to HPA minReplicas',
      deployment('shop', 5).replace('  replicas: 5\n', '') + hpa(3),
      'minAvailable: 3',
      1,
    ],
    [
      'minAvailable below HPA minReplicas',
      deployment('shop', 5).replace('  replicas: 5\n', '') + hpa(4),
      'minAvailable: 3',
      0,
    ],
    ['minAvailable 50% of 3 (rounds up to 2)', deployment('shop', 3), 'minAvailable: "50%"', 0],
    [
      'minAvailable 50% of HPA minReplicas 1',
      deployment('shop', 3).replace('  replicas: 3\n', '') + hpa(1),
      'minAvailable: "50%"',
      1,
    ],
    ['minAvailable 100%', deployment('shop', 3), 'minAvailable: "100%"', 1],
    ['maxUnavailable 0', deployment('shop', 3), 'maxUnavailable: 0', 1],
    ['maxUnavailable 10% (rounds up to 1)', deployment('shop', 3), 'maxUnavailable: "10%"', 0],
  ])('%s: avail-pdb-blocks-eviction %d', (_, workload, budget, expected) =>
    expect(
      findingsOf(workload + pdb('{matchLabels: {app: web}}', 'shop', budget), 'avail-pdb-blocks-eviction'),
    ).toHaveLength(expected),
  );
});

/** NetworkPolicy policyTypes (networking/v1): absent means Ingress, plus Egress when egress rules exist. */
describe('NetworkPolicy directions', () => {
  const pod = restrictedPod({ meta: '  namespace: shop\n  labels:\n    app: web\n' });
  const np = (name: string, body: string) =>
    `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: shop\nspec:\n  podSelector: {}\n${body}`;
  it.each([
    ['no policyTypes, no egress rules: ingress only', np('a', '  ingress: []\n'), 'egress'],
    ['no policyTypes, egress rules: both', np('a', '  egress:\n    - to: [{podSelector: {}}]\n'), ''],
    ['policyTypes [Ingress]', np('a', '  policyTypes: [Ingress]\n'), 'egress'],
    ['policyTypes [Egress]', np('a', '  policyTypes: [Egress]\n'), 'ingress'],
    ['policyTypes [Ingress, Egress]', np('a', '  policyTypes: [Ingress, Egress]\n'), ''],
    [
      'one ingress and one egress policy',
      np('a', '  policyTypes: [Ingress]\n') + np('b', '  policyTypes: [Egress]\n'),
      '',
    ],
    [
      'egress policy selecting other pods',
      np('a', '  policyTypes: [Ingress]\n') +
        np('b', '  policyTypes: [Egress]\n').replace(
          'podSelector: {}',
          'podSelector: {matchLabels: {app: db}}',
        ),
      'egress',
    ],
  ])('%s', (_, policies, missing) => {
    const found = findingsOf(pod + policies, 'net-no-network-policy');
    if (missing === '') expect(found).toEqual([]);
    else
      expect(found.map((f) => f.message)).toEqual([
        expect.stringContaining(`restrict only ${missing === 'egress' ? 'ingress' : 'egress'}`),
      ]);
  });
});
