import { BASELINE_CHECKS, type PssCheck } from '../pss/checks-baseline.js';
import { RESTRICTED_CHECKS } from '../pss/checks-restricted.js';
import { clampPss } from '../pss/version.js';
import { checksFor, type PssLevel } from '../pss/evaluate.js';
import { dotted } from '../access.js';
import type { AdmissionCheck, Rule, RuleContext, Violation } from '../types.js';
import { indexOf } from '../index-set.js';
import type { Workload } from '../workloads.js';
import { concat, type EachRule } from './define.js';

/** Catalog text for each upstream check; the decision itself lives in ../pss. */
const DOCS: Record<
  string,
  {
    id: string;
    title: string;
    checks: string;
    rationale: string;
    remediation: string;
    admission?: AdmissionCheck;
  }
> = {
  hostNamespaces: {
    id: 'pss-host-namespaces',
    admission: {
      kinds: 'workloads',
      expression:
        "['hostNetwork', 'hostPID', 'hostIPC'].all(f, !(f in variables.podSpec) || variables.podSpec[f] != true)",
      message: 'hostNetwork, hostPID and hostIPC must be unset or false',
    },
    title: 'Host namespaces',
    checks: 'spec.hostNetwork, spec.hostPID and spec.hostIPC must be unset or false.',
    rationale:
      "Sharing the node's network, PID or IPC namespace lets the pod see and reach the node's processes and traffic.",
    remediation:
      'Remove hostNetwork/hostPID/hostIPC, or run the workload in a namespace that is exempt from Baseline.',
  },
  privileged: {
    id: 'pss-privileged',
    admission: {
      kinds: 'workloads',
      expression:
        'variables.allContainers.all(c, !(has(c.securityContext) && has(c.securityContext.privileged)) || c.securityContext.privileged != true)',
      message: 'containers must not be privileged',
    },
    title: 'Privileged containers',
    checks:
      'securityContext.privileged of every container, init container and ephemeral container must be unset or false.',
    rationale:
      'A privileged container has every capability and access to all host devices; it is root on the node.',
    remediation:
      'Remove securityContext.privileged, and grant the specific capability the process needs instead.',
  },
  capabilities_baseline: {
    id: 'pss-capabilities',
    admission: {
      kinds: 'workloads',
      expression:
        "variables.allContainers.all(c, !(has(c.securityContext) && has(c.securityContext.capabilities)) || !has(c.securityContext.capabilities.add) || c.securityContext.capabilities.add.all(x, x in ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']))",
      message: 'capabilities.add may only list the Baseline set',
    },
    title: 'Capabilities beyond the Baseline set',
    checks:
      'securityContext.capabilities.add may only list AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT.',
    rationale:
      'Capabilities such as SYS_ADMIN, NET_ADMIN or NET_RAW open well-known container escapes and network attacks.',
    remediation: 'Remove the capability from capabilities.add.',
  },
  hostPathVolumes: {
    id: 'pss-host-path-volumes',
    admission: {
      kinds: 'workloads',
      expression:
        '!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !has(v.hostPath) || v.hostPath == null)',
      message: 'hostPath volumes are not allowed',
    },
    title: 'hostPath volumes',
    checks: 'spec.volumes[*].hostPath must be absent.',
    rationale:
      "A hostPath volume exposes the node's filesystem (credentials, the container runtime socket) to the pod.",
    remediation: 'Use an emptyDir, a PersistentVolumeClaim, a ConfigMap or a Secret instead.',
  },
  hostPorts: {
    id: 'pss-host-ports',
    admission: {
      kinds: 'workloads',
      expression:
        'variables.allContainers.all(c, !has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == null || p.hostPort == 0))',
      message: 'hostPort must be unset or 0',
    },
    title: 'Host ports',
    checks: 'containers[*].ports[*].hostPort must be unset or 0 (all container types).',
    rationale:
      "A hostPort binds the node's own interface, bypassing Services and NetworkPolicies, and limits scheduling.",
    remediation: 'Remove hostPort and expose the port through a Service.',
  },
  appArmorProfile: {
    id: 'pss-apparmor',
    admission: {
      kinds: 'workloads',
      expression:
        "(!(has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.appArmorProfile)) || (variables.podSpec.securityContext.appArmorProfile == null || (has(variables.podSpec.securityContext.appArmorProfile.type) && variables.podSpec.securityContext.appArmorProfile.type in ['RuntimeDefault', 'Localhost']))) && variables.allContainers.all(c, !(has(c.securityContext) && has(c.securityContext.appArmorProfile)) || (c.securityContext.appArmorProfile == null || (has(c.securityContext.appArmorProfile.type) && c.securityContext.appArmorProfile.type in ['RuntimeDefault', 'Localhost']))) && (!has(variables.podMeta.annotations) || variables.podMeta.annotations.all(k, !k.startsWith('container.apparmor.security.beta.kubernetes.io/') || variables.podMeta.annotations[k] == null || variables.podMeta.annotations[k] == '' || variables.podMeta.annotations[k] == 'runtime/default' || variables.podMeta.annotations[k].startsWith('localhost/')))",
      message: 'AppArmor profiles must be RuntimeDefault or Localhost',
    },
    title: 'AppArmor profile overridden',
    checks:
      'securityContext.appArmorProfile.type (pod and containers) must be RuntimeDefault or Localhost; container.apparmor.security.beta.kubernetes.io/* annotations must be runtime/default or localhost/*.',
    rationale: 'Unconfined removes the AppArmor confinement the runtime applies by default.',
    remediation: 'Remove the Unconfined profile, or use RuntimeDefault or a Localhost profile.',
  },
  seLinuxOptions: {
    id: 'pss-selinux',
    admission: {
      kinds: 'workloads',
      expression:
        "(!(has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.seLinuxOptions)) || variables.podSpec.securityContext.seLinuxOptions == null || ((!has(variables.podSpec.securityContext.seLinuxOptions.type) || variables.podSpec.securityContext.seLinuxOptions.type == null || variables.podSpec.securityContext.seLinuxOptions.type in ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']) && (!has(variables.podSpec.securityContext.seLinuxOptions.user) || variables.podSpec.securityContext.seLinuxOptions.user == '') && (!has(variables.podSpec.securityContext.seLinuxOptions.role) || variables.podSpec.securityContext.seLinuxOptions.role == ''))) && variables.allContainers.all(c, !(has(c.securityContext) && has(c.securityContext.seLinuxOptions)) || c.securityContext.seLinuxOptions == null || ((!has(c.securityContext.seLinuxOptions.type) || c.securityContext.seLinuxOptions.type == null || c.securityContext.seLinuxOptions.type in ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']) && (!has(c.securityContext.seLinuxOptions.user) || c.securityContext.seLinuxOptions.user == '') && (!has(c.securityContext.seLinuxOptions.role) || c.securityContext.seLinuxOptions.role == '')))",
      message: 'seLinuxOptions may only set an allowed type, never user or role',
    },
    title: 'SELinux options',
    checks:
      'seLinuxOptions.type must be empty, container_t, container_init_t, container_kvm_t or (policy 1.31+) container_engine_t; seLinuxOptions.user and .role must be empty.',
    rationale: 'A custom SELinux user, role or type can lift the confinement SELinux gives containers.',
    remediation: 'Remove seLinuxOptions.user/role and use an allowed type.',
  },
  procMount: {
    id: 'pss-proc-mount',
    admission: {
      kinds: 'workloads',
      expression:
        "(has(variables.podSpec.hostUsers) && variables.podSpec.hostUsers == false) || variables.allContainers.all(c, !(has(c.securityContext) && has(c.securityContext.procMount)) || c.securityContext.procMount == null || c.securityContext.procMount == 'Default')",
      message: 'procMount must be unset or Default',
    },
    title: '/proc mount type',
    checks:
      'securityContext.procMount must be unset or Default, except (policy 1.35+) in pods with hostUsers: false.',
    rationale: 'An Unmasked /proc exposes kernel interfaces that the default masks hide.',
    remediation: 'Remove procMount, or set hostUsers: false so the pod runs in a user namespace.',
  },
  seccompProfile_baseline: {
    id: 'pss-seccomp',
    admission: {
      kinds: 'workloads',
      expression:
        "!(has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.seccompProfile) && has(variables.podSpec.securityContext.seccompProfile.type) && variables.podSpec.securityContext.seccompProfile.type == 'Unconfined') && variables.allContainers.all(c, !(has(c.securityContext) && has(c.securityContext.seccompProfile) && has(c.securityContext.seccompProfile.type) && c.securityContext.seccompProfile.type == 'Unconfined'))",
      message: 'seccompProfile type must not be Unconfined',
    },
    title: 'Seccomp disabled',
    checks: 'securityContext.seccompProfile.type (pod and containers) must not be Unconfined.',
    rationale: 'Unconfined turns off the system-call filter that blocks many kernel exploits.',
    remediation: 'Set seccompProfile.type to RuntimeDefault (or a Localhost profile).',
  },
  sysctls: {
    id: 'pss-sysctls',
    admission: {
      kinds: 'workloads',
      expression:
        "!(has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.sysctls)) || variables.podSpec.securityContext.sysctls == null || variables.podSpec.securityContext.sysctls.all(s, has(s.name) && s.name in ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'])",
      message: 'sysctls must be in the safe set',
    },
    title: 'Unsafe sysctls',
    checks:
      'spec.securityContext.sysctls[*].name must be in the safe set of the policy version (1.35: kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_local_reserved_ports, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes, net.ipv4.tcp_rmem, net.ipv4.tcp_wmem).',
    rationale:
      'Sysctls outside the namespaced, isolated safe set can affect every pod on the node or disable kernel protections.',
    remediation: 'Remove the sysctl, or set it on the node instead.',
  },
  windowsHostProcess: {
    id: 'pss-host-process',
    admission: {
      kinds: 'workloads',
      expression:
        '!(has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.windowsOptions) && has(variables.podSpec.securityContext.windowsOptions.hostProcess) && variables.podSpec.securityContext.windowsOptions.hostProcess == true) && variables.allContainers.all(c, !(has(c.securityContext) && has(c.securityContext.windowsOptions) && has(c.securityContext.windowsOptions.hostProcess) && c.securityContext.windowsOptions.hostProcess == true))',
      message: 'Windows HostProcess containers are not allowed',
    },
    title: 'Windows HostProcess',
    checks: 'securityContext.windowsOptions.hostProcess (pod and containers) must be unset or false.',
    rationale: 'A HostProcess container runs directly on the Windows node with host access.',
    remediation: 'Remove windowsOptions.hostProcess.',
  },
  hostProbesAndHostLifecycle: {
    id: 'pss-probe-host',
    admission: {
      kinds: 'workloads',
      expression:
        "variables.allContainers.all(c, ['livenessProbe', 'readinessProbe', 'startupProbe'].all(p, !(p in c) || c[p] == null || ['httpGet', 'tcpSocket'].all(k, !(k in c[p]) || c[p][k] == null || !('host' in c[p][k]) || c[p][k].host == null || c[p][k].host == '')) && (!has(c.lifecycle) || ['postStart', 'preStop'].all(h, !(h in c.lifecycle) || c.lifecycle[h] == null || ['httpGet', 'tcpSocket'].all(k, !(k in c.lifecycle[h]) || c.lifecycle[h][k] == null || !('host' in c.lifecycle[h][k]) || c.lifecycle[h][k].host == null || c.lifecycle[h][k].host == ''))))",
      message: 'probes and lifecycle hooks must not target another host',
    },
    title: 'Probe or lifecycle hook targets another host',
    checks:
      'httpGet.host and tcpSocket.host of liveness/readiness/startup probes and postStart/preStop hooks must be empty (policy 1.34+).',
    rationale:
      'The kubelet makes these requests from the node, so a host field lets a pod make the node reach arbitrary addresses.',
    remediation: 'Remove host; the kubelet then probes the pod IP.',
  },
  restrictedVolumes: {
    id: 'pss-restricted-volumes',
    title: 'Volume types outside the Restricted set',
    checks:
      'spec.volumes[*] may only use configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret.',
    rationale:
      'Other in-tree volume types mount node or network storage directly, without a PersistentVolume an administrator controls.',
    remediation: 'Use a PersistentVolumeClaim backed by a PersistentVolume for network storage.',
  },
  allowPrivilegeEscalation: {
    id: 'pss-allow-privilege-escalation',
    admission: {
      kinds: 'workloads',
      expression:
        "(has(variables.podSpec.os) && has(variables.podSpec.os.name) && variables.podSpec.os.name == 'windows') || variables.allContainers.all(c, has(c.securityContext) && has(c.securityContext.allowPrivilegeEscalation) && c.securityContext.allowPrivilegeEscalation == false)",
      message: 'securityContext.allowPrivilegeEscalation must be false on every container',
    },
    title: 'Privilege escalation allowed',
    checks:
      'securityContext.allowPrivilegeEscalation must be false on every container (pods with spec.os.name: windows are exempt from policy 1.25).',
    rationale:
      'Without no_new_privs a process can gain privileges through setuid binaries or file capabilities.',
    remediation: 'Set securityContext.allowPrivilegeEscalation: false on every container.',
  },
  runAsNonRoot: {
    id: 'pss-run-as-non-root',
    admission: {
      kinds: 'workloads',
      expression:
        '(has(variables.podSpec.hostUsers) && variables.podSpec.hostUsers == false) || (!(has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.runAsNonRoot) && variables.podSpec.securityContext.runAsNonRoot == false) && variables.allContainers.all(c, (has(c.securityContext) && has(c.securityContext.runAsNonRoot) && c.securityContext.runAsNonRoot != null) ? c.securityContext.runAsNonRoot != false : (has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.runAsNonRoot) && variables.podSpec.securityContext.runAsNonRoot == true)))',
      message: 'runAsNonRoot must be true at pod level or on every container, and never false',
    },
    title: 'May run as root',
    checks:
      'runAsNonRoot must be true at pod level or on every container, and never false (skipped for hostUsers: false pods from policy 1.35).',
    rationale: 'A container that runs as UID 0 is one kernel bug away from root on the node.',
    remediation: 'Set spec.securityContext.runAsNonRoot: true and make the image run as a non-root user.',
  },
  runAsUser: {
    id: 'pss-run-as-user',
    admission: {
      kinds: 'workloads',
      expression:
        '(has(variables.podSpec.hostUsers) && variables.podSpec.hostUsers == false) || ((!has(variables.podSpec.securityContext) || !has(variables.podSpec.securityContext.runAsUser) || variables.podSpec.securityContext.runAsUser != 0) && variables.allContainers.all(c, !(has(c.securityContext) && has(c.securityContext.runAsUser)) || c.securityContext.runAsUser != 0))',
      message: 'runAsUser must not be 0',
    },
    title: 'Runs as UID 0',
    checks:
      'runAsUser must not be 0 at pod or container level (skipped for hostUsers: false pods from policy 1.35).',
    rationale: 'Running as UID 0 is running as root.',
    remediation: 'Set runAsUser to a non-zero UID, or remove it and let the image user apply.',
  },
  seccompProfile_restricted: {
    id: 'pss-restricted-seccomp',
    title: 'Seccomp profile not set',
    checks:
      'seccompProfile.type must be RuntimeDefault or Localhost at pod level, or on every container (Windows pods exempt from policy 1.25).',
    rationale: 'Without an explicit profile some runtimes run containers with no system-call filter.',
    remediation: 'Set spec.securityContext.seccompProfile.type: RuntimeDefault.',
  },
  capabilities_restricted: {
    id: 'pss-restricted-capabilities',
    title: 'Capabilities not dropped',
    checks:
      'Every container must drop ALL capabilities and may add back only NET_BIND_SERVICE (Windows pods exempt from policy 1.25).',
    rationale:
      'The default capability set (NET_RAW, CHOWN, SETUID, ...) is more than almost any service needs.',
    remediation:
      'Set securityContext.capabilities.drop: ["ALL"] and add back only NET_BIND_SERVICE if needed.',
  },
  procMount_restricted: {
    id: 'pss-restricted-proc-mount',
    title: '/proc mount type (Restricted)',
    checks: 'securityContext.procMount must be unset or Default, even in user-namespaced pods (policy 1.35).',
    rationale: 'Restricted keeps the default /proc masks everywhere.',
    remediation: 'Remove securityContext.procMount.',
  },
};

export function pssRuleId(checkId: string): string {
  return DOCS[checkId]?.id ?? checkId;
}

function pssRule(check: PssCheck, overridden: PssCheck | undefined): EachRule {
  const doc = DOCS[check.id];
  if (!doc) throw new Error(`no catalog entry for PSS check ${check.id}`);
  const judge = (w: Workload, ctx: RuleContext): Violation[] => {
    const version = clampPss(ctx.options.pssVersion);
    let hits = check.run(w, version);
    if (hits.length === 0) return [];
    // In the full catalog both levels run; a field the Baseline rule already reports is not reported twice.
    if (overridden) {
      const seen = new Set(overridden.run(w, version).map((h) => dotted(h.path)));
      hits = hits.filter((h) => !seen.has(dotted(h.path)));
    }
    return hits.map((h): Violation => ({
      manifest: w.manifest,
      path: h.path,
      message: h.message,
      container: h.container,
      fix: h.fix,
    }));
  };
  return {
    ...doc,
    severity: check.level === 'baseline' ? 'error' : 'warning',
    category: 'pod-security',
    fixable: [
      'allowPrivilegeEscalation',
      'runAsNonRoot',
      'seccompProfile_restricted',
      'capabilities_restricted',
    ].includes(check.id),
    enabledByDefault: true,
    pss: {
      level: check.level,
      checkId: check.id,
      ...(check.overrides ? { overrides: pssRuleId(check.overrides) } : {}),
    },
    run: (ctx) => concat(indexOf(ctx.manifests).workloads, (w) => judge(w, ctx)),
    each: { workload: judge },
  };
}
/** The full catalog: both levels, a Restricted rule not repeating what its Baseline counterpart reports. */
export const PSS_RULES: Rule[] = (() => {
  const all = [...BASELINE_CHECKS, ...RESTRICTED_CHECKS];
  return all.map((c) => pssRule(c, c.overrides ? all.find((o) => o.id === c.overrides) : undefined));
})();

/** `--profile pss-baseline|pss-restricted`: exactly the checks upstream evaluates for that level. */
export function pssProfileRules(level: PssLevel): Rule[] {
  return checksFor(level).map((c) => ({ ...pssRule(c, undefined), severity: 'error' as const }));
}
