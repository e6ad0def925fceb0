import { compilePolicy, matchesRequest, type AdmissionRequestInfo, type PolicySpec } from '@slipway/kube/cel';
import { isIgnored } from '../ignores.js';
import type { CheckOptions, Manifest, Rule } from '../types.js';
import { ADMISSION_FORMATS, DEFAULT_NAMESPACE_SELECTOR, type AdmissionFormat } from './formats.js';
import { exportPolicies } from './export.js';
import { RESOURCE_KINDS } from './model.js';

/**
 * The same objects judged four ways: by the rule's TypeScript (`slipway check`), and by the CEL of
 * each exported format evaluated as its admission controller would (VAP: object, oldObject, params
 * from the ConfigMap, namespaceObject; Gatekeeper: variables.params from the Constraint; Kyverno:
 * its validate.cel variables). `fails` lists the objects that are refused.
 */
export type Judge = 'check' | AdmissionFormat;
export const JUDGES: readonly Judge[] = ['check', ...ADMISSION_FORMATS];

export interface ObjectVerdicts {
  object: string;
  verdicts: Record<Judge, 'pass' | 'fail' | 'skip'>;
  /** Messages of the refusals, for the first judge that refused. */
  messages: string[];
}

type Obj = Record<string, unknown>;

export function objectKey(m: { kind: string; namespace?: string; name: string }): string {
  return `${m.kind}/${m.namespace ? `${m.namespace}/` : ''}${m.name}`;
}

/** Evaluates one policy (in the shape of `format`) on one manifest; undefined when it does not match. */
function judge(format: AdmissionFormat, objects: Obj[], m: Manifest): string[] | undefined {
  const kind = RESOURCE_KINDS[m.ref.kind];
  if (!kind) return undefined;
  const spec = (o: Obj | undefined) => (o?.spec ?? {}) as Obj;
  let policy: PolicySpec;
  let params: unknown = null;
  let variables: Record<string, unknown> | undefined;
  const [first, second, third] = objects;
  const request: AdmissionRequestInfo = {
    operation: 'CREATE',
    kind: { group: kind.group, version: kind.version, kind: kind.kind },
    resource: { group: kind.group, version: kind.version, resource: kind.resource },
    name: m.ref.name,
    ...(m.ref.namespace ? { namespace: m.ref.namespace } : { namespace: 'default' }),
    dryRun: true,
  };
  if (format === 'vap') {
    policy = spec(first) as PolicySpec;
    if (!matchesRequest(policy.matchConstraints, request, {}, false)) return undefined;
    params = third ?? null;
  } else if (format === 'gatekeeper') {
    const source = (spec(first).targets as Obj[])[0]!.code as Obj[];
    policy = (source[0]!.source ?? {}) as PolicySpec;
    const match = (spec(second).match ?? {}) as { kinds?: Array<{ apiGroups: string[]; kinds: string[] }> };
    if (!match.kinds?.some((k) => k.apiGroups.includes(kind.group) && k.kinds.includes(kind.kind)))
      return undefined;
    variables = { params: spec(second).parameters ?? {} };
  } else {
    const rule = (spec(first).rules as Obj[])[0]!;
    const kinds = ((rule.match as Obj).any as Array<{ resources: { kinds: string[] } }>)[0]!.resources.kinds;
    if (!kinds.includes(kind.kind)) return undefined;
    const cel = (rule.validate as Obj).cel as {
      variables?: PolicySpec['variables'];
      expressions: PolicySpec['validations'];
    };
    policy = { variables: cel.variables, validations: cel.expressions };
  }
  const compiled = compilePolicy(policy);
  if ('problems' in compiled)
    return compiled.problems.map((p) => `${p.field}:${p.line}:${p.column}: ${p.message}`);
  return compiled.policy
    .evaluate({ object: m.body, oldObject: null, params, namespaceObject: null, request, variables })
    .map((f) => f.message);
}

/** Every object of `manifests` judged by `rule` in `slipway check` and in the three exports. */
export function verdictsFor(
  rule: Rule,
  manifests: readonly Manifest[],
  options: CheckOptions,
): ObjectVerdicts[] {
  // The rule as `slipway check` runs it: its violations, less those its objects ignore by annotation.
  const failed = new Set(
    rule
      .run({ manifests, options })
      .filter((v) => !isIgnored(v.manifest, rule.id, v.container))
      .map((v) => objectKey(v.manifest.ref)),
  );
  const exports = Object.fromEntries(
    ADMISSION_FORMATS.map((format) => [
      format,
      exportPolicies({
        rules: [rule],
        format,
        options,
        config: { rules: { [rule.id]: 'on' } },
        exportOptions: { namespaceSelector: DEFAULT_NAMESPACE_SELECTOR, paramsNamespace: 'slipway-policy' },
      }).policies[0]?.objects,
    ]),
  ) as Record<AdmissionFormat, Obj[] | undefined>;
  return manifests.map((m) => {
    const key = objectKey({ kind: m.ref.kind, namespace: m.ref.namespace, name: m.ref.name });
    const messages: string[] = [];
    const verdicts = { check: failed.has(key) ? 'fail' : 'pass' } as ObjectVerdicts['verdicts'];
    for (const format of ADMISSION_FORMATS) {
      const objects = exports[format];
      const refused = objects ? judge(format, objects, m) : undefined;
      verdicts[format] = refused === undefined ? 'skip' : refused.length ? 'fail' : 'pass';
      if (refused?.length && messages.length === 0) messages.push(...refused);
    }
    return { object: key, verdicts, messages };
  });
}
