import { arr, get, isObj, num, obj, str } from '../access.js';
import { indexOf } from '../index-set.js';
import type { Rule, Violation } from '../types.js';
import { containersOf, type Workload, INIT_AND_APP } from '../workloads.js';
import { workloadRule } from './define.js';

/** Security settings beyond the Pod Security Standards. */
const isWindows = (w: Workload) => get(w.podSpec, 'os', 'name') === 'windows';

/** UIDs below this may collide with users that exist on the node (kube-score's threshold). */
export const HIGH_UID = 10000;

const readOnlyRoot = workloadRule(
  {
    id: 'sec-read-only-root-fs',
    admission: {
      kinds: 'workloads',
      expression:
        "(has(variables.podSpec.os) && has(variables.podSpec.os.name) && variables.podSpec.os.name == 'windows') || variables.containers.all(c, has(c.securityContext) && has(c.securityContext.readOnlyRootFilesystem) && c.securityContext.readOnlyRootFilesystem == true)",
      message: 'securityContext.readOnlyRootFilesystem must be true on every container',
    },
    title: 'Writable root filesystem',
    severity: 'warning',
    category: 'security',
    fixable: true,
    checks:
      'securityContext.readOnlyRootFilesystem must be true on every container and init container (Windows pods are skipped: the field is not supported there).',
    rationale:
      'An attacker who gets code execution can otherwise modify binaries and drop tools into the container.',
    remediation:
      'Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the process must write (e.g. /tmp).',
  },
  (w) =>
    isWindows(w)
      ? []
      : containersOf(w, INIT_AND_APP)
          .filter((c) => get(c.container, 'securityContext', 'readOnlyRootFilesystem') !== true)
          .map((c) => {
            const path = [...c.path, 'securityContext', 'readOnlyRootFilesystem'];
            return {
              manifest: w.manifest,
              path,
              container: c.name,
              message: `container "${c.name}" has a writable root filesystem`,
              fix: [{ path, value: true }],
            };
          }),
);

const highUid = workloadRule(
  {
    id: 'sec-low-uid',
    admission: {
      kinds: 'workloads',
      expression:
        "(has(variables.podSpec.os) && has(variables.podSpec.os.name) && variables.podSpec.os.name == 'windows') || variables.containers.all(c, [(has(c.securityContext) && has(c.securityContext.runAsUser) ? c.securityContext.runAsUser : (has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.runAsUser) ? variables.podSpec.securityContext.runAsUser : null))].all(u, u != null && (u == 0 || u >= 10000)))",
      message: 'runAsUser (container, else pod) must be set and at least 10000',
    },
    title: 'User ID not above 10000',
    severity: 'info',
    category: 'security',
    checks: `The effective runAsUser (container, else pod) must be set and at least ${HIGH_UID}. UID 0 is reported by pss-run-as-user instead.`,
    rationale:
      "A low UID may match a real user on the node; if the container escapes it acts with that user's rights.",
    remediation: `Set securityContext.runAsUser to a UID of ${HIGH_UID} or more.`,
  },
  (w) => {
    if (isWindows(w)) return [];
    const podUid = num(get(w.podSpec, 'securityContext', 'runAsUser'));
    return containersOf(w, INIT_AND_APP).flatMap((c): Violation[] => {
      const own = num(get(c.container, 'securityContext', 'runAsUser'));
      const uid = own ?? podUid;
      if (uid === 0 || (uid !== undefined && uid >= HIGH_UID)) return [];
      const path =
        own !== undefined
          ? [...c.path, 'securityContext', 'runAsUser']
          : podUid !== undefined
            ? [...w.podSpecPath, 'securityContext', 'runAsUser']
            : [...c.path, 'securityContext', 'runAsUser'];
      const message =
        uid === undefined
          ? `container "${c.name}" runs as the image's user (runAsUser is not set)`
          : `container "${c.name}" runs as UID ${uid}, below ${HIGH_UID}`;
      return [{ manifest: w.manifest, path, container: c.name, message }];
    });
  },
);

const rootGroup = workloadRule(
  {
    id: 'sec-root-group',
    admission: {
      kinds: 'workloads',
      expression:
        '!(has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.runAsGroup) && variables.podSpec.securityContext.runAsGroup == 0) && !(has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.fsGroup) && variables.podSpec.securityContext.fsGroup == 0) && !(has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.supplementalGroups) && variables.podSpec.securityContext.supplementalGroups != null && variables.podSpec.securityContext.supplementalGroups.exists(g, g == 0)) && variables.allContainers.all(c, !(has(c.securityContext) && has(c.securityContext.runAsGroup) && c.securityContext.runAsGroup == 0))',
      message: 'runAsGroup, fsGroup and supplementalGroups must not be 0',
    },
    title: 'Runs with group 0',
    severity: 'warning',
    category: 'security',
    checks: 'runAsGroup (pod and containers), fsGroup and supplementalGroups must not be 0.',
    rationale: 'Group 0 (root) owns many files on the node and in images; membership grants access to them.',
    remediation: 'Use a non-zero group ID.',
  },
  (w) => {
    const out: Violation[] = [];
    const sc = [...w.podSpecPath, 'securityContext'];
    const pod = obj(w.podSpec.securityContext) ?? {};
    for (const f of ['runAsGroup', 'fsGroup'] as const)
      if (pod[f] === 0) out.push({ manifest: w.manifest, path: [...sc, f], message: `pod sets ${f}=0` });
    arr(pod.supplementalGroups).forEach((g, i) => {
      if (g === 0)
        out.push({
          manifest: w.manifest,
          path: [...sc, 'supplementalGroups', i],
          message: 'pod adds supplemental group 0',
        });
    });
    for (const c of containersOf(w)) {
      if (get(c.container, 'securityContext', 'runAsGroup') === 0)
        out.push({
          manifest: w.manifest,
          path: [...c.path, 'securityContext', 'runAsGroup'],
          container: c.name,
          message: `container "${c.name}" sets runAsGroup=0`,
        });
    }
    return out;
  },
);

const automountToken = workloadRule(
  {
    id: 'sec-automount-token',
    title: 'Service account token mounted',
    severity: 'info',
    category: 'security',
    checks:
      'automountServiceAccountToken must be false on the pod, or on its ServiceAccount when that ServiceAccount is in the input.',
    rationale:
      'Most applications never call the Kubernetes API; a mounted token is a credential an attacker can use.',
    remediation:
      'Set spec.automountServiceAccountToken: false (or on the ServiceAccount); mount a projected token only where the API is used.',
  },
  (w, ctx) => {
    const own = w.podSpec.automountServiceAccountToken;
    if (own === false) return [];
    if (own === undefined) {
      const saName = str(w.podSpec.serviceAccountName) ?? str(w.podSpec.serviceAccount) ?? 'default';
      const sa = indexOf(ctx.manifests).find('ServiceAccount', w.namespace, saName);
      if (sa && sa.body.automountServiceAccountToken === false) return [];
    }
    return [
      {
        manifest: w.manifest,
        path: [...w.podSpecPath, 'automountServiceAccountToken'],
        message: 'the service account token is mounted into every container',
      },
    ];
  },
);

/** Paths whose hostPath mount hands the pod the node (runtime sockets, kubelet state, the root). */
const SENSITIVE_HOST_PATHS = [
  '/',
  '/etc',
  '/proc',
  '/sys',
  '/root',
  '/boot',
  '/dev',
  '/var/run',
  '/run',
  '/var/lib/kubelet',
  '/var/lib/docker',
  '/var/lib/containerd',
  '/etc/kubernetes',
  '/var/run/docker.sock',
  '/run/containerd/containerd.sock',
  '/var/run/containerd/containerd.sock',
  '/var/run/crio/crio.sock',
  '/run/crio/crio.sock',
];

const sensitiveHostPath = workloadRule(
  {
    id: 'sec-sensitive-host-path',
    admission: {
      kinds: 'workloads',
      expression:
        "!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !has(v.hostPath) || v.hostPath == null || !has(v.hostPath.path) || !v.hostPath.path.matches('^/$|^(?:/etc|/proc|/sys|/root|/boot|/dev|/var/run|/run|/var/lib/kubelet|/var/lib/docker|/var/lib/containerd|/etc/kubernetes|/var/run/docker\\\\.sock|/run/containerd/containerd\\\\.sock|/var/run/containerd/containerd\\\\.sock|/var/run/crio/crio\\\\.sock|/run/crio/crio\\\\.sock)/*$|\\\\.sock/*$'))",
      message: 'hostPath must not mount a container runtime socket or a node system directory',
    },
    title: 'hostPath to a container runtime socket or system directory',
    severity: 'error',
    category: 'security',
    checks: `hostPath.path must not be one of ${SENSITIVE_HOST_PATHS.join(', ')} or lie below /var/run/docker.sock-style runtime sockets.`,
    rationale:
      'Mounting the runtime socket or node system directories is a direct path to root on the node, even without privileged.',
    remediation:
      'Remove the volume; if a node agent truly needs it, isolate it in its own namespace and exempt it explicitly with a reason.',
  },
  (w) =>
    arr(w.podSpec.volumes).flatMap((v, i): Violation[] => {
      if (!isObj(v)) return [];
      const p = str(get(v, 'hostPath', 'path'));
      if (p === undefined) return [];
      const normal = p.length > 1 ? p.replace(/\/+$/, '') : p;
      if (!SENSITIVE_HOST_PATHS.includes(normal) && !/\.sock$/.test(normal)) return [];
      return [
        {
          manifest: w.manifest,
          path: [...w.podSpecPath, 'volumes', i, 'hostPath', 'path'],
          message: `volume "${str(v.name) ?? i}" mounts ${p} from the node`,
        },
      ];
    }),
);

const shareProcessNamespace = workloadRule(
  {
    id: 'sec-share-process-namespace',
    admission: {
      kinds: 'workloads',
      expression:
        '!has(variables.podSpec.shareProcessNamespace) || variables.podSpec.shareProcessNamespace != true',
      message: 'shareProcessNamespace must not be true',
    },
    title: 'Shared process namespace',
    severity: 'info',
    category: 'security',
    checks: 'spec.shareProcessNamespace must not be true.',
    rationale:
      "Containers of the pod can then see and signal each other's processes and read their environment and filesystems through /proc.",
    remediation: 'Remove shareProcessNamespace unless a debugging sidecar needs it.',
  },
  (w) =>
    w.podSpec.shareProcessNamespace === true
      ? [
          {
            manifest: w.manifest,
            path: [...w.podSpecPath, 'shareProcessNamespace'],
            message: 'containers share one process namespace',
          },
        ]
      : [],
);

export const SECURITY_RULES: Rule[] = [
  readOnlyRoot,
  highUid,
  rootGroup,
  automountToken,
  sensitiveHostPath,
  shareProcessNamespace,
];
