import type { LabelSelector } from '@slipway/kube';
import type { AdmissionPolicy } from './model.js';

/**
 * The three admission formats. Each writer returns plain Kubernetes objects; the CEL is the same
 * text in all three (variables, expression, message), only the envelope and the way parameters arrive
 * differ: a ConfigMap through paramRef (VAP), the Constraint's spec.parameters (Gatekeeper provides
 * them as variables.params) and a literal variable (Kyverno).
 */
export type AdmissionFormat = 'vap' | 'gatekeeper' | 'kyverno';
export const ADMISSION_FORMATS: readonly AdmissionFormat[] = ['vap', 'gatekeeper', 'kyverno'];

export interface ExportOptions {
  /** Namespaces the policies apply to; cluster-scoped objects are always checked. */
  namespaceSelector: LabelSelector;
  /** Namespace of the parameter ConfigMaps of ValidatingAdmissionPolicies. */
  paramsNamespace: string;
}

export const DEFAULT_NAMESPACE_SELECTOR: LabelSelector = {
  matchExpressions: [
    { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-node-lease'] },
    { key: 'slipway.dev/policy', operator: 'NotIn', values: ['disabled'] },
  ],
};

type Obj = Record<string, unknown>;
const LABELS = { 'app.kubernetes.io/managed-by': 'slipway' };

const annotations = (p: AdmissionPolicy) => ({
  'slipway.dev/rule': p.rule,
  'slipway.dev/severity': p.severity,
});

/** A CEL string literal. */
export function celString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function celLiteral(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(celLiteral).join(', ')}]`;
  if (typeof value === 'string') return celString(value);
  if (value && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${celString(k)}: ${celLiteral(v)}`)
      .join(', ')}}`;
  return JSON.stringify(value);
}

function groupsAndResources(p: AdmissionPolicy) {
  const groups = [...new Set(p.resources.map((r) => r.group))];
  return groups.map((g) => ({
    apiGroups: [g],
    apiVersions: ['*'],
    operations: ['CREATE', 'UPDATE'],
    resources: p.resources.filter((r) => r.group === g).map((r) => r.resource),
  }));
}

const hasParams = (p: AdmissionPolicy) => Object.keys(p.params).length > 0;

/** The ConfigMap a parameterised VAP reads: lists joined by commas (ConfigMap data is strings). */
export const PARAM_SEPARATOR = ',';

export function vapObjects(p: AdmissionPolicy, o: ExportOptions): Obj[] {
  const paramsName = `${p.name}-params`;
  const paramVariable = {
    name: 'params',
    expression: `{${Object.keys(p.params)
      .map(
        (k) =>
          `${celString(k)}: ${celString(k)} in params.data ? params.data[${celString(k)}].split(${celString(PARAM_SEPARATOR)}).filter(x, x != '') : []`,
      )
      .join(', ')}}`,
  };
  const policy: Obj = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: p.name, labels: LABELS, annotations: annotations(p) },
    spec: {
      failurePolicy: 'Fail',
      ...(hasParams(p) ? { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' } } : {}),
      matchConstraints: { resourceRules: groupsAndResources(p) },
      variables: [...p.variables, ...(hasParams(p) ? [paramVariable] : [])],
      validations: [{ expression: p.expression, message: p.message, reason: 'Invalid' }],
    },
  };
  const binding: Obj = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: p.name, labels: LABELS, annotations: annotations(p) },
    spec: {
      policyName: p.name,
      // Errors refuse; warnings and infos come back as Warning headers and audit annotations.
      validationActions: p.severity === 'error' ? ['Deny'] : ['Warn', 'Audit'],
      matchResources: { namespaceSelector: o.namespaceSelector },
      ...(hasParams(p)
        ? { paramRef: { name: paramsName, namespace: o.paramsNamespace, parameterNotFoundAction: 'Deny' } }
        : {}),
    },
  };
  // The parameter ConfigMap's namespace comes first, so that `kubectl apply -f` of the file creates it.
  const params: Obj[] = hasParams(p)
    ? [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.paramsNamespace, labels: LABELS } },
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: paramsName,
            namespace: o.paramsNamespace,
            labels: LABELS,
            annotations: annotations(p),
          },
          data: Object.fromEntries(
            Object.entries(p.params).map(([k, v]) => [k, (v as string[]).join(PARAM_SEPARATOR)]),
          ),
        },
      ]
    : [];
  return [policy, binding, ...params];
}

/** Gatekeeper kinds are CamelCase; the template's name is the kind in lower case. */
export function gatekeeperKind(p: AdmissionPolicy): string {
  return p.name
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

export function gatekeeperObjects(p: AdmissionPolicy, o: ExportOptions): Obj[] {
  const kind = gatekeeperKind(p);
  const template: Obj = {
    apiVersion: 'templates.gatekeeper.sh/v1',
    kind: 'ConstraintTemplate',
    metadata: { name: kind.toLowerCase(), labels: LABELS, annotations: annotations(p) },
    spec: {
      crd: {
        spec: {
          names: { kind },
          validation: {
            openAPIV3Schema: {
              type: 'object',
              properties: Object.fromEntries(
                Object.keys(p.params).map((k) => [k, { type: 'array', items: { type: 'string' } }]),
              ),
            },
          },
        },
      },
      targets: [
        {
          target: 'admission.k8s.gatekeeper.sh',
          code: [
            {
              engine: 'K8sNativeValidation',
              source: {
                // Gatekeeper provides the Constraint's parameters as variables.params itself.
                variables: p.variables,
                validations: [{ expression: p.expression, message: p.message }],
              },
            },
          ],
        },
      ],
    },
  };
  const kinds = [...new Set(p.resources.map((r) => r.group))].map((g) => ({
    apiGroups: [g],
    kinds: p.resources.filter((r) => r.group === g).map((r) => r.kind),
  }));
  const constraint: Obj = {
    apiVersion: 'constraints.gatekeeper.sh/v1beta1',
    kind,
    metadata: { name: p.name, labels: LABELS, annotations: annotations(p) },
    spec: {
      enforcementAction: p.severity === 'error' ? 'deny' : 'warn',
      match: { kinds, namespaceSelector: o.namespaceSelector },
      ...(hasParams(p) ? { parameters: p.params } : {}),
    },
  };
  return [template, constraint];
}

export function kyvernoObjects(p: AdmissionPolicy, o: ExportOptions): Obj[] {
  return [
    {
      apiVersion: 'kyverno.io/v1',
      kind: 'ClusterPolicy',
      metadata: {
        name: p.name,
        labels: LABELS,
        annotations: {
          ...annotations(p),
          'policies.kyverno.io/title': p.rule,
          'policies.kyverno.io/severity':
            p.severity === 'error' ? 'high' : p.severity === 'warning' ? 'medium' : 'low',
        },
      },
      spec: {
        background: true,
        rules: [
          {
            name: p.rule,
            match: {
              any: [
                {
                  resources: {
                    kinds: p.resources.map((r) => r.kind),
                    namespaceSelector: o.namespaceSelector,
                  },
                },
              ],
            },
            validate: {
              failureAction: p.severity === 'error' ? 'Enforce' : 'Audit',
              cel: {
                variables: [
                  ...p.variables,
                  ...(hasParams(p) ? [{ name: 'params', expression: celLiteral(p.params) }] : []),
                ],
                expressions: [{ expression: p.expression, message: p.message }],
              },
            },
          },
        ],
      },
    },
  ];
}

export const WRITERS: Record<AdmissionFormat, (p: AdmissionPolicy, o: ExportOptions) => Obj[]> = {
  vap: vapObjects,
  gatekeeper: gatekeeperObjects,
  kyverno: kyvernoObjects,
};
