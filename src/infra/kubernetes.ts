/**
 * The Kubernetes side of an environment, for the hashicorp/kubernetes provider: the namespace with
 * Pod Security labels at the strictest level every rendered workload passes, the deployer's
 * ServiceAccount, and the least-privilege Role the deploy engine needs (deployer-access.ts). The
 * resources live in the shared module `modules/namespace`; each environment calls it with its data.
 */
import type { KubeObject } from '@slipway/kube';
import type { PssLevel } from '../policy/pss/evaluate.js';
import { podSecurityLevel as levelOf } from '../policy/pss/level.js';
import { podSecurityLabels } from '../render/objects/namespace.js';
import type { ResolvedApp } from '../spec/resolved.js';
import {
  deployerRules,
  NAMESPACE_RULE,
  ADMISSION_BINDINGS_RULE,
  prometheusProxyNamespace,
  type AccessRule,
} from './deployer-access.js';
import type { DrillAccess } from './drill-access.js';
import { arg, block, nested, ref, type Block, type Item, type Value } from './hcl.js';

/** The strictest Pod Security level all of the environment's pods are admitted at. */
export function podSecurityLevel(app: ResolvedApp, objects: KubeObject[]): PssLevel | 'privileged' {
  return levelOf(objects, app.kubernetes?.version);
}

/** The namespace's labels: the Pod Security Admission ones as every other namespace Slipway makes gets them. */
export function namespaceLabels(app: ResolvedApp, objects: KubeObject[]): Record<string, string> {
  return {
    'app.kubernetes.io/part-of': app.app,
    'app.kubernetes.io/managed-by': 'terraform',
    ...podSecurityLabels(app, podSecurityLevel(app, objects)),
  };
}

function ruleValue(rule: Omit<AccessRule, 'why'>): Value {
  return { api_groups: [rule.apiGroup], resources: [rule.resource], verbs: rule.verbs };
}

export interface DeployerIdentity {
  /** Extra RBAC subjects (the cloud identity CI signs in as), each `{ kind, name }`. */
  subjects: Array<{ kind: 'User' | 'Group'; name: Value }>;
}

/** The `module "namespace"` call of an environment: every value is data from the spec and render. */
export function namespaceModuleCall(
  app: ResolvedApp,
  objects: KubeObject[],
  identity: DeployerIdentity,
  drill: DrillAccess,
): Block {
  const rules = deployerRules(app, objects);
  const proxy = prometheusProxyNamespace(app);
  const body: Item[] = [
    ...arg('source', '../../modules/namespace'),
    ...arg('namespace', app.namespace),
    ...arg('deployer', `${app.app}-deployer`),
    { name: 'labels', value: namespaceLabels(app, objects) },
    { name: 'rules', value: rules.map(ruleValue) },
    ...arg('prometheus_namespace', proxy ?? ''),
    { name: 'extra_subjects', value: identity.subjects.map((s) => ({ kind: s.kind, name: s.name })) },
    ...(drill.namespace.length
      ? [
          ...arg('drill', `${app.app}-drill`),
          { name: 'drill_rules', value: drill.namespace.map(ruleValue) },
          { name: 'drill_cluster_rules', value: drill.cluster.map(ruleValue) },
        ]
      : []),
  ];
  return block('module', ['namespace'], body);
}

const NAMESPACE_REF = ref('kubernetes_namespace_v1.app.metadata[0].name');

function subjectBlocks(): Item[] {
  return [
    nested('subject', [
      ...arg('kind', 'ServiceAccount'),
      ...arg('name', ref('kubernetes_service_account_v1.deployer.metadata[0].name')),
      ...arg('namespace', NAMESPACE_REF),
    ]),
    {
      block: block(
        'dynamic',
        ['subject'],
        [
          ...arg('for_each', ref('var.extra_subjects')),
          nested('content', [
            ...arg('kind', ref('subject.value.kind')),
            ...arg('name', ref('subject.value.name')),
            ...arg('api_group', 'rbac.authorization.k8s.io'),
          ]),
        ],
      ),
    },
  ];
}

function roleRef(kind: 'Role' | 'ClusterRole', name: Value): Item {
  return nested('role_ref', [
    ...arg('api_group', 'rbac.authorization.k8s.io'),
    ...arg('kind', kind),
    ...arg('name', name),
  ]);
}

function metadata(name: Value, namespace?: Value, labels?: Value, annotations?: Value): Item {
  return nested('metadata', [
    ...arg('name', name),
    ...arg('namespace', namespace),
    ...arg('labels', labels),
    ...arg('annotations', annotations),
  ]);
}

/**
 * `slipway check` judges these roles with the rules each environment passes the module, and two
 * rules report grants they hold by design: the ignore says which and why, on the Role itself, where
 * a reader of the .tf or of the cluster sees it (the reasons per rule are in deployer-access.ts and
 * drill-access.ts, and docs/infrastructure.md).
 */
const DEPLOYER_IGNORES = {
  'slipway.dev/ignore': 'rbac-create-workloads,rbac-secret-read',
  'slipway.dev/ignore-reason':
    'slipway deploy applies the rendered Deployments, StatefulSets, Jobs and CronJobs (server-side apply creates them), and keeps the release history in Secrets, which it lists and reads; the namespace enforces Pod Security',
};
const DRILL_IGNORES = {
  'slipway.dev/ignore': 'rbac-create-workloads,rbac-secret-read',
  'slipway.dev/ignore-reason':
    "slipway backup drill runs the restore Job, reads the dependency's credentials to copy them into its scratch namespace and records its result on the release Secret",
};
const DRILL_CLUSTER_IGNORES = {
  'slipway.dev/ignore': 'rbac-create-workloads',
  'slipway.dev/ignore-reason':
    'slipway backup drill creates the scratch copy of the dependency (its StatefulSet) in a namespace it creates and deletes',
};

/** `modules/namespace/main.tf`: the same for every environment, driven by its variables. */
export function namespaceModuleBlocks(): Block[] {
  const deployer = ref('var.deployer');
  const roleName = ref('kubernetes_role_v1.deployer.metadata[0].name');
  const clusterRoleName = ref('kubernetes_cluster_role_v1.namespace.metadata[0].name');
  return [
    block(
      'resource',
      ['kubernetes_namespace_v1', 'app'],
      [metadata(ref('var.namespace'), undefined, ref('var.labels'))],
    ),
    block(
      'resource',
      ['kubernetes_service_account_v1', 'deployer'],
      [metadata(deployer, NAMESPACE_REF), ...arg('automount_service_account_token', false)],
    ),
    block(
      'resource',
      ['kubernetes_secret_v1', 'deployer_token'],
      [
        nested('metadata', [
          ...arg('name', ref('"${var.deployer}-token"')),
          ...arg('namespace', NAMESPACE_REF),
          ...arg('annotations', {
            'kubernetes.io/service-account.name': ref(
              'kubernetes_service_account_v1.deployer.metadata[0].name',
            ),
          }),
        ]),
        ...arg('type', 'kubernetes.io/service-account-token'),
        ...arg('wait_for_service_account_token', true),
      ],
    ),
    block(
      'resource',
      ['kubernetes_role_v1', 'deployer'],
      [
        metadata(deployer, NAMESPACE_REF, undefined, DEPLOYER_IGNORES),
        {
          block: block(
            'dynamic',
            ['rule'],
            [
              ...arg('for_each', ref('var.rules')),
              nested('content', [
                ...arg('api_groups', ref('rule.value.api_groups')),
                ...arg('resources', ref('rule.value.resources')),
                ...arg('verbs', ref('rule.value.verbs')),
              ]),
            ],
          ),
        },
      ],
    ),
    block(
      'resource',
      ['kubernetes_role_binding_v1', 'deployer'],
      [metadata(deployer, NAMESPACE_REF), roleRef('Role', roleName), ...subjectBlocks()],
    ),
    block(
      'resource',
      ['kubernetes_cluster_role_v1', 'namespace'],
      [
        metadata(ref('"${var.deployer}-${var.namespace}-namespace"')),
        nested('rule', [
          ...arg('api_groups', [NAMESPACE_RULE.apiGroup]),
          ...arg('resources', [NAMESPACE_RULE.resource]),
          ...arg('verbs', NAMESPACE_RULE.verbs),
          ...arg('resource_names', [NAMESPACE_REF]),
        ]),
        nested('rule', [
          ...arg('api_groups', [ADMISSION_BINDINGS_RULE.apiGroup]),
          ...arg('resources', [ADMISSION_BINDINGS_RULE.resource]),
          ...arg('verbs', ADMISSION_BINDINGS_RULE.verbs),
        ]),
      ],
    ),
    block(
      'resource',
      ['kubernetes_cluster_role_binding_v1', 'namespace'],
      [metadata(clusterRoleName), roleRef('ClusterRole', clusterRoleName), ...subjectBlocks()],
    ),
    block(
      'resource',
      ['kubernetes_role_v1', 'prometheus_proxy'],
      [
        ...arg('count', ref('var.prometheus_namespace == "" ? 0 : 1')),
        metadata(ref('"${var.deployer}-${var.namespace}-prometheus"'), ref('var.prometheus_namespace')),
        nested('rule', [
          ...arg('api_groups', ['']),
          ...arg('resources', ['services/proxy']),
          ...arg('verbs', ['get']),
        ]),
      ],
    ),
    block(
      'resource',
      ['kubernetes_role_binding_v1', 'prometheus_proxy'],
      [
        ...arg('count', ref('var.prometheus_namespace == "" ? 0 : 1')),
        metadata(
          ref('kubernetes_role_v1.prometheus_proxy[0].metadata[0].name'),
          ref('var.prometheus_namespace'),
        ),
        roleRef('Role', ref('kubernetes_role_v1.prometheus_proxy[0].metadata[0].name')),
        ...subjectBlocks(),
      ],
    ),
    ...drillBlocks(),
  ];
}

const DRILL_COUNT = ref('var.drill == "" ? 0 : 1');
const DRILL_CLUSTER_COUNT = ref('var.drill == "" || length(var.drill_cluster_rules) == 0 ? 0 : 1');
const DRILL_SA = ref('kubernetes_service_account_v1.drill[0].metadata[0].name');

function dynamicRules(variable: string): Item {
  return {
    block: block(
      'dynamic',
      ['rule'],
      [
        ...arg('for_each', ref(variable)),
        nested('content', [
          ...arg('api_groups', ref('rule.value.api_groups')),
          ...arg('resources', ref('rule.value.resources')),
          ...arg('verbs', ref('rule.value.verbs')),
        ]),
      ],
    ),
  };
}

function drillSubject(): Item {
  return nested('subject', [
    ...arg('kind', 'ServiceAccount'),
    ...arg('name', DRILL_SA),
    ...arg('namespace', NAMESPACE_REF),
  ]);
}

/**
 * The restore drill's identity (drill-access.ts): its own ServiceAccount and token, a Role in the
 * app's namespace, and a ClusterRole for the scratch namespaces it creates and deletes.
 */
function drillBlocks(): Block[] {
  const roleName = ref('kubernetes_role_v1.drill[0].metadata[0].name');
  const clusterRoleName = ref('kubernetes_cluster_role_v1.drill[0].metadata[0].name');
  return [
    block(
      'resource',
      ['kubernetes_service_account_v1', 'drill'],
      [
        ...arg('count', DRILL_COUNT),
        metadata(ref('var.drill'), NAMESPACE_REF),
        ...arg('automount_service_account_token', false),
      ],
    ),
    block(
      'resource',
      ['kubernetes_secret_v1', 'drill_token'],
      [
        ...arg('count', DRILL_COUNT),
        nested('metadata', [
          ...arg('name', ref('"${var.drill}-token"')),
          ...arg('namespace', NAMESPACE_REF),
          ...arg('annotations', { 'kubernetes.io/service-account.name': DRILL_SA }),
        ]),
        ...arg('type', 'kubernetes.io/service-account-token'),
        ...arg('wait_for_service_account_token', true),
      ],
    ),
    block(
      'resource',
      ['kubernetes_role_v1', 'drill'],
      [
        ...arg('count', DRILL_COUNT),
        metadata(ref('var.drill'), NAMESPACE_REF, undefined, DRILL_IGNORES),
        dynamicRules('var.drill_rules'),
      ],
    ),
    block(
      'resource',
      ['kubernetes_role_binding_v1', 'drill'],
      [
        ...arg('count', DRILL_COUNT),
        metadata(roleName, NAMESPACE_REF),
        roleRef('Role', roleName),
        drillSubject(),
      ],
    ),
    block(
      'resource',
      ['kubernetes_cluster_role_v1', 'drill'],
      [
        ...arg('count', DRILL_CLUSTER_COUNT),
        metadata(ref('"${var.drill}-${var.namespace}"'), undefined, undefined, DRILL_CLUSTER_IGNORES),
        dynamicRules('var.drill_cluster_rules'),
      ],
    ),
    block(
      'resource',
      ['kubernetes_cluster_role_binding_v1', 'drill'],
      [
        ...arg('count', DRILL_CLUSTER_COUNT),
        metadata(clusterRoleName),
        roleRef('ClusterRole', clusterRoleName),
        drillSubject(),
      ],
    ),
  ];
}

export function namespaceModuleVariables(): Block[] {
  const variable = (name: string, type: string, description: string, dflt?: Value) =>
    block(
      'variable',
      [name],
      [...arg('type', ref(type)), ...arg('description', description), ...arg('default', dflt)],
    );
  return [
    variable('namespace', 'string', 'The namespace the app is deployed to.'),
    variable('deployer', 'string', 'Name of the ServiceAccount, Role and RoleBinding slipway deploy uses.'),
    variable('labels', 'map(string)', 'Namespace labels, Pod Security admission levels among them.'),
    variable(
      'rules',
      'list(object({ api_groups = list(string), resources = list(string), verbs = list(string) }))',
      'The Role rules slipway deploy needs, derived from the deploy engine.',
    ),
    variable('prometheus_namespace', 'string', 'Where the in-cluster Prometheus runs ("" for none).', ''),
    variable(
      'extra_subjects',
      'list(object({ kind = string, name = string }))',
      'Users or groups (the cloud identity CI signs in as) bound to the deployer Role.',
      [],
    ),
    variable(
      'drill',
      'string',
      'Name of the ServiceAccount slipway backup drill runs as ("" when nothing is backed up).',
      '',
    ),
    variable(
      'drill_rules',
      'list(object({ api_groups = list(string), resources = list(string), verbs = list(string) }))',
      "The drill's Role rules in the app's namespace (restore Job, its log, credentials, release record).",
      [],
    ),
    variable(
      'drill_cluster_rules',
      'list(object({ api_groups = list(string), resources = list(string), verbs = list(string) }))',
      "The drill's ClusterRole rules: the scratch namespaces it creates and deletes, and the copy in them.",
      [],
    ),
  ];
}

export function namespaceModuleOutputs(): Block[] {
  return [
    block('output', ['namespace'], [...arg('value', NAMESPACE_REF)]),
    block(
      'output',
      ['deployer_service_account'],
      [...arg('value', ref('kubernetes_service_account_v1.deployer.metadata[0].name'))],
    ),
    block(
      'output',
      ['deployer_token_secret'],
      [
        ...arg(
          'description',
          'The Secret holding the deployer token, for a kubeconfig where no cloud identity is used.',
        ),
        ...arg('value', ref('kubernetes_secret_v1.deployer_token.metadata[0].name')),
      ],
    ),
    block(
      'output',
      ['drill_service_account'],
      [
        ...arg(
          'value',
          ref('var.drill == "" ? null : kubernetes_service_account_v1.drill[0].metadata[0].name'),
        ),
      ],
    ),
    block(
      'output',
      ['drill_token_secret'],
      [
        ...arg(
          'description',
          'The Secret holding the token slipway backup drill runs with (its kubeconfig).',
        ),
        ...arg('value', ref('var.drill == "" ? null : kubernetes_secret_v1.drill_token[0].metadata[0].name')),
      ],
    ),
  ];
}
