import { arr, get, getPath, isObj, objs, str } from '../access.js';
import { indexOf } from '../index-set.js';
import { policyRules, ruleAllows } from '../rbac.js';
import { matchesLabelSelector, matchesMapSelector } from '../selectors.js';
import type { Manifest, Path, Rule, Violation } from '../types.js';
import { containersOf, workloadOf } from '../workloads.js';
import { RESOURCE_KINDS } from '../admission/model.js';
import { labelKeyOk, labelValueOk, mapOr } from './cel.js';
import { kindRule, setRule, workloadRule } from './define.js';

/** Mistakes the API server accepts or rejects late, found across objects or inside one. */

const duplicateEnv = workloadRule(
  {
    id: 'env-duplicate',
    admission: {
      kinds: 'workloads',
      expression:
        "variables.allContainers.all(c, !has(c.env) || c.env.all(e, !has(e.name) || e.name == '' || c.env.filter(x, has(x.name) && x.name == e.name).size() == 1))",
      message: 'no container may list the same env name twice',
    },
    title: 'Environment variable defined twice',
    severity: 'warning',
    category: 'correctness',
    checks: 'No container may list the same env[].name twice.',
    rationale: 'The last definition silently wins; the first one looks effective in review but is not.',
    remediation: 'Remove one of the two entries.',
  },
  (w) =>
    containersOf(w).flatMap((c) => {
      const seen = new Set<string>();
      return arr(c.container.env).flatMap((e, i): Violation[] => {
        const name = str(get(e, 'name'));
        if (!name) return [];
        if (seen.has(name))
          return [
            {
              manifest: w.manifest,
              path: [...c.path, 'env', i, 'name'],
              container: c.name,
              message: `container "${c.name}" defines ${name} twice; this later value wins`,
            },
          ];
        seen.add(name);
        return [];
      });
    }),
);

const policySelectsNothing = kindRule(
  {
    id: 'net-policy-selects-nothing',
    title: 'NetworkPolicy selects no pod template',
    severity: 'warning',
    category: 'networking',
    checks:
      'A NetworkPolicy with a non-empty podSelector must match the pod template labels of a workload in the input (same namespace); `podSelector: {}` always matches; namespaces with custom resources in the input (an operator may create the pods) are skipped.',
    rationale:
      'A policy that selects nothing protects nothing, usually because of a label typo, while reviewers believe the pods are isolated.',
    remediation: "Fix spec.podSelector to match the pods' labels.",
  },
  ['NetworkPolicy'],
  (m, ctx) => {
    const selector = get(m.body, 'spec', 'podSelector');
    if (!isObj(selector) || Object.keys(selector).length === 0) return [];
    const ns = m.ref.namespace ?? 'default';
    if (indexOf(ctx.manifests).hasCustomResources(ns)) return [];
    const hit = indexOf(ctx.manifests)
      .workloadsIn(ns, selector)
      .some((w) => matchesLabelSelector(selector, w.labels));
    return hit
      ? []
      : [
          {
            manifest: m,
            path: ['spec', 'podSelector'],
            message: `podSelector matches no pod template in namespace "${ns}"`,
          },
        ];
  },
);

const writableHostPath = workloadRule(
  {
    id: 'sec-writable-host-path',
    admission: {
      kinds: 'workloads',
      expression:
        '!has(variables.podSpec.volumes) || variables.allContainers.all(c, !has(c.volumeMounts) || c.volumeMounts.all(m, (has(m.readOnly) && m.readOnly == true) || !variables.podSpec.volumes.exists(v, has(v.hostPath) && v.hostPath != null && has(v.name) && has(m.name) && v.name == m.name)))',
      message: 'volumeMounts of hostPath volumes must set readOnly: true',
    },
    title: 'hostPath mounted writable',
    severity: 'warning',
    category: 'security',
    checks: 'A volumeMount of a hostPath volume must set readOnly: true.',
    rationale:
      'A writable node directory lets the pod plant files the node or other pods will execute or trust.',
    remediation:
      'Set readOnly: true on the volumeMount, or use a volume type that is not the node filesystem.',
  },
  (w) => {
    const hostPaths = new Set(
      objs(w.podSpec.volumes)
        .filter((v) => v.hostPath !== undefined && v.hostPath !== null)
        .map((v) => str(v.name)),
    );
    if (hostPaths.size === 0) return [];
    return containersOf(w).flatMap((c) =>
      arr(c.container.volumeMounts).flatMap((vm, i): Violation[] =>
        isObj(vm) && hostPaths.has(str(vm.name)) && vm.readOnly !== true
          ? [
              {
                manifest: w.manifest,
                path: [...c.path, 'volumeMounts', i],
                container: c.name,
                message: `container "${c.name}" mounts hostPath volume "${String(vm.name)}" writable`,
              },
            ]
          : [],
      ),
    );
  },
);

/** Resources whose create starts pods, with their API groups. */
const WORKLOAD_RESOURCES: Record<string, string> = {
  pods: '',
  deployments: 'apps',
  statefulsets: 'apps',
  daemonsets: 'apps',
  replicasets: 'apps',
  jobs: 'batch',
  cronjobs: 'batch',
};

const createPods = kindRule(
  {
    id: 'rbac-create-workloads',
    admission: {
      kinds: ['Role', 'ClusterRole'],
      expression:
        "!has(object.rules) || object.rules == null || !object.rules.exists(r, has(r.resources) && r.resources != null && r.resources.exists(res, res in {'pods': '', 'deployments': 'apps', 'statefulsets': 'apps', 'daemonsets': 'apps', 'replicasets': 'apps', 'jobs': 'batch', 'cronjobs': 'batch'} && has(r.verbs) && r.verbs != null && r.verbs.exists(v, v == '*' || v == 'create') && has(r.apiGroups) && r.apiGroups != null && r.apiGroups.exists(g, g == '*' || g == {'pods': '', 'deployments': 'apps', 'statefulsets': 'apps', 'daemonsets': 'apps', 'replicasets': 'apps', 'jobs': 'batch', 'cronjobs': 'batch'}[res])))",
      message: 'a role must not grant create on pods or workload resources',
    },
    title: 'Permission to create pods or workloads',
    severity: 'warning',
    category: 'rbac',
    checks:
      'A Role or ClusterRole rule must not grant create (or `*` verbs) on pods or on workload resources (deployments, statefulsets, daemonsets, replicasets, jobs, cronjobs) in their API group (or `*`). A `*` resource is reported by rbac-wildcard.',
    rationale:
      'Whoever can create a pod can run it with any ServiceAccount of the namespace and mount its Secrets: an escalation path to every permission in the namespace.',
    remediation:
      'Grant it only to deployment automation, and pair it with Pod Security Admission on the namespace.',
  },
  ['Role', 'ClusterRole'],
  (m) =>
    policyRules(m.body).flatMap((r) =>
      r.resources.flatMap((res, i): Violation[] => {
        const group = WORKLOAD_RESOURCES[res];
        return group !== undefined &&
          Object.hasOwn(WORKLOAD_RESOURCES, res) &&
          ruleAllows(r, { verb: 'create', apiGroup: group, resource: res })
          ? [
              {
                manifest: m,
                path: ['rules', r.index, 'resources', i],
                message: `rule ${r.index} allows creating ${res}`,
              },
            ]
          : [];
      }),
    ),
);

const statefulSetService = kindRule(
  {
    id: 'avail-statefulset-service',
    title: "StatefulSet's governing Service missing",
    severity: 'warning',
    category: 'availability',
    checks:
      'spec.serviceName of a StatefulSet must be set and name a Service in the input in the same namespace that is headless (clusterIP: None) and whose selector matches the pod template labels.',
    rationale:
      'The pods get their stable DNS names (pod-0.service) from that headless Service; without it, with a cluster IP, or selecting other pods, peers cannot find each other.',
    remediation: 'Add a headless Service (clusterIP: None) with that name selecting the pods.',
  },
  ['StatefulSet'],
  (m, ctx) => {
    const name = str(get(m.body, 'spec', 'serviceName'));
    if (!name)
      return [
        {
          manifest: m,
          path: ['spec', 'serviceName'],
          message: 'no spec.serviceName: the pods get no stable DNS names',
        },
      ];
    const ns = m.ref.namespace ?? 'default';
    const svc = indexOf(ctx.manifests).find('Service', ns, name);
    if (!svc)
      return [
        {
          manifest: m,
          path: ['spec', 'serviceName'],
          message: `Service "${name}" is not in the input (namespace "${ns}")`,
        },
      ];
    if (get(svc.body, 'spec', 'clusterIP') !== 'None')
      return [
        {
          manifest: m,
          path: ['spec', 'serviceName'],
          message: `Service "${name}" is not headless (spec.clusterIP is not None), so the pods get no per-pod DNS records`,
        },
      ];
    const w = workloadOf(m);
    return w && !matchesMapSelector(get(svc.body, 'spec', 'selector'), w.labels)
      ? [
          {
            manifest: m,
            path: ['spec', 'serviceName'],
            message: `Service "${name}" does not select this StatefulSet's pods (its selector does not match the pod template labels)`,
          },
        ]
      : [];
  },
);

const cronDeadline = kindRule(
  {
    id: 'cronjob-deadline',
    admission: {
      kinds: ['CronJob'],
      expression: 'has(object.spec.startingDeadlineSeconds)',
      message: 'a CronJob should set spec.startingDeadlineSeconds',
    },
    title: 'CronJob without startingDeadlineSeconds',
    severity: 'info',
    category: 'availability',
    checks: 'A CronJob should set spec.startingDeadlineSeconds.',
    rationale:
      'Without it a controller that was down counts every missed schedule and stops scheduling the CronJob after 100 misses.',
    remediation: 'Set startingDeadlineSeconds to how late a run may still start (e.g. 300).',
  },
  ['CronJob'],
  (m) =>
    get(m.body, 'spec', 'startingDeadlineSeconds') === undefined
      ? [{ manifest: m, path: ['spec', 'startingDeadlineSeconds'], message: 'no startingDeadlineSeconds' }]
      : [],
);

// k8s.io/apimachinery/pkg/util/validation: qualified names and label values.
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function badKey(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    return `prefix "${prefix}" is not a DNS subdomain`;
  if (name.length > 63 || !NAME.test(name))
    return `name part "${name}" must be at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`;
  return undefined;
}

function badValue(value: string): string | undefined {
  if (value === '') return undefined;
  return value.length > 63 || !NAME.test(value)
    ? `value "${value}" must be at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`
    : undefined;
}

/** Labels (keys, and values that are strings) and annotation keys of metadata `m` (a map) are valid, in CEL. */
const metadataOk = (m: string) =>
  `${mapOr(m, 'labels')}.all(k, ${labelKeyOk('k')} && (type(${m}.labels[k]) != string || ${labelValueOk(`${m}.labels[k]`)})) && ${mapOr(m, 'annotations')}.all(k, ${labelKeyOk('k')})`;

const labels = setRule(
  {
    id: 'metadata-labels',
    // Every kind an admission policy can name; the pod template's metadata of workloads too.
    admission: {
      kinds: Object.keys(RESOURCE_KINDS),
      expression: `${metadataOk('object.metadata')} && ${metadataOk('variables.podMeta')}`,
      message:
        'label keys and values, and annotation keys, must be at most 63 of [A-Za-z0-9-_.] starting and ending alphanumeric, with an optional DNS-subdomain prefix',
    },
    crossObject: false,
    title: 'Invalid label or annotation key, or label value',
    severity: 'error',
    category: 'correctness',
    checks:
      'Label keys and values, and annotation keys, of objects and pod templates must follow the Kubernetes syntax (63-character names of [A-Za-z0-9-_.], optional DNS-subdomain prefix).',
    rationale:
      'The API server rejects the object; a version like `1.2+build` or a space in a label value is a common cause.',
    remediation: 'Use only letters, digits, "-", "_" and "." (and start and end with a letter or digit).',
  },
  (ctx) => {
    const out: Violation[] = [];
    for (const m of ctx.manifests) {
      metadataProblems(m, METADATA, out);
      const w = workloadOf(m);
      if (w && m.ref.kind !== 'Pod') metadataProblems(m, w.podMetaPath, out);
    }
    return out;
  },
);

const METADATA: Path = ['metadata'];

/**
 * Label and annotation keys already found valid: a corpus repeats a few dozen keys on every object.
 * Bounded, so a long-lived process does not keep every key it ever saw.
 */
const validKeys = new Set<string>();

function badKeyOf(key: string): string | undefined {
  if (validKeys.has(key)) return undefined;
  const why = badKey(key);
  if (why === undefined) {
    if (validKeys.size >= 4096) validKeys.clear();
    validKeys.add(key);
  }
  return why;
}

/** metadata-labels on the metadata at `place` of `m`: labels (key, then value), then annotation keys. */
function metadataProblems(m: Manifest, place: Path, out: Violation[]): void {
  const meta = getPath(m.body, place as string[]);
  const labels = get(meta, 'labels');
  if (isObj(labels))
    for (const k of Object.keys(labels)) {
      const v = labels[k];
      const why = badKeyOf(k) ?? (typeof v === 'string' ? badValue(v) : undefined);
      if (why) out.push({ manifest: m, path: [...place, 'labels', k], message: `label ${k}: ${why}` });
    }
  const annotations = get(meta, 'annotations');
  if (isObj(annotations))
    for (const k of Object.keys(annotations)) {
      const why = badKeyOf(k);
      if (why)
        out.push({ manifest: m, path: [...place, 'annotations', k], message: `annotation ${k}: ${why}` });
    }
}

export const HYGIENE_RULES: Rule[] = [
  duplicateEnv,
  policySelectsNothing,
  writableHostPath,
  createPods,
  statefulSetService,
  cronDeadline,
  labels,
];
