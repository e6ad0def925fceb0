import type { RuleCase } from '../rule-harness.js';

/** A Pod that passes Restricted; cases splice one change into it. */
export function restrictedPod(
  opts: { podSc?: string; spec?: string; containerSc?: string; container?: string; meta?: string } = {},
): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: p
${opts.meta ?? ''}spec:
${opts.spec ?? ''}  securityContext:
${opts.podSc ?? '    runAsNonRoot: true\n    seccompProfile:\n      type: RuntimeDefault\n'}  containers:
    - name: app
      image: app:1
${opts.container ?? ''}      securityContext:
${opts.containerSc ?? '        allowPrivilegeEscalation: false\n        capabilities:\n          drop: [ALL]\n'}`;
}

const APE = '        allowPrivilegeEscalation: false\n        capabilities:\n          drop: [ALL]\n';

export const PSS_CASES: RuleCase[] = [
  {
    rule: 'pss-host-namespaces',
    fail: restrictedPod({ spec: '  hostNetwork: true # <-\n' }),
    pass: restrictedPod({ spec: '  hostNetwork: false\n' }),
  },
  {
    rule: 'pss-privileged',
    fail: restrictedPod({ containerSc: `${APE}        privileged: true # <-\n` }),
    pass: restrictedPod({ containerSc: `${APE}        privileged: false\n` }),
  },
  {
    rule: 'pss-capabilities',
    fail: restrictedPod({
      containerSc:
        '        allowPrivilegeEscalation: false\n        capabilities:\n          drop: [ALL]\n          add:\n            - SYS_ADMIN # <-\n',
    }),
    pass: restrictedPod({
      containerSc:
        '        allowPrivilegeEscalation: false\n        capabilities:\n          drop: [ALL]\n          add:\n            - NET_BIND_SERVICE\n',
    }),
  },
  {
    rule: 'pss-host-path-volumes',
    fail: restrictedPod({ spec: '  volumes:\n    - name: v\n      hostPath: # <-\n        path: /data\n' }),
    pass: restrictedPod({ spec: '  volumes:\n    - name: v\n      emptyDir: {}\n' }),
  },
  {
    rule: 'pss-host-ports',
    fail: restrictedPod({
      container: '      ports:\n        - containerPort: 80\n          hostPort: 80 # <-\n',
    }),
    pass: restrictedPod({ container: '      ports:\n        - containerPort: 80\n' }),
  },
  {
    rule: 'pss-apparmor',
    fail: restrictedPod({
      meta: '  annotations:\n    container.apparmor.security.beta.kubernetes.io/app: unconfined # <-\n',
    }),
    pass: restrictedPod({
      meta: '  annotations:\n    container.apparmor.security.beta.kubernetes.io/app: runtime/default\n',
    }),
  },
  {
    rule: 'pss-selinux',
    fail: restrictedPod({
      podSc:
        '    runAsNonRoot: true\n    seccompProfile: {type: RuntimeDefault}\n    seLinuxOptions:\n      user: system_u # <-\n',
    }),
    pass: restrictedPod({
      podSc:
        '    runAsNonRoot: true\n    seccompProfile: {type: RuntimeDefault}\n    seLinuxOptions:\n      type: container_t\n',
    }),
  },
  {
    rule: 'pss-proc-mount',
    fail: restrictedPod({ containerSc: `${APE}        procMount: Unmasked # <-\n` }),
    pass: restrictedPod({ containerSc: `${APE}        procMount: Default\n` }),
  },
  {
    rule: 'pss-seccomp',
    fail: restrictedPod({
      podSc: '    runAsNonRoot: true\n    seccompProfile:\n      type: Unconfined # <-\n',
    }),
    pass: restrictedPod(),
  },
  {
    rule: 'pss-sysctls',
    fail: restrictedPod({
      podSc:
        '    runAsNonRoot: true\n    seccompProfile: {type: RuntimeDefault}\n    sysctls:\n      - name: kernel.msgmax # <-\n        value: "1"\n',
    }),
    pass: restrictedPod({
      podSc:
        '    runAsNonRoot: true\n    seccompProfile: {type: RuntimeDefault}\n    sysctls:\n      - name: net.ipv4.tcp_syncookies\n        value: "1"\n',
    }),
  },
  {
    rule: 'pss-host-process',
    fail: restrictedPod({ containerSc: `${APE}        windowsOptions:\n          hostProcess: true # <-\n` }),
    pass: restrictedPod({ containerSc: `${APE}        windowsOptions:\n          hostProcess: false\n` }),
  },
  {
    rule: 'pss-probe-host',
    fail: restrictedPod({
      container:
        '      livenessProbe:\n        httpGet:\n          host: example.com # <-\n          port: 80\n',
    }),
    pass: restrictedPod({ container: '      livenessProbe:\n        httpGet:\n          port: 80\n' }),
  },
  {
    rule: 'pss-restricted-volumes',
    fail: restrictedPod({
      spec: '  volumes:\n    - name: v\n      nfs: # <-\n        server: nfs.local\n        path: /\n',
    }),
    pass: restrictedPod({
      spec: '  volumes:\n    - name: v\n      persistentVolumeClaim:\n        claimName: data\n',
    }),
  },
  {
    rule: 'pss-allow-privilege-escalation',
    fail: restrictedPod({ containerSc: '        capabilities:\n          drop: [ALL]\n' }).replace(
      '      securityContext:\n        capabilities',
      '      securityContext: # <-\n        capabilities',
    ),
    pass: restrictedPod(),
  },
  {
    rule: 'pss-run-as-non-root',
    fail: restrictedPod({ podSc: '    seccompProfile:\n      type: RuntimeDefault\n' }).replace(
      'spec:\n  securityContext:',
      'spec:\n  securityContext: # <-',
    ),
    pass: restrictedPod(),
  },
  {
    rule: 'pss-run-as-user',
    fail: restrictedPod({
      podSc: '    runAsNonRoot: true\n    runAsUser: 0 # <-\n    seccompProfile: {type: RuntimeDefault}\n',
    }),
    pass: restrictedPod({
      podSc: '    runAsNonRoot: true\n    runAsUser: 10001\n    seccompProfile: {type: RuntimeDefault}\n',
    }),
  },
  {
    rule: 'pss-restricted-seccomp',
    fail: restrictedPod({ podSc: '    runAsNonRoot: true\n' }).replace(
      'spec:\n  securityContext:',
      'spec:\n  securityContext: # <-',
    ),
    pass: restrictedPod(),
  },
  {
    rule: 'pss-restricted-capabilities',
    fail: restrictedPod({
      containerSc:
        '        allowPrivilegeEscalation: false\n        capabilities:\n          drop: [NET_RAW] # <-\n',
    }),
    pass: restrictedPod(),
  },
  {
    rule: 'pss-restricted-proc-mount',
    fail: restrictedPod({
      spec: '  hostUsers: false\n',
      containerSc: `${APE}        procMount: Unmasked # <-\n`,
    }),
    pass: restrictedPod({ spec: '  hostUsers: false\n' }),
  },
];
