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

interface FormatJudge {
  /** The refusal messages for one manifest, or undefined when the policy does not match it. */
  judge(m: Manifest): string[] | undefined;
}

/** Reads one exported policy (in the shape of `format`) once: what it matches and its compiled CEL. */
function formatJudge(format: AdmissionFormat, objects: Obj[]): FormatJudge {
  const spec = (o: Obj | undefined) => (o?.spec ?? {}) as Obj;
  const [first, second] = objects;
  let policy: PolicySpec;
  let params: unknown = null;
  let variables: Record<string, unknown> | undefined;
  let matches: (kind: (typeof RESOURCE_KINDS)[string], request: AdmissionRequestInfo) => boolean;
  if (format === 'vap') {
    policy = spec(objects.find((o) => o.kind === 'ValidatingAdmissionPolicy')) as PolicySpec;
    matches = (_kind, request) => matchesRequest(policy.matchConstraints, request, {}, false);
    params = objects.find((o) => o.kind === 'ConfigMap') ?? null;
  } else if (format === 'gatekeeper') {
    const source = (spec(first).targets as Obj[])[0]!.code as Obj[];
    policy = (source[0]!.source ?? {}) as PolicySpec;
    const match = (spec(second).match ?? {}) as { kinds?: Array<{ apiGroups: string[]; kinds: string[] }> };
    matches = (kind) =>
      match.kinds?.some((k) => k.apiGroups.includes(kind!.group) && k.kinds.includes(kind!.kind)) ?? false;
    variables = { params: spec(second).parameters ?? {} };
  } else {
    const rule = (spec(first).rules as Obj[])[0]!;
    const kinds = ((rule.match as Obj).any as Array<{ resources: { kinds: string[] } }>)[0]!.resources.kinds;
    matches = (kind) => kinds.includes(kind!.kind);
    const cel = (rule.validate as Obj).cel as {
      variables?: PolicySpec['variables'];
      expressions: PolicySpec['validations'];
    };
    policy = { variables: cel.variables, validations: cel.expressions };
  }
  const compiled = compilePolicy(policy);
  return {
    judge(m) {
      const kind = RESOURCE_KINDS[m.ref.kind];
      if (!kind) return undefined;
      const request: AdmissionRequestInfo = {
        operation: 'CREATE',
        kind: { group: kind.group, version: kind.version, kind: kind.kind },
        resource: { group: kind.group, version: kind.version, resource: kind.resource },
        name: m.ref.name,
        namespace: m.ref.namespace ?? 'default',
        dryRun: true,
      };
      if (!matches(kind, request)) return undefined;
      if ('problems' in compiled)
        return compiled.problems.map((p) => `${p.field}:${p.line}:${p.column}: ${p.message}`);
      return compiled.policy
        .evaluate({ object: m.body, oldObject: null, params, namespaceObject: null, request, variables })
        .map((f) => f.message);
    },
  };
}

/**
 * A judge of `rule` under `options`: the four verdicts for every object of an input set. The exports
 * are written and compiled once, so one judge serves many input sets.
 */
export function rulePanel(
  rule: Rule,
  options: CheckOptions,
): (manifests: readonly Manifest[]) => ObjectVerdicts[] {
  const judges = ADMISSION_FORMATS.map((format) => {
    const objects = exportPolicies({
      rules: [rule],
      format,
      options,
      config: { rules: { [rule.id]: 'on' } },
      exportOptions: { namespaceSelector: DEFAULT_NAMESPACE_SELECTOR, paramsNamespace: 'slipway-policy' },
    }).policies[0]?.objects;
    return [format, objects ? formatJudge(format, objects) : undefined] as const;
  });
  return (manifests) => {
    // The rule as `slipway check` runs it: its violations, less those its objects ignore by annotation.
    const failed = new Set(
      rule
        .run({ manifests, options })
        .filter((v) => !isIgnored(v.manifest, rule.id, v.container))
        .map((v) => objectKey(v.manifest.ref)),
    );
    return manifests.map((m) => {
      const key = objectKey({ kind: m.ref.kind, namespace: m.ref.namespace, name: m.ref.name });
      const messages: string[] = [];
      const verdicts = { check: failed.has(key) ? 'fail' : 'pass' } as ObjectVerdicts['verdicts'];
      for (const [format, judge] of judges) {
        const refused = judge?.judge(m);
        verdicts[format] = refused === undefined ? 'skip' : refused.length ? 'fail' : 'pass';
        if (refused?.length && messages.length === 0) messages.push(...refused);
      }
      return { object: key, verdicts, messages };
    });
  };
}

/** Every object of `manifests` judged by `rule` in `slipway check` and in the three exports. */
export function verdictsFor(
  rule: Rule,
  manifests: readonly Manifest[],
  options: CheckOptions,
): ObjectVerdicts[] {
  return rulePanel(rule, options)(manifests);
}
