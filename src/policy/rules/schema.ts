import { ESO_SCHEMAS } from '../generated/eso-schemas.js';
import { SCHEMAS } from '../generated/schemas.js';
import { validateObject, type SchemaProblemKind } from '../schema/validate.js';
import type { Manifest, Rule, Severity, Violation } from '../types.js';
import { setRule } from './define.js';

/**
 * Schema validation of built-in kinds (like kubeconform --strict), against the table generated from
 * the Kubernetes ${SCHEMAS.source} OpenAPI document, and of the External Secrets Operator's served
 * kinds (SecretStore, ClusterSecretStore, ExternalSecret) against the table generated from its CRDs.
 * Other custom resources (Rollout, HTTPRoute, ...) and versions outside the tables are not
 * validated; removed versions are reported by api-removed.
 */
const cache = new WeakMap<object, ReturnType<typeof validateObject>>();

function schemaRule(
  kind: SchemaProblemKind,
  id: string,
  title: string,
  severity: Severity,
  checks: string,
  rationale: string,
  remediation: string,
): Rule {
  return setRule({ id, title, severity, category: 'schema', checks, rationale, remediation }, (ctx) => [
    ...violationsOf(ctx.manifests)[kind],
  ]);
}

/**
 * Every schema violation of an input set, by problem kind, in input order: the four schema rules
 * each take theirs from one pass over the objects (a copy: callers own what a rule returns).
 */
const byInput = new WeakMap<readonly Manifest[], Record<SchemaProblemKind, Violation[]>>();

function violationsOf(manifests: readonly Manifest[]): Record<SchemaProblemKind, Violation[]> {
  let found = byInput.get(manifests);
  if (found) return found;
  found = { 'unknown-field': [], type: [], required: [], enum: [] };
  for (let i = 0; i < manifests.length; i++) {
    const m = manifests[i]!;
    let problems = cache.get(m.body);
    if (problems === undefined && !cache.has(m.body)) {
      problems =
        validateObject(SCHEMAS, m.ref.apiVersion, m.ref.kind, m.body) ??
        validateObject(ESO_SCHEMAS, m.ref.apiVersion, m.ref.kind, m.body);
      cache.set(m.body, problems);
    }
    if (problems)
      for (const p of problems) found[p.kind].push({ manifest: m, path: p.path, message: p.message });
  }
  byInput.set(manifests, found);
  return found;
}

const scope = `built-in kinds of ${['v1', 'apps/v1', 'batch/v1', 'autoscaling/v1 and v2', 'policy/v1', 'networking.k8s.io/v1', 'rbac.authorization.k8s.io/v1', 'discovery, storage, scheduling and coordination v1'].join(', ')} (Kubernetes ${SCHEMAS.source} OpenAPI), and External Secrets Operator SecretStore, ClusterSecretStore and ExternalSecret (external-secrets.io/v1, from its CRDs)`;

export const SCHEMA_RULES: Rule[] = [
  schemaRule(
    'unknown-field',
    'schema-unknown-field',
    'Unknown field',
    'error',
    `Every field of ${scope} must exist in the schema.`,
    'A misspelt or misplaced field is silently dropped by a lenient client, so the setting you wrote never applies (and strict servers reject the object).',
    'Fix the field name or move it to the right level.',
  ),
  schemaRule(
    'type',
    'schema-type',
    'Wrong type',
    'error',
    `Every field of ${scope} must have the schema's type (string, integer, boolean, object, list, int-or-string, quantity).`,
    'The API server cannot decode the object and rejects it (e.g. an env value written as a bare number).',
    'Quote strings such as env values and annotations; write numbers without quotes where an integer is expected.',
  ),
  schemaRule(
    'required',
    'schema-required',
    'Missing required field',
    'error',
    `Fields the schema marks required (e.g. containers[].name, spec.selector of a Deployment, ports[].port) must be set on ${scope}.`,
    'The API server rejects the object.',
    'Add the field.',
  ),
  schemaRule(
    'enum',
    'schema-enum',
    'Value outside the allowed set',
    'error',
    'String fields with a fixed set of values (imagePullPolicy, restartPolicy, protocol, Service type, pathType, seccompProfile.type, update strategies, ..., and every enum of the External Secrets CRDs) must use one of them.',
    'The API server rejects the object (values are case-sensitive: `ifNotPresent` is invalid).',
    'Use one of the values the message lists.',
  ),
];
