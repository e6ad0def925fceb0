/**
 * `slipway check` validates External Secrets Operator objects (SecretStore, ClusterSecretStore,
 * ExternalSecret) against the table scripts/gen-eso-schemas.ts generates from the operator's CRDs:
 * findings at file:line:col, and the same verdict as @kubernetes-models/external-secrets (the judge,
 * a devDependency) on good and bad objects. The judge does not reject unknown fields (structural
 * schemas prune them on the server); check reports them, as for built-in kinds.
 */
import { ClusterSecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore';
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { SecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ESO_SCHEMAS } from '../../src/policy/generated/eso-schemas.js';
import { validateObject } from '../../src/policy/schema/validate.js';
import { renderApp } from '../../src/render/index.js';
import { parseSpec } from '../../src/spec/parse.js';
import { resolveEnvironment } from '../../src/spec/resolve.js';
import { expectedPosition, findingsOf } from './rule-harness.js';

const JUDGES: Record<string, new (o: never) => { validate(): void }> = {
  SecretStore,
  ClusterSecretStore,
  ExternalSecret,
};

function judgeRejects(o: { kind: string }): boolean {
  try {
    new JUDGES[o.kind]!(o as never).validate();
    return false;
  } catch {
    return true;
  }
}

/** Problems the judge also checks (type, required, enum): unknown fields are check's own. */
function ourProblems(o: { apiVersion: string; kind: string }) {
  const problems = validateObject(ESO_SCHEMAS, o.apiVersion, o.kind, o);
  if (!problems) throw new Error(`${o.apiVersion}/${o.kind} is not in the table`);
  return problems;
}

const SPEC = (store: string) => `app: shop
services:
  api: { image: ghcr.io/acme/api:1.0.0, port: 8080, secrets: [STRIPE_KEY], resources: { cpu: 100m, memory: 128Mi } }
secrets:
${store}
environments:
  production: {}
`;
const STORES = [
  '  store: vault\n  vault: { server: "https://vault.example.com:8200", role: shop-reader }',
  '  store: aws\n  aws: { region: eu-west-1, roleArn: "arn:aws:iam::123456789012:role/shop-secrets" }',
  '  store: gcp\n  gcp: { project: acme-prod, serviceAccount: shop-secrets@acme-prod.iam.gserviceaccount.com }',
];

const STORE = `apiVersion: external-secrets.io/v1
kind: SecretStore
metadata: { name: vault, namespace: shop }
spec:
  provider:
    vault:
      server: https://vault.example.com:8200
      path: secret
      version: v2
      auth:
        kubernetes:
          mountPath: kubernetes
          role: shop-reader
          serviceAccountRef: { name: shop-secrets-reader }
`;
const EXTERNAL = `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: api, namespace: shop }
spec:
  refreshInterval: 1h
  secretStoreRef: { name: vault, kind: SecretStore }
  target: { name: api, creationPolicy: Owner }
  data:
    - secretKey: STRIPE_KEY
      remoteRef: { key: shop/production, property: STRIPE_KEY }
`;

/** Bad objects: the rule, the YAML with the offending line marked `# <-`, and whether the judge checks it. */
const BAD: Array<{ name: string; rule: string; yaml: string; judged: boolean }> = [
  {
    name: 'creationPolicy outside the enum',
    rule: 'schema-enum',
    yaml: EXTERNAL.replace(
      '  target: { name: api, creationPolicy: Owner }',
      '  target:\n    name: api\n    creationPolicy: Always # <-',
    ),
    judged: true,
  },
  {
    name: 'refreshInterval as a number',
    rule: 'schema-type',
    yaml: EXTERNAL.replace('  refreshInterval: 1h', '  refreshInterval: 15 # <-'),
    judged: true,
  },
  {
    name: 'a data item without remoteRef',
    rule: 'schema-required',
    yaml: EXTERNAL.replace(
      '    - secretKey: STRIPE_KEY\n      remoteRef: { key: shop/production, property: STRIPE_KEY }',
      '    - secretKey: STRIPE_KEY # <-',
    ),
    judged: true,
  },
  {
    name: 'a store without a provider',
    rule: 'schema-required',
    yaml: `apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata: { name: vault }\nspec: # <-\n  retrySettings: { maxRetries: 3 }\n`,
    judged: true,
  },
  {
    name: 'vault kv version outside the enum',
    rule: 'schema-enum',
    yaml: STORE.replace('      version: v2', '      version: v3 # <-'),
    judged: true,
  },
  {
    name: 'a misspelt vault field',
    rule: 'schema-unknown-field',
    yaml: STORE.replace('      path: secret', '      pth: secret # <-'),
    judged: false,
  },
];

describe('External Secrets objects in slipway check', () => {
  it('the objects Slipway renders for vault, aws and gcp pass both the table and the judge', () => {
    const objects = STORES.flatMap((store) =>
      renderApp(resolveEnvironment(parseSpec(SPEC(store), 'slipway.yaml'), 'production')).objects.filter(
        (o) => o.apiVersion === 'external-secrets.io/v1',
      ),
    ) as unknown as Array<{ apiVersion: string; kind: string }>;
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'ExternalSecret',
      'ExternalSecret',
      'ExternalSecret',
      'SecretStore',
      'SecretStore',
      'SecretStore',
    ]);
    for (const o of objects) {
      expect(ourProblems(o)).toEqual([]);
      expect(judgeRejects(o)).toBe(false);
    }
    for (const yaml of [STORE, EXTERNAL, STORE.replace('kind: SecretStore', 'kind: ClusterSecretStore')]) {
      expect(ourProblems(parse(yaml) as never)).toEqual([]);
      expect(judgeRejects(parse(yaml) as never)).toBe(false);
      for (const rule of ['schema-type', 'schema-required', 'schema-enum', 'schema-unknown-field'])
        expect(findingsOf(yaml, rule)).toEqual([]);
    }
  });

  it.each(BAD)('$name: $rule at the marked line and column, as the judge says', ({ rule, yaml, judged }) => {
    const findings = findingsOf(yaml, rule);
    expect(findings.map((f) => ({ line: f.line, column: f.column }))).toEqual([expectedPosition(yaml)]);
    expect(findings[0]!.file).toBe('case.yaml');
    const object = parse(yaml.replace(/ # <-$/m, '')) as { apiVersion: string; kind: string };
    if (judged) {
      expect(judgeRejects(object)).toBe(true);
      expect(ourProblems(object).length).toBeGreaterThan(0);
    } else {
      // The judge accepts unknown fields; the table reports exactly this one.
      expect(judgeRejects(object)).toBe(false);
      expect(ourProblems(object).map((p) => p.kind)).toEqual(['unknown-field']);
    }
  });

  it('names the allowed values in its message', () => {
    const [finding] = findingsOf(BAD[0]!.yaml, 'schema-enum');
    expect(finding!.message).toMatch(
      /^spec\.target\.creationPolicy must be one of Owner, Orphan, Merge, .*not "Always"$/,
    );
  });
});
