import { arr, get, getPath, isObj, num, obj, objs, str, strMap } from '../access.js';
import { indexOf } from '../index-set.js';
import { matchesLabelSelector } from '../selectors.js';
import type { KubeVersion, Manifest, Path, Rule, Violation } from '../types.js';
import { containersOf, type Workload, INIT_AND_APP } from '../workloads.js';
import { listOr, mapOr, scalar, stringLabel } from './cel.js';
import { kindRule, workloadRule } from './define.js';

/** Pod-level concepts kube-score and Polaris check: ports, ownership, hardening, labels, scheduling. */

// k8s.io/apimachinery validation.IsValidPortName (IANA_SVC_NAME): at most 15 characters of [a-z0-9-],
// at least one letter, no leading, trailing or doubled hyphen.
function badPortName(name: string): string | undefined {
  if (name.length > 15) return 'is longer than 15 characters';
  if (!/^[a-z0-9-]+$/.test(name)) return 'may only hold lowercase letters, digits and "-"';
  if (!/[a-z]/.test(name)) return 'must contain at least one letter';
  if (name.startsWith('-') || name.endsWith('-') || name.includes('--'))
    return 'must not start or end with "-" nor hold "--"';
  return undefined;
}

/** Same containerPort and protocol (TCP when unset), in CEL; `p` is a map. */
const samePort = (q: string, p: string) =>
  `type(${q}) == map && has(${q}.containerPort) && ${q}.containerPort == ${p}.containerPort && (has(${q}.protocol) && type(${q}.protocol) == string ? ${q}.protocol : 'TCP') == (has(${p}.protocol) && type(${p}.protocol) == string ? ${p}.protocol : 'TCP')`;
const sameName = (q: string, p: string) => `type(${q}) == map && has(${q}.name) && ${q}.name == ${p}.name`;
/** Exactly one port of the pod (across its containers) is `same` as `p` of container `c`. */
const onceInPod = (same: (q: string, p: string) => string) =>
  `variables.containers.filter(o, type(o) == map && ${listOr('o', 'ports')}.exists(q, ${same('q', 'p')})).size() == 1 && ${listOr('c', 'ports')}.filter(q, ${same('q', 'p')}).size() == 1`;

const containerPorts = workloadRule(
  {
    id: 'container-ports',
    admission: {
      kinds: 'workloads',
      expression: `variables.containers.all(c, type(c) != map || ${listOr('c', 'ports')}.all(p, type(p) != map || ((!has(p.name) || type(p.name) != string || (p.name.size() <= 15 && p.name.matches('^[a-z0-9-]+$') && p.name.matches('[a-z]') && !p.name.startsWith('-') && !p.name.endsWith('-') && !p.name.contains('--') && ${onceInPod(sameName)})) && (!has(p.containerPort) || type(p.containerPort) != int || (${onceInPod(samePort)})))))`,
      message:
        'port names must be valid (at most 15 of a-z, 0-9 and "-", with a letter) and unique in the pod, and a containerPort/protocol pair declared once',
    },
    title: 'Invalid or duplicate container port',
    severity: 'error',
    category: 'correctness',
    checks:
      'ports[].name of every container must be a valid port name (at most 15 lowercase letters, digits and "-", with a letter) and unique in the pod; a containerPort/protocol pair must not be declared twice in the pod.',
    rationale:
      'The API server rejects invalid and duplicate port names; a port declared twice makes a Service targetPort name ambiguous and its endpoints unpredictable.',
    remediation: 'Rename the port (e.g. http, metrics, grpc-api) or remove the duplicate entry.',
  },
  (w) => {
    const out: Violation[] = [];
    const names = new Map<string, string>();
    const numbers = new Map<string, string>();
    for (const c of containersOf(w, INIT_AND_APP)) {
      arr(c.container.ports).forEach((p, i) => {
        if (!isObj(p)) return;
        const path: Path = [...c.path, 'ports', i];
        const name = str(p.name);
        if (name !== undefined) {
          const why = badPortName(name);
          if (why)
            out.push({
              manifest: w.manifest,
              path: [...path, 'name'],
              container: c.name,
              message: `container "${c.name}" port name "${name}" ${why}`,
            });
          const first = names.get(name);
          if (first)
            out.push({
              manifest: w.manifest,
              path: [...path, 'name'],
              container: c.name,
              message: `port name "${name}" is already used by container "${first}"`,
            });
          else names.set(name, c.name);
        }
        const number = num(p.containerPort);
        if (number === undefined) return;
        const key = `${number}/${str(p.protocol) ?? 'TCP'}`;
        const first = numbers.get(key);
        if (first)
          out.push({
            manifest: w.manifest,
            path: [...path, 'containerPort'],
            container: c.name,
            message: `containerPort ${key} is already declared by container "${first}"`,
          });
        else numbers.set(key, c.name);
      });
    }
    return out;
  },
);

const nakedPod = kindRule(
  {
    id: 'workload-naked-pod',
    admission: {
      kinds: ['Pod'],
      expression:
        "(has(object.metadata.ownerReferences) && object.metadata.ownerReferences.exists(o, has(o.controller) && o.controller == true)) || (has(object.metadata.annotations) && 'helm.sh/hook' in object.metadata.annotations)",
      message: 'a Pod must be owned by a controller',
    },
    title: 'Pod without a controller',
    severity: 'warning',
    category: 'availability',
    checks:
      'A Pod object must be owned by a controller (metadata.ownerReferences with controller: true). Helm hook Pods (helm.sh/hook annotation, e.g. `helm test`) run once by design and are skipped.',
    rationale:
      'Nothing recreates a bare Pod when its node fails or is drained, and it cannot be rolled out or scaled.',
    remediation: 'Wrap the pod template in a Deployment, StatefulSet, DaemonSet or Job.',
  },
  ['Pod'],
  (m) =>
    objs(get(m.body, 'metadata', 'ownerReferences')).some((o) => o.controller === true) ||
    get(m.body, 'metadata', 'annotations', 'helm.sh/hook') !== undefined
      ? []
      : [{ manifest: m, path: ['metadata'], message: 'the Pod has no owning controller' }],
);

/** Kinds whose controller adopts every pod its selector matches in the namespace. */
const CONTROLLERS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
]);

function selectorOf(w: Workload): unknown {
  const sel = get(w.manifest.body, 'spec', 'selector');
  // A ReplicationController's selector is a plain map.
  return w.manifest.ref.kind === 'ReplicationController' ? { matchLabels: strMap(sel) } : sel;
}

/**
 * Controllers of a namespace keyed by one matchLabels pair of their selector (those without matchLabels
 * under ""), built once per input set, so finding the selectors that may match a pod template costs
 * one lookup per label instead of a scan of every controller.
 */
const candidateCache = new WeakMap<readonly Manifest[], Map<string, Workload[]>>();

function controllerCandidates(manifests: readonly Manifest[], w: Workload): Workload[] {
  let byPair = candidateCache.get(manifests);
  if (!byPair) {
    byPair = new Map();
    for (const o of indexOf(manifests).workloads) {
      if (!CONTROLLERS.has(o.manifest.ref.kind)) continue;
      // An owned ReplicaSet (rendered from a Deployment) shares its owner's pods by design.
      if (objs(get(o.manifest.body, 'metadata', 'ownerReferences')).length > 0) continue;
      const first = Object.entries(strMap(get(selectorOf(o), 'matchLabels')))[0];
      const key = `${o.namespace}\u0000${first ? `${first[0]}=${first[1]}` : ''}`;
      const list = byPair.get(key);
      if (list) list.push(o);
      else byPair.set(key, [o]);
    }
    candidateCache.set(manifests, byPair);
  }
  const out = [...(byPair.get(`${w.namespace}\u0000`) ?? [])];
  for (const [k, v] of Object.entries(w.labels))
    out.push(...(byPair.get(`${w.namespace}\u0000${k}=${v}`) ?? []));
  return out;
}

const multipleControllers = workloadRule(
  {
    id: 'workload-multiple-controllers',
    title: 'Pods claimed by more than one controller',
    severity: 'error',
    category: 'correctness',
    checks:
      "A pod template must not be matched by the selector of another Deployment, StatefulSet, DaemonSet, ReplicaSet or ReplicationController in its namespace, and a Pod's ownerReferences must name at most one controller.",
    rationale:
      "Controllers with overlapping selectors fight over the same pods: each scales the other's replicas away, and rollouts never settle. The API server rejects more than one controller owner.",
    remediation:
      'Give each workload a label (e.g. app.kubernetes.io/name) its selector requires and the others lack.',
  },
  (w, ctx) => {
    if (w.manifest.ref.kind === 'Pod') {
      const owners = objs(get(w.manifest.body, 'metadata', 'ownerReferences')).filter(
        (o) => o.controller === true,
      );
      return owners.length > 1
        ? [
            {
              manifest: w.manifest,
              path: ['metadata', 'ownerReferences'],
              message: `${owners.length} ownerReferences set controller: true; a pod has at most one controller`,
            },
          ]
        : [];
    }
    if (!CONTROLLERS.has(w.manifest.ref.kind) || Object.keys(w.labels).length === 0) return [];
    if (objs(get(w.manifest.body, 'metadata', 'ownerReferences')).length > 0) return [];
    const others = controllerCandidates(ctx.manifests, w).filter(
      (o) => o !== w && matchesLabelSelector(selectorOf(o), w.labels),
    );
    return others.length
      ? [
          {
            manifest: w.manifest,
            path: [...w.podMetaPath, 'labels'],
            message: `these pods are also matched by the selector of ${others.map((o) => `${o.manifest.ref.kind}/${o.manifest.ref.name}`).join(', ')}`,
          },
        ]
      : [];
  },
);

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION = 'container.seccomp.security.alpha.kubernetes.io/';

/** The seccomp annotations were honoured until Kubernetes 1.25 (the fields replaced them in 1.19). */
function annotationsHonoured(v: KubeVersion): boolean {
  return v.major === 1 && v.minor < 25;
}

function seccompAnnotation(w: Workload, container?: string): string | undefined {
  const annotations = strMap(w.podMeta.annotations);
  return (
    (container ? annotations[`${SECCOMP_CONTAINER_ANNOTATION}${container}`] : undefined) ??
    annotations[SECCOMP_POD_ANNOTATION]
  );
}

const confined = (type: unknown) => typeof type === 'string' && type !== 'Unconfined';

/** Which of the hardening mechanisms restrict this container (empty: none). */
function hardening(
  w: Workload,
  c: { container: Record<string, unknown>; name: string },
  v: KubeVersion,
): string[] {
  const out: string[] = [];
  const podSc = obj(w.podSpec.securityContext) ?? {};
  const sc = obj(c.container.securityContext) ?? {};
  const containerSeccomp = get(sc, 'seccompProfile', 'type');
  const annotated = seccompAnnotation(w, c.name);
  if (
    confined(containerSeccomp) ||
    (containerSeccomp === undefined && confined(get(podSc, 'seccompProfile', 'type'))) ||
    (annotationsHonoured(v) && annotated !== undefined && annotated !== 'unconfined')
  )
    out.push('seccomp');
  const apparmorAnnotation = strMap(w.podMeta.annotations)[
    `container.apparmor.security.beta.kubernetes.io/${c.name}`
  ];
  const containerAppArmor = get(sc, 'appArmorProfile', 'type');
  if (
    confined(containerAppArmor) ||
    (containerAppArmor === undefined && confined(get(podSc, 'appArmorProfile', 'type'))) ||
    (apparmorAnnotation !== undefined && apparmorAnnotation !== 'unconfined')
  )
    out.push('AppArmor');
  if (Object.keys(obj(sc.seLinuxOptions) ?? obj(podSc.seLinuxOptions) ?? {}).length > 0) out.push('SELinux');
  if (arr(get(sc, 'capabilities', 'drop')).length > 0) out.push('dropped capabilities');
  return out;
}

/** A profile of `sc` (a map) whose type is set, in CEL (the checker's `get(sc, field, 'type') !== undefined`). */
const profileSet = (sc: string, field: string) =>
  `(has(${sc}.${field}) && type(${sc}.${field}) == map && has(${sc}.${field}.type))`;
const profileConfined = (sc: string, field: string) =>
  `(${profileSet(sc, field)} && type(${sc}.${field}.type) == string && ${sc}.${field}.type != 'Unconfined')`;
/** The container's own profile, else the pod's. */
const confinedBy = (field: string) =>
  `(${profileConfined('sc', field)} || (!${profileSet('sc', field)} && ${profileConfined('psc', field)}))`;

const linuxHardening = workloadRule(
  {
    id: 'sec-linux-hardening',
    // Admission judges for Kubernetes >= 1.30 (ValidatingAdmissionPolicy's GA): the seccomp
    // annotations, ignored since 1.25, do not count.
    admission: {
      kinds: 'workloads',
      expression: `(has(variables.podSpec.os) && type(variables.podSpec.os) == map && has(variables.podSpec.os.name) && variables.podSpec.os.name == 'windows') || [${mapOr('variables.podSpec', 'securityContext')}].all(psc, [${mapOr('variables.podMeta', 'annotations')}].all(ann, variables.containers.all(c, type(c) != map || [${mapOr('c', 'securityContext')}].all(sc, ${confinedBy('seccompProfile')} || ${confinedBy('appArmorProfile')} || (has(c.name) && type(c.name) == string && ('container.apparmor.security.beta.kubernetes.io/' + c.name) in ann && type(ann['container.apparmor.security.beta.kubernetes.io/' + c.name]) == string && ann['container.apparmor.security.beta.kubernetes.io/' + c.name] != 'unconfined') || (has(sc.seLinuxOptions) && type(sc.seLinuxOptions) == map ? sc.seLinuxOptions.size() > 0 : ${mapOr('psc', 'seLinuxOptions')}.size() > 0) || ${listOr(mapOr('sc', 'capabilities'), 'drop')}.size() > 0))))`,
      message:
        'every container needs a seccomp or AppArmor profile other than Unconfined, SELinux options or dropped capabilities',
    },
    title: 'No Linux hardening',
    severity: 'warning',
    category: 'security',
    checks:
      'Every container must be restricted by at least one of: a seccomp profile other than Unconfined (container or pod; the pre-1.19 seccomp annotations count when --kube-version is below 1.25, when they were still honoured), an AppArmor profile other than Unconfined, SELinux options, or dropped capabilities. Windows pods are skipped.',
    rationale:
      'Without any of them the container has the runtime defaults at best and every syscall and capability the kernel allows at worst; one of them is the floor for a container escape to be hard.',
    remediation:
      'Set securityContext.seccompProfile.type: RuntimeDefault on the pod and capabilities.drop: [ALL] on each container.',
  },
  (w, ctx) => {
    if (get(w.podSpec, 'os', 'name') === 'windows') return [];
    return containersOf(w, INIT_AND_APP).flatMap((c): Violation[] =>
      hardening(w, c, ctx.options.kubeVersion).length > 0
        ? []
        : [
            {
              manifest: w.manifest,
              path: [...c.path, 'securityContext'],
              container: c.name,
              message: `container "${c.name}" has no seccomp profile, AppArmor profile, SELinux options or dropped capabilities`,
            },
          ],
    );
  },
);

const seccompAnnotationRule = workloadRule(
  {
    id: 'sec-seccomp-annotation',
    // Admission judges for Kubernetes >= 1.30, where the annotations are ignored.
    admission: {
      kinds: 'workloads',
      expression: `!${mapOr('variables.podMeta', 'annotations')}.exists(k, (k == '${SECCOMP_POD_ANNOTATION}' || k.startsWith('${SECCOMP_CONTAINER_ANNOTATION}')) && type(variables.podMeta.annotations[k]) == string) || has(${mapOr('variables.podSpec', 'securityContext')}.seccompProfile)`,
      message:
        'the seccomp.security.alpha.kubernetes.io annotations are ignored since Kubernetes 1.25: set securityContext.seccompProfile',
    },
    title: 'Seccomp set by the removed annotation',
    severity: 'warning',
    category: 'security',
    checks:
      'With --kube-version 1.25 or later, a pod template must not rely on the seccomp.security.alpha.kubernetes.io annotations without the matching securityContext.seccompProfile (below 1.25 the annotations are honoured and not reported).',
    rationale:
      'The annotations were deprecated in 1.19 and are ignored from 1.25: the container silently runs without the profile the manifest asks for.',
    remediation:
      'Move the profile to securityContext.seccompProfile (runtime/default is type: RuntimeDefault).',
  },
  (w, ctx) => {
    if (annotationsHonoured(ctx.options.kubeVersion)) return [];
    const annotations = strMap(w.podMeta.annotations);
    const keys = Object.keys(annotations).filter(
      (k) => k === SECCOMP_POD_ANNOTATION || k.startsWith(SECCOMP_CONTAINER_ANNOTATION),
    );
    if (keys.length === 0 || get(w.podSpec, 'securityContext', 'seccompProfile') !== undefined) return [];
    return keys.map((k) => ({
      manifest: w.manifest,
      path: [...w.podMetaPath, 'annotations', k],
      message: `annotation ${k} is ignored by Kubernetes ${ctx.options.kubeVersion.major}.${ctx.options.kubeVersion.minor}; set securityContext.seccompProfile`,
    }));
  },
);

const priorityClass = workloadRule(
  {
    id: 'sched-priority-class',
    admission: {
      kinds: 'workloads',
      expression: "has(variables.podSpec.priorityClassName) && variables.podSpec.priorityClassName != ''",
      message: 'the pod spec must set priorityClassName',
    },
    title: 'No priority class',
    severity: 'info',
    category: 'availability',
    enabledByDefault: false,
    checks: 'The pod spec must set priorityClassName. Off by default; enable it in .slipway-check.yaml.',
    rationale:
      'Under resource pressure the scheduler preempts lower-priority pods first; without a class every pod has priority 0 and a batch job can displace the API.',
    remediation: 'Create PriorityClasses for your tiers and set priorityClassName on each workload.',
  },
  (w) =>
    str(w.podSpec.priorityClassName)
      ? []
      : [
          {
            manifest: w.manifest,
            path: [...w.podSpecPath, 'priorityClassName'],
            message: 'no priorityClassName',
          },
        ],
);

const jobRestartPolicy = kindRule(
  {
    id: 'job-restart-policy',
    admission: {
      kinds: ['Job', 'CronJob'],
      expression:
        "has(variables.podSpec.restartPolicy) && variables.podSpec.restartPolicy in ['OnFailure', 'Never']",
      message: 'the pod template of a Job must set restartPolicy OnFailure or Never',
    },
    title: 'Job or CronJob pods with restartPolicy Always',
    severity: 'error',
    category: 'correctness',
    checks:
      'The pod template of a Job or CronJob must set restartPolicy OnFailure or Never (the pod default, Always, is rejected for Jobs).',
    rationale:
      'The API server rejects the Job, so the CronJob creates no run at all; it shows only when the schedule fires.',
    remediation: 'Set restartPolicy: OnFailure (retry in place) or Never (a new pod per retry).',
  },
  ['Job', 'CronJob'],
  (m) => {
    const path: Path =
      m.ref.kind === 'CronJob'
        ? ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'restartPolicy']
        : ['spec', 'template', 'spec', 'restartPolicy'];
    const policy = getPath(m.body, path as string[]);
    if (policy === 'OnFailure' || policy === 'Never') return [];
    return [
      {
        manifest: m,
        path,
        message:
          policy === undefined
            ? 'restartPolicy is not set; the default Always is invalid for Job pods'
            : `restartPolicy ${String(policy)} is invalid for Job pods`,
      },
    ];
  },
);

const RECOMMENDED_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/component',
  'app.kubernetes.io/part-of',
];

/** The legacy `app` label of `m` agrees with app.kubernetes.io/name or instance when both are there. */
const appAgrees = (m: string) =>
  `(!${stringLabel(m, 'app')} || !(${stringLabel(m, 'app.kubernetes.io/name')} || ${stringLabel(m, 'app.kubernetes.io/instance')}) || (${stringLabel(m, 'app.kubernetes.io/name')} && string(${m}.labels.app) == string(${m}.labels['app.kubernetes.io/name'])) || (${stringLabel(m, 'app.kubernetes.io/instance')} && string(${m}.labels.app) == string(${m}.labels['app.kubernetes.io/instance'])))`;

const appLabels = workloadRule(
  {
    id: 'metadata-app-labels',
    admission: {
      kinds: 'workloads',
      expression: `object.kind == 'Pod' || ([${RECOMMENDED_LABELS.map((k) => `'${k}'`).join(', ')}].all(k, !(has(object.metadata.labels) && type(object.metadata.labels) == map && k in object.metadata.labels && ${scalar('object.metadata.labels[k]')} && has(variables.podMeta.labels) && type(variables.podMeta.labels) == map && k in variables.podMeta.labels && ${scalar('variables.podMeta.labels[k]')}) || string(object.metadata.labels[k]) == string(variables.podMeta.labels[k])) && ${appAgrees('object.metadata')} && ${appAgrees('variables.podMeta')})`,
      message:
        'the object and its pod template must give the recommended app.kubernetes.io labels the same values, and app must equal app.kubernetes.io/name or instance',
    },
    title: 'Workload and pod labels disagree',
    severity: 'warning',
    category: 'correctness',
    checks:
      'A workload and its pod template must not give different values to the same recommended label (app.kubernetes.io/name, instance, component, part-of), and the legacy `app` label must equal app.kubernetes.io/name or app.kubernetes.io/instance when both are set.',
    rationale:
      'Dashboards, NetworkPolicies and `kubectl -l` select by these labels; when the object and its pods disagree, the pods are counted as another application.',
    remediation: 'Give the object and its pod template the same values (slipway render does).',
  },
  (w) => {
    if (w.manifest.ref.kind === 'Pod') return [];
    const own = strMap(get(w.manifest.body, 'metadata', 'labels'));
    const out: Violation[] = [];
    for (const key of RECOMMENDED_LABELS)
      if (own[key] !== undefined && w.labels[key] !== undefined && own[key] !== w.labels[key])
        out.push({
          manifest: w.manifest,
          path: [...w.podMetaPath, 'labels', key],
          message: `label ${key} is "${w.labels[key]}" on the pods but "${own[key]}" on the ${w.manifest.ref.kind}`,
        });
    for (const [labels, path] of [
      [own, ['metadata', 'labels', 'app']],
      [w.labels, [...w.podMetaPath, 'labels', 'app']],
    ] as const) {
      const app = labels.app;
      const name = labels['app.kubernetes.io/name'];
      const instance = labels['app.kubernetes.io/instance'];
      if (
        app !== undefined &&
        (name !== undefined || instance !== undefined) &&
        app !== name &&
        app !== instance
      )
        out.push({
          manifest: w.manifest,
          path,
          message: `label app "${app}" matches neither app.kubernetes.io/name${name ? ` "${name}"` : ''} nor app.kubernetes.io/instance${instance ? ` "${instance}"` : ''}`,
        });
    }
    return out;
  },
);

export const POD_RULES: Rule[] = [
  containerPorts,
  nakedPod,
  multipleControllers,
  linuxHardening,
  seccompAnnotationRule,
  priorityClass,
  jobRestartPolicy,
  appLabels,
];
