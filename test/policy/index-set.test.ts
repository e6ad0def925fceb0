/**
 * The input index answers "which NetworkPolicies and PodDisruptionBudgets select this workload" by
 * filing each selector under the labels it requires (matchLabels, and the values of an `In`
 * expression): the answers must be exactly those of comparing every selector with every workload.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { get } from '../../src/policy/access.js';
import { indexOf } from '../../src/policy/index-set.js';
import { parseManifests } from '../../src/policy/load/parse.js';
import { matchesLabelSelector, pdbSelects } from '../../src/policy/selectors.js';

const KEYS = ['app', 'tier', 'zone'];
const VALUES = ['a', 'b', 'c'];
const labels = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 3 });
const expression = fc.record({
  key: fc.constantFrom(...KEYS),
  operator: fc.constantFrom('In', 'In', 'NotIn', 'Exists', 'DoesNotExist'),
  values: fc.array(fc.constantFrom(...VALUES), { maxLength: 3 }),
});
const selector = fc.record(
  { matchLabels: labels, matchExpressions: fc.array(expression, { maxLength: 2 }) },
  { requiredKeys: [] },
);

function objects(podLabels: Array<Record<string, string>>, selectors: object[]): string {
  const docs = [
    ...podLabels.map((l, i) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `w${i}`, namespace: 'ns' },
      spec: { selector: { matchLabels: l }, template: { metadata: { labels: l }, spec: { containers: [] } } },
    })),
    ...selectors.flatMap((s, i) => [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `p${i}`, namespace: 'ns' },
        spec: { podSelector: s },
      },
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: `d${i}`, namespace: 'ns' },
        spec: { selector: s, maxUnavailable: 1 },
      },
    ]),
  ];
  return docs.map((d) => stringify(d)).join('---\n');
}

describe('input index', () => {
  it('finds the policies and PDBs selecting each workload as comparing each with each does', () => {
    fc.assert(
      fc.property(
        fc.array(labels, { minLength: 1, maxLength: 12 }),
        // At least 8 selectors: fewer are compared with every workload without filing.
        fc.array(selector, { minLength: 8, maxLength: 24 }),
        (podLabels, selectors) => {
          const manifests = parseManifests(objects(podLabels, selectors), 'x.yaml').manifests;
          const index = indexOf(manifests);
          const names = (ms: readonly { ref: { name: string } }[]) => ms.map((m) => m.ref.name);
          for (const w of index.workloads) {
            const policies = index
              .byKind('NetworkPolicy')
              .filter((p) => matchesLabelSelector(get(p.body, 'spec', 'podSelector') ?? {}, w.labels));
            expect(names(index.networkPoliciesSelecting(w))).toEqual(names(policies));
            const pdbs = index
              .byKind('PodDisruptionBudget')
              .filter((p) =>
                pdbSelects({ apiVersion: 'policy/v1', selector: get(p.body, 'spec', 'selector') }, w.labels),
              );
            expect(names(index.pdbsSelecting(w))).toEqual(names(pdbs));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
