import { arr, get, isObj, obj, objs, str } from '../access.js';
import type { FixOp, KubeVersion, Path } from '../types.js';
import { containersOf, type Workload } from '../workloads.js';
import { atLeast } from './version.js';

/**
 * Pod Security Standards, Baseline level, decided the way kubernetes/pod-security-admission does
 * (staging/src/k8s.io/pod-security-admission/policy/check_*.go, release 1.35/1.36). Each check returns
 * the offending fields; an empty list means the pod is allowed by that check.
 */
export interface PssHit {
  path: Path;
  message: string;
  container?: string;
  fix?: FixOp[];
}

export interface PssCheck {
  id: string;
  level: 'baseline' | 'restricted';
  /** Baseline check replaced by this one when the Restricted level is evaluated. */
  overrides?: string;
  /** Policy version the check first applies at (hostProbesAndHostLifecycle: 1.34). */
  since?: KubeVersion;
  run(w: Workload, version: KubeVersion): PssHit[];
}

const sc = (w: Workload): Path => [...w.podSpecPath, 'securityContext'];

const HOST_NAMESPACES = ['hostNetwork', 'hostPID', 'hostIPC'] as const;

export const hostNamespaces: PssCheck = {
  id: 'hostNamespaces',
  level: 'baseline',
  run: (w) => {
    const hits: PssHit[] = [];
    for (const f of HOST_NAMESPACES)
      if (w.podSpec[f] === true)
        hits.push({
          path: [...w.podSpecPath, f],
          message: `${f}=true shares the node's namespace with the pod`,
        });
    return hits;
  },
};

export const privileged: PssCheck = {
  id: 'privileged',
  level: 'baseline',
  run: (w) =>
    containersOf(w)
      .filter((c) => get(c.container, 'securityContext', 'privileged') === true)
      .map((c) => ({
        path: [...c.path, 'securityContext', 'privileged'],
        container: c.name,
        message: `container "${c.name}" is privileged (securityContext.privileged=true)`,
      })),
};

// check_capabilities_baseline.go, capabilities_allowed_1_0 (unchanged since 1.22; NET_RAW is not in it).
export const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

export const capabilitiesBaseline: PssCheck = {
  id: 'capabilities_baseline',
  level: 'baseline',
  run: (w) =>
    containersOf(w).flatMap((c) =>
      arr(get(c.container, 'securityContext', 'capabilities', 'add')).flatMap((cap, i) =>
        typeof cap === 'string' && BASELINE_CAPABILITIES.has(cap)
          ? []
          : [
              {
                path: [...c.path, 'securityContext', 'capabilities', 'add', i],
                container: c.name,
                message: `container "${c.name}" adds capability ${String(cap)}, outside the Baseline set`,
              },
            ],
      ),
    ),
};

export const hostPathVolumes: PssCheck = {
  id: 'hostPathVolumes',
  level: 'baseline',
  run: (w) =>
    arr(w.podSpec.volumes).flatMap((v, i) =>
      isObj(v) && v.hostPath !== undefined && v.hostPath !== null
        ? [
            {
              path: [...w.podSpecPath, 'volumes', i, 'hostPath'],
              message: `volume "${str(v.name) ?? i}" is a hostPath volume`,
            },
          ]
        : [],
    ),
};

export const hostPorts: PssCheck = {
  id: 'hostPorts',
  level: 'baseline',
  run: (w) =>
    containersOf(w).flatMap((c) =>
      arr(c.container.ports).flatMap((p, j) =>
        isObj(p) && p.hostPort !== undefined && p.hostPort !== null && p.hostPort !== 0
          ? [
              {
                path: [...c.path, 'ports', j, 'hostPort'],
                container: c.name,
                message: `container "${c.name}" uses hostPort ${String(p.hostPort)}`,
              },
            ]
          : [],
      ),
    ),
};

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const appArmorFieldOk = (profile: unknown) => {
  const type = get(profile, 'type');
  return type === 'RuntimeDefault' || type === 'Localhost';
};

// Both channels are live upstream: the appArmorProfile fields (since 1.30) and the beta annotations.
export const appArmorProfile: PssCheck = {
  id: 'appArmorProfile',
  level: 'baseline',
  run: (w) => {
    const hits: PssHit[] = [];
    const podProfile = get(w.podSpec, 'securityContext', 'appArmorProfile');
    if (podProfile !== undefined && podProfile !== null && !appArmorFieldOk(podProfile)) {
      hits.push({
        path: [...sc(w), 'appArmorProfile', 'type'],
        message: `pod sets AppArmor profile type ${String(get(podProfile, 'type'))}`,
      });
    }
    for (const c of containersOf(w)) {
      const p = get(c.container, 'securityContext', 'appArmorProfile');
      if (p !== undefined && p !== null && !appArmorFieldOk(p)) {
        hits.push({
          path: [...c.path, 'securityContext', 'appArmorProfile', 'type'],
          container: c.name,
          message: `container "${c.name}" sets AppArmor profile type ${String(get(p, 'type'))}`,
        });
      }
    }
    for (const [key, value] of Object.entries(obj(w.podMeta.annotations) ?? {})) {
      if (!key.startsWith(APPARMOR_ANNOTATION)) continue;
      const v = value === null || value === undefined ? '' : String(value);
      if (v === '' || v === 'runtime/default' || v.startsWith('localhost/')) continue;
      hits.push({
        path: [...w.podMetaPath, 'annotations', key],
        message: `annotation ${key}="${v}" sets a forbidden AppArmor profile`,
      });
    }
    return hits;
  },
};

const SELINUX_TYPES_1_0 = ['', 'container_t', 'container_init_t', 'container_kvm_t'];

export const seLinuxOptions: PssCheck = {
  id: 'seLinuxOptions',
  level: 'baseline',
  run: (w, version) => {
    // container_engine_t is allowed from policy version 1.31.
    const types = new Set(
      atLeast(version, 1, 31) ? [...SELINUX_TYPES_1_0, 'container_engine_t'] : SELINUX_TYPES_1_0,
    );
    const check = (opts: unknown, base: Path, who: string, container?: string): PssHit[] => {
      if (!isObj(opts)) return [];
      const hits: PssHit[] = [];
      const type = opts.type === undefined || opts.type === null ? '' : String(opts.type);
      if (!types.has(type))
        hits.push({ path: [...base, 'type'], container, message: `${who} sets SELinux type "${type}"` });
      for (const f of ['user', 'role'] as const) {
        if (typeof opts[f] === 'string' && opts[f] !== '')
          hits.push({
            path: [...base, f],
            container,
            message: `${who} sets SELinux ${f}; it may not be set`,
          });
      }
      return hits;
    };
    return [
      ...check(get(w.podSpec, 'securityContext', 'seLinuxOptions'), [...sc(w), 'seLinuxOptions'], 'pod'),
      ...containersOf(w).flatMap((c) =>
        check(
          get(c.container, 'securityContext', 'seLinuxOptions'),
          [...c.path, 'securityContext', 'seLinuxOptions'],
          `container "${c.name}"`,
          c.name,
        ),
      ),
    ];
  },
};

export function procMountHits(w: Workload): PssHit[] {
  return containersOf(w).flatMap((c) => {
    const pm = get(c.container, 'securityContext', 'procMount');
    return pm === undefined || pm === null || pm === 'Default'
      ? []
      : [
          {
            path: [...c.path, 'securityContext', 'procMount'],
            container: c.name,
            message: `container "${c.name}" sets procMount ${String(pm)}`,
          },
        ];
  });
}

/** From policy 1.35, Baseline allows any procMount in a user-namespaced pod (hostUsers: false). */
export const procMount: PssCheck = {
  id: 'procMount',
  level: 'baseline',
  run: (w, version) => (atLeast(version, 1, 35) && w.podSpec.hostUsers === false ? [] : procMountHits(w)),
};

export const seccompProfileBaseline: PssCheck = {
  id: 'seccompProfile_baseline',
  level: 'baseline',
  run: (w) => {
    const hits: PssHit[] = [];
    if (get(w.podSpec, 'securityContext', 'seccompProfile', 'type') === 'Unconfined') {
      hits.push({
        path: [...sc(w), 'seccompProfile', 'type'],
        message: 'pod sets seccompProfile type Unconfined',
      });
    }
    for (const c of containersOf(w)) {
      if (get(c.container, 'securityContext', 'seccompProfile', 'type') === 'Unconfined') {
        hits.push({
          path: [...c.path, 'securityContext', 'seccompProfile', 'type'],
          container: c.name,
          message: `container "${c.name}" sets seccompProfile type Unconfined`,
        });
      }
    }
    return hits;
  },
};

/** Safe sysctls by the policy version that allowed them (check_sysctls.go: 1.0, 1.27, 1.29, 1.32). */
const SAFE_SYSCTLS: Array<[number, string[]]> = [
  [
    0,
    [
      'kernel.shm_rmid_forced',
      'net.ipv4.ip_local_port_range',
      'net.ipv4.tcp_syncookies',
      'net.ipv4.ping_group_range',
      'net.ipv4.ip_unprivileged_port_start',
    ],
  ],
  [27, ['net.ipv4.ip_local_reserved_ports']],
  [
    29,
    [
      'net.ipv4.tcp_keepalive_time',
      'net.ipv4.tcp_fin_timeout',
      'net.ipv4.tcp_keepalive_intvl',
      'net.ipv4.tcp_keepalive_probes',
    ],
  ],
  [32, ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
];

export function safeSysctls(version: KubeVersion): Set<string> {
  return new Set(SAFE_SYSCTLS.filter(([minor]) => atLeast(version, 1, minor)).flatMap(([, names]) => names));
}

export const sysctls: PssCheck = {
  id: 'sysctls',
  level: 'baseline',
  run: (w, version) => {
    const list = objs(get(w.podSpec, 'securityContext', 'sysctls'));
    // The safe set only when there is something to judge: most pods set no sysctls.
    if (list.length === 0) return [];
    const safe = safeSysctls(version);
    return list.flatMap((s, i) =>
      safe.has(String(s.name))
        ? []
        : [
            {
              path: [...sc(w), 'sysctls', i, 'name'],
              message: `sysctl ${String(s.name)} is not in the safe set`,
            },
          ],
    );
  },
};

export const windowsHostProcess: PssCheck = {
  id: 'windowsHostProcess',
  level: 'baseline',
  run: (w) => {
    const hits: PssHit[] = [];
    if (get(w.podSpec, 'securityContext', 'windowsOptions', 'hostProcess') === true) {
      hits.push({
        path: [...sc(w), 'windowsOptions', 'hostProcess'],
        message: 'pod runs as a Windows HostProcess',
      });
    }
    for (const c of containersOf(w)) {
      if (get(c.container, 'securityContext', 'windowsOptions', 'hostProcess') === true) {
        hits.push({
          path: [...c.path, 'securityContext', 'windowsOptions', 'hostProcess'],
          container: c.name,
          message: `container "${c.name}" runs as a Windows HostProcess`,
        });
      }
    }
    return hits;
  },
};

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HOOKS = ['postStart', 'preStop'] as const;
/** Where a container's probes and hooks are, relative to the container (probes first, then hooks). */
const HANDLER_PATHS: ReadonlyArray<readonly string[]> = [
  ...PROBES.map((p) => [p]),
  ...HOOKS.map((h) => ['lifecycle', h]),
];
const HOST_HANDLERS = ['httpGet', 'tcpSocket'] as const;

/** New Baseline control in policy 1.34: probes and lifecycle hooks may not target another host. */
export const hostProbesAndHostLifecycle: PssCheck = {
  id: 'hostProbesAndHostLifecycle',
  level: 'baseline',
  since: { major: 1, minor: 34 },
  run: (w, version) => {
    if (!atLeast(version, 1, 34)) return [];
    const hits: PssHit[] = [];
    for (const c of containersOf(w)) {
      for (let i = 0; i < HANDLER_PATHS.length; i++) {
        const rel = HANDLER_PATHS[i]!;
        const handler = rel.length === 1 ? c.container[rel[0]!] : get(c.container, rel[0]!, rel[1]!);
        if (!isObj(handler)) continue;
        for (const kind of HOST_HANDLERS) {
          const host = get(handler, kind, 'host');
          if (typeof host === 'string' && host !== '') {
            hits.push({
              path: [...c.path, ...rel, kind, 'host'],
              container: c.name,
              message: `container "${c.name}" ${rel.join('.')} targets host "${host}"`,
            });
          }
        }
      }
    }
    return hits;
  },
};

export const BASELINE_CHECKS: PssCheck[] = [
  hostNamespaces,
  privileged,
  capabilitiesBaseline,
  hostPathVolumes,
  hostPorts,
  appArmorProfile,
  seLinuxOptions,
  procMount,
  seccompProfileBaseline,
  sysctls,
  windowsHostProcess,
  hostProbesAndHostLifecycle,
];
