import { parseManifests } from '../../src/policy/load/parse.js';
import type { CheckOptions, Manifest } from '../../src/policy/types.js';
import { HYGIENE_CASES, OBJECT_CASES } from './cases/objects.js';
import { PEER_CASES } from './cases/peers.js';
import { PSS_CASES } from './cases/pss.js';
import { SCHEMA_CASES } from './cases/schema.js';
import { WORKLOAD_CASES } from './cases/workload.js';
import type { RuleCase } from './rule-harness.js';

/** Every rule's own passing and failing fixtures (the rule tests' cases), as input sets for the verdict check. */
export const ALL_CASES: RuleCase[] = [
  ...PSS_CASES,
  ...WORKLOAD_CASES,
  ...OBJECT_CASES,
  ...HYGIENE_CASES,
  ...SCHEMA_CASES,
  ...PEER_CASES,
];

export function fixtureSets(
  rule: string,
): Array<{ name: string; manifests: Manifest[]; options: CheckOptions }> {
  return ALL_CASES.filter((c) => c.rule === rule).flatMap((c, i) =>
    (['fail', 'pass'] as const).map((which) => {
      const parsed = parseManifests(c[which], `${rule}-${i}-${which}.yaml`);
      const [major, minor] = (c.kubeVersion ?? '1.36').split('.').map(Number) as [number, number];
      return {
        name: `${rule} #${i} ${which}`,
        manifests: parsed.manifests,
        options: {
          kubeVersion: { major, minor },
          pssVersion: { major: 1, minor: 35 },
          allowedRegistries: c.allowedRegistries,
        },
      };
    }),
  );
}
