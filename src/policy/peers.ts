/**
 * What a team switching from kube-score or Polaris gets: each of their documented checks mapped to the
 * Slipway rules that judge the same concept, with the differences that matter. Rendered into
 * docs/rules/peers.md by renderRuleDocs; test/policy/docs.test.ts checks every rule named here exists.
 * Sources: kube-score README_CHECKS.md (check IDs), Polaris docs/checks/*.md and pkg/config/checks.
 */
export interface PeerCheck {
  id: string;
  concept: string;
  /** Slipway rules judging the same concept (empty only with `note` saying why). */
  rules: string[];
  /** Where the verdicts may differ, and why. */
  note?: string;
}

export const KUBE_SCORE_CHECKS: PeerCheck[] = [
  {
    id: 'deployment-strategy',
    concept: 'Deployments behind a Service use RollingUpdate',
    rules: ['avail-deployment-strategy'],
  },
  {
    id: 'deployment-replicas',
    concept: 'Deployments run at least 2 replicas',
    rules: ['avail-min-replicas'],
    note: 'Info severity (development environments run one on purpose); StatefulSets are judged too; an HPA lifts it.',
  },
  { id: 'ingress-targets-service', concept: 'Ingress backends exist', rules: ['net-ingress-backend'] },
  { id: 'cronjob-has-deadline', concept: 'CronJob startingDeadlineSeconds', rules: ['cronjob-deadline'] },
  {
    id: 'cronjob-restartpolicy',
    concept: 'CronJob pods restart OnFailure or Never',
    rules: ['job-restart-policy'],
    note: 'Jobs are judged too.',
  },
  {
    id: 'container-resources',
    concept: 'CPU and memory requests and limits',
    rules: ['res-cpu-request', 'res-memory-request', 'res-memory-limit', 'res-cpu-limit'],
    note: 'A missing CPU limit is info (kube-score has --ignore-container-cpu-limit for the same reason).',
  },
  {
    id: 'container-resource-requests-equal-limits',
    concept: 'Requests equal limits',
    rules: ['res-requests-equal-limits'],
    note: 'Optional in kube-score, off by default here.',
  },
  {
    id: 'container-cpu-requests-equal-limits',
    concept: 'CPU request equals limit',
    rules: ['res-requests-equal-limits'],
  },
  {
    id: 'container-memory-requests-equal-limits',
    concept: 'Memory request equals limit',
    rules: ['res-requests-equal-limits'],
  },
  { id: 'container-image-tag', concept: 'Explicit, non-latest image tag', rules: ['img-latest-tag'] },
  {
    id: 'container-image-pull-policy',
    concept: 'imagePullPolicy Always',
    rules: ['img-pull-always', 'img-pull-policy'],
    note: 'img-pull-always (every image, off by default) is the same check; img-pull-policy (on) reports the case that breaks deployments: a mutable tag pulled IfNotPresent.',
  },
  {
    id: 'container-ephemeral-storage-request-and-limit',
    concept: 'Ephemeral-storage request and limit',
    rules: ['res-ephemeral-storage', 'res-ephemeral-storage-limit'],
    note: 'Info severity.',
  },
  {
    id: 'container-ephemeral-storage-request-equals-limit',
    concept: 'Ephemeral-storage request equals limit',
    rules: ['res-requests-equal-limits'],
  },
  {
    id: 'container-ports-check',
    concept: 'Port names valid and unique, ports not duplicated',
    rules: ['container-ports'],
  },
  { id: 'environment-variable-key-duplication', concept: 'Duplicate env names', rules: ['env-duplicate'] },
  {
    id: 'statefulset-has-poddisruptionbudget',
    concept: 'StatefulSet has a PDB',
    rules: ['avail-pdb-missing'],
    note: 'Only when more than one replica runs: a PDB over one pod blocks drains or protects nothing.',
  },
  {
    id: 'deployment-has-poddisruptionbudget',
    concept: 'Deployment has a PDB',
    rules: ['avail-pdb-missing'],
    note: 'As above.',
  },
  {
    id: 'poddisruptionbudget-has-policy',
    concept: 'PDB sets minAvailable or maxUnavailable',
    rules: ['avail-pdb-no-budget'],
  },
  {
    id: 'pod-networkpolicy',
    concept: 'Pods covered by NetworkPolicies for ingress and egress',
    rules: ['net-no-network-policy'],
  },
  {
    id: 'networkpolicy-targets-pod',
    concept: 'NetworkPolicy selects a pod',
    rules: ['net-policy-selects-nothing'],
  },
  {
    id: 'pod-probes',
    concept: 'Readiness and liveness probes',
    rules: ['probe-readiness', 'probe-liveness', 'probe-named-port'],
  },
  { id: 'pod-probes-identical', concept: 'Readiness and liveness probes differ', rules: ['probe-identical'] },
  {
    id: 'container-security-context-user-group-id',
    concept: 'High, non-root UID and GID',
    rules: ['sec-low-uid', 'sec-root-group', 'pss-run-as-user', 'pss-run-as-non-root'],
  },
  { id: 'container-security-context-privileged', concept: 'Not privileged', rules: ['pss-privileged'] },
  {
    id: 'container-security-context-readonlyrootfilesystem',
    concept: 'Read-only root filesystem',
    rules: ['sec-read-only-root-fs'],
  },
  {
    id: 'container-seccomp-profile',
    concept: 'Seccomp profile set',
    rules: ['pss-restricted-seccomp', 'sec-linux-hardening', 'sec-seccomp-annotation'],
    note: 'The pre-1.19 annotations count while --kube-version is below 1.25 and are reported from 1.25, when Kubernetes ignores them.',
  },
  { id: 'service-targets-pod', concept: 'Service selects a pod', rules: ['net-service-no-pods'] },
  { id: 'service-type', concept: 'No NodePort Services', rules: ['net-node-port'], note: 'Info severity.' },
  { id: 'stable-version', concept: 'No deprecated API versions', rules: ['api-deprecated', 'api-removed'] },
  {
    id: 'deployment-has-host-podantiaffinity',
    concept: 'Replicas spread across nodes',
    rules: ['avail-spread'],
    note: 'topologySpreadConstraints count as well as podAntiAffinity.',
  },
  {
    id: 'statefulset-has-host-podantiaffinity',
    concept: 'Replicas spread across nodes',
    rules: ['avail-spread'],
    note: 'As above.',
  },
  {
    id: 'deployment-targeted-by-hpa-does-not-have-replicas-configured',
    concept: 'No spec.replicas under an HPA',
    rules: ['avail-hpa-fixed-replicas'],
  },
  {
    id: 'statefulset-has-servicename',
    concept: 'serviceName names a headless Service selecting the pods',
    rules: ['avail-statefulset-service'],
  },
  {
    id: 'deployment-pod-selector-labels-match-template-metadata-labels',
    concept: 'Selector matches template labels',
    rules: ['workload-selector-mismatch'],
  },
  {
    id: 'statefulset-pod-selector-labels-match-template-metadata-labels',
    concept: 'Selector matches template labels',
    rules: ['workload-selector-mismatch'],
  },
  { id: 'label-values', concept: 'Valid label values', rules: ['metadata-labels'] },
  {
    id: 'horizontalpodautoscaler-has-target',
    concept: 'HPA target exists',
    rules: ['avail-hpa-target-missing'],
  },
  {
    id: 'horizontalpodautoscaler-replicas',
    concept: 'HPA minReplicas at least 2',
    rules: ['avail-hpa-min-replicas'],
    note: 'Info severity.',
  },
  {
    id: 'pod-topology-spread-constraints',
    concept: 'Topology spread constraints set and valid',
    rules: ['avail-spread', 'schema-required', 'schema-enum'],
    note: 'A missing topologyKey or an unknown whenUnsatisfiable is a schema error.',
  },
];

export const POLARIS_CHECKS: PeerCheck[] = [
  {
    id: 'automountServiceAccountToken',
    concept: 'Service account token not mounted',
    rules: ['sec-automount-token'],
    note: 'Info severity.',
  },
  {
    id: 'clusterrolePodExecAttach',
    concept: 'ClusterRole allows pods/exec or attach',
    rules: ['rbac-pod-exec'],
  },
  { id: 'rolePodExecAttach', concept: 'Role allows pods/exec or attach', rules: ['rbac-pod-exec'] },
  {
    id: 'clusterrolebindingPodExecAttach',
    concept: 'ClusterRoleBinding to an exec role, or to a missing role',
    rules: ['rbac-binding-pod-exec', 'rbac-role-missing'],
    note: "Kubernetes' own ClusterRoles are known rather than missing: a binding to edit or admin is reported as exec access, one to view is not. `pods/*` is not treated as a wildcard: the authorizer matches it literally.",
  },
  {
    id: 'rolebindingRolePodExecAttach',
    concept: 'RoleBinding to a Role with exec, or a missing Role',
    rules: ['rbac-binding-pod-exec', 'rbac-role-missing'],
  },
  {
    id: 'rolebindingClusterRolePodExecAttach',
    concept: 'RoleBinding to a ClusterRole with exec, or a missing ClusterRole',
    rules: ['rbac-binding-pod-exec', 'rbac-role-missing'],
  },
  {
    id: 'clusterrolebindingClusterAdmin',
    concept: 'ClusterRoleBinding to cluster-admin or an all-powerful ClusterRole',
    rules: ['rbac-cluster-admin'],
  },
  {
    id: 'rolebindingClusterAdminClusterRole',
    concept: 'RoleBinding to cluster-admin or an all-powerful ClusterRole',
    rules: ['rbac-cluster-admin'],
  },
  {
    id: 'rolebindingClusterAdminRole',
    concept: 'RoleBinding to an all-powerful Role',
    rules: ['rbac-cluster-admin'],
  },
  {
    id: 'cpuLimitsMissing',
    concept: 'CPU limit',
    rules: ['res-cpu-limit'],
    note: 'Info severity (CPU limits throttle).',
  },
  { id: 'cpuRequestsMissing', concept: 'CPU request', rules: ['res-cpu-request'] },
  { id: 'memoryLimitsMissing', concept: 'Memory limit', rules: ['res-memory-limit'] },
  { id: 'memoryRequestsMissing', concept: 'Memory request', rules: ['res-memory-request'] },
  {
    id: 'resource ranges (cpuRequestRanges, cpuLimitRanges, memoryRequestRanges, memoryLimitRanges)',
    concept: 'Requests and limits within a range',
    rules: ['res-range'],
    note: 'Polaris takes the ranges from its configuration; Slipway uses fixed plausibility bounds that catch a missing unit.',
  },
  {
    id: 'dangerousCapabilities',
    concept: 'No ALL, SYS_ADMIN or NET_ADMIN added',
    rules: ['pss-capabilities'],
    note: 'Every capability outside the Baseline set is reported.',
  },
  {
    id: 'insecureCapabilities',
    concept: 'Insecure capabilities dropped',
    rules: ['pss-restricted-capabilities'],
    note: 'Follows Pod Security Restricted: drop ALL is required; Polaris also accepts dropping its fifteen named capabilities one by one.',
  },
  {
    id: 'linuxHardening',
    concept: 'AppArmor, seccomp, SELinux or dropped capabilities',
    rules: ['sec-linux-hardening'],
  },
  {
    id: 'deploymentMissingReplicas',
    concept: 'More than one replica',
    rules: ['avail-min-replicas'],
    note: 'Info severity.',
  },
  {
    id: 'hpaMaxAvailability',
    concept: 'HPA maxReplicas above minReplicas',
    rules: ['avail-hpa-max-replicas'],
  },
  { id: 'hpaMinAvailability', concept: 'HPA minReplicas at least 2', rules: ['avail-hpa-min-replicas'] },
  { id: 'hostIPCSet', concept: 'No hostIPC', rules: ['pss-host-namespaces'] },
  { id: 'hostNetworkSet', concept: 'No hostNetwork', rules: ['pss-host-namespaces'] },
  { id: 'hostPIDSet', concept: 'No hostPID', rules: ['pss-host-namespaces'] },
  {
    id: 'hostPathSet',
    concept: 'No hostPath volumes',
    rules: ['pss-host-path-volumes', 'sec-sensitive-host-path', 'sec-writable-host-path'],
  },
  { id: 'hostPortSet', concept: 'No hostPort', rules: ['pss-host-ports'] },
  { id: 'hostProcess', concept: 'No Windows HostProcess', rules: ['pss-host-process'] },
  {
    id: 'livenessProbeMissing',
    concept: 'Liveness probe',
    rules: ['probe-liveness'],
    note: 'Info severity: a bad liveness probe restarts healthy pods.',
  },
  { id: 'readinessProbeMissing', concept: 'Readiness probe', rules: ['probe-readiness'] },
  {
    id: 'metadataAndInstanceMismatched',
    concept: 'app.kubernetes.io/instance consistent',
    rules: ['metadata-app-labels'],
    note: "Polaris wants the label equal to metadata.name; by the Kubernetes recommended-labels convention (and Helm's) the instance is shared by every object of one installation, so Slipway instead reports an object and its pods disagreeing, or an `app` label matching neither name nor instance.",
  },
  {
    id: 'missingNetworkPolicy',
    concept: 'NetworkPolicy with ingress and egress selects the pods',
    rules: ['net-no-network-policy'],
  },
  { id: 'missingPodDisruptionBudget', concept: 'PDB for the workload', rules: ['avail-pdb-missing'] },
  { id: 'pdbDisruptionsIsZero', concept: 'PDB allows a disruption', rules: ['avail-pdb-blocks-eviction'] },
  {
    id: 'pdbMinAvailableGreaterThanHPAMinReplicas',
    concept: 'PDB minAvailable below HPA minReplicas',
    rules: ['avail-pdb-blocks-eviction'],
    note: 'Equal is reported too: at minReplicas a minAvailable of the same number allows no eviction.',
  },
  { id: 'notReadOnlyRootFilesystem', concept: 'Read-only root filesystem', rules: ['sec-read-only-root-fs'] },
  {
    id: 'priorityClassNotSet',
    concept: 'priorityClassName set',
    rules: ['sched-priority-class'],
    note: 'Off by default.',
  },
  {
    id: 'privilegeEscalationAllowed',
    concept: 'allowPrivilegeEscalation false',
    rules: ['pss-allow-privilege-escalation'],
  },
  { id: 'procMount', concept: 'Default /proc mount', rules: ['pss-proc-mount', 'pss-restricted-proc-mount'] },
  {
    id: 'pullPolicyNotAlways',
    concept: 'imagePullPolicy Always',
    rules: ['img-pull-always', 'img-pull-policy'],
    note: 'See container-image-pull-policy.',
  },
  { id: 'runAsPrivileged', concept: 'Not privileged', rules: ['pss-privileged'] },
  { id: 'runAsRootAllowed', concept: 'runAsNonRoot true', rules: ['pss-run-as-non-root'] },
  { id: 'sensitiveConfigmapContent', concept: 'Credentials in ConfigMaps', rules: ['secret-in-configmap'] },
  {
    id: 'sensitiveContainerEnvVar',
    concept: 'Credentials in literal env values',
    rules: ['secret-env-literal'],
  },
  { id: 'tagNotSpecified', concept: 'Image tag set and not latest', rules: ['img-latest-tag'] },
  { id: 'tlsSettingsMissing', concept: 'Ingress TLS', rules: ['net-ingress-tls'] },
  {
    id: 'topologySpreadConstraint',
    concept: 'Topology spread constraints',
    rules: ['avail-spread'],
    note: 'A podAntiAffinity term counts too; only workloads with more than one replica are judged.',
  },
];

export function renderPeers(): string {
  const table = (checks: PeerCheck[]) =>
    `| Check | Concept | Slipway rules | Differences |\n| --- | --- | --- | --- |\n${checks
      .map(
        (c) =>
          `| \`${c.id}\` | ${c.concept} | ${c.rules.map((r) => `[${r}](${r}.md)`).join(', ')} | ${(c.note ?? '').replace(/\|/g, '\\|')} |`,
      )
      .join('\n')}\n`;
  return (
    '<!-- Generated by scripts/gen-policy-docs.ts from src/policy/peers.ts. Do not edit. -->\n' +
    '# Slipway check for kube-score and Polaris users\n\n' +
    `Every documented check of [kube-score](https://github.com/zegl/kube-score/blob/master/README_CHECKS.md) (${KUBE_SCORE_CHECKS.length}) and ` +
    `[Polaris](https://polaris.docs.fairwinds.com/checks/security/) (${POLARIS_CHECKS.length}) and the Slipway rules that judge the same concept. ` +
    'Rules marked off by default in the [catalog](README.md) are enabled in `.slipway-check.yaml`. ' +
    'Where a verdict can differ, the last column says how and why.\n\n' +
    `## kube-score\n\n${table(KUBE_SCORE_CHECKS)}\n## Polaris\n\n${table(POLARIS_CHECKS)}`
  );
}
