/**
 * Kubernetes API versions that were deprecated and removed, from the upstream deprecation guide
 * (kubernetes.io/docs/reference/using-api/deprecation-guide) and release notes. `removed` is the first
 * minor release that no longer serves the version; `deprecated` the first that warned.
 */
export interface ApiRemoval {
  apiVersion: string;
  kinds: string[] | '*';
  deprecated: string;
  removed?: string;
  replacement: string;
}

export const API_REMOVALS: ApiRemoval[] = [
  {
    apiVersion: 'extensions/v1beta1',
    kinds: ['Deployment', 'DaemonSet', 'ReplicaSet'],
    deprecated: '1.8',
    removed: '1.16',
    replacement: 'apps/v1',
  },
  {
    apiVersion: 'extensions/v1beta1',
    kinds: ['NetworkPolicy'],
    deprecated: '1.9',
    removed: '1.16',
    replacement: 'networking.k8s.io/v1',
  },
  {
    apiVersion: 'extensions/v1beta1',
    kinds: ['PodSecurityPolicy'],
    deprecated: '1.11',
    removed: '1.16',
    replacement: 'policy/v1beta1, itself removed in 1.25: use Pod Security Admission',
  },
  {
    apiVersion: 'extensions/v1beta1',
    kinds: ['Ingress'],
    deprecated: '1.14',
    removed: '1.22',
    replacement: 'networking.k8s.io/v1',
  },
  { apiVersion: 'apps/v1beta1', kinds: '*', deprecated: '1.9', removed: '1.16', replacement: 'apps/v1' },
  { apiVersion: 'apps/v1beta2', kinds: '*', deprecated: '1.9', removed: '1.16', replacement: 'apps/v1' },
  {
    apiVersion: 'networking.k8s.io/v1beta1',
    kinds: ['Ingress', 'IngressClass'],
    deprecated: '1.19',
    removed: '1.22',
    replacement: 'networking.k8s.io/v1',
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1beta1',
    kinds: '*',
    deprecated: '1.17',
    removed: '1.22',
    replacement: 'rbac.authorization.k8s.io/v1',
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1alpha1',
    kinds: '*',
    deprecated: '1.17',
    removed: '1.22',
    replacement: 'rbac.authorization.k8s.io/v1',
  },
  {
    apiVersion: 'admissionregistration.k8s.io/v1beta1',
    kinds: ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
    deprecated: '1.16',
    removed: '1.22',
    replacement: 'admissionregistration.k8s.io/v1',
  },
  {
    apiVersion: 'apiextensions.k8s.io/v1beta1',
    kinds: '*',
    deprecated: '1.16',
    removed: '1.22',
    replacement: 'apiextensions.k8s.io/v1',
  },
  {
    apiVersion: 'apiregistration.k8s.io/v1beta1',
    kinds: '*',
    deprecated: '1.19',
    removed: '1.22',
    replacement: 'apiregistration.k8s.io/v1',
  },
  {
    apiVersion: 'authentication.k8s.io/v1beta1',
    kinds: '*',
    deprecated: '1.19',
    removed: '1.22',
    replacement: 'authentication.k8s.io/v1',
  },
  {
    apiVersion: 'authorization.k8s.io/v1beta1',
    kinds: '*',
    deprecated: '1.19',
    removed: '1.22',
    replacement: 'authorization.k8s.io/v1',
  },
  {
    apiVersion: 'certificates.k8s.io/v1beta1',
    kinds: '*',
    deprecated: '1.19',
    removed: '1.22',
    replacement: 'certificates.k8s.io/v1',
  },
  {
    apiVersion: 'coordination.k8s.io/v1beta1',
    kinds: '*',
    deprecated: '1.14',
    removed: '1.22',
    replacement: 'coordination.k8s.io/v1',
  },
  {
    apiVersion: 'scheduling.k8s.io/v1beta1',
    kinds: '*',
    deprecated: '1.14',
    removed: '1.22',
    replacement: 'scheduling.k8s.io/v1',
  },
  {
    apiVersion: 'scheduling.k8s.io/v1alpha1',
    kinds: '*',
    deprecated: '1.14',
    removed: '1.17',
    replacement: 'scheduling.k8s.io/v1',
  },
  {
    apiVersion: 'storage.k8s.io/v1beta1',
    kinds: ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'],
    deprecated: '1.19',
    removed: '1.22',
    replacement: 'storage.k8s.io/v1',
  },
  {
    apiVersion: 'storage.k8s.io/v1beta1',
    kinds: ['CSIStorageCapacity'],
    deprecated: '1.24',
    removed: '1.27',
    replacement: 'storage.k8s.io/v1',
  },
  {
    apiVersion: 'batch/v1beta1',
    kinds: ['CronJob'],
    deprecated: '1.21',
    removed: '1.25',
    replacement: 'batch/v1',
  },
  {
    apiVersion: 'batch/v2alpha1',
    kinds: ['CronJob'],
    deprecated: '1.8',
    removed: '1.21',
    replacement: 'batch/v1',
  },
  {
    apiVersion: 'policy/v1beta1',
    kinds: ['PodDisruptionBudget'],
    deprecated: '1.21',
    removed: '1.25',
    replacement: 'policy/v1',
  },
  {
    apiVersion: 'policy/v1beta1',
    kinds: ['PodSecurityPolicy'],
    deprecated: '1.21',
    removed: '1.25',
    replacement: 'Pod Security Admission (namespace labels pod-security.kubernetes.io/*)',
  },
  {
    apiVersion: 'discovery.k8s.io/v1beta1',
    kinds: ['EndpointSlice'],
    deprecated: '1.21',
    removed: '1.25',
    replacement: 'discovery.k8s.io/v1',
  },
  {
    apiVersion: 'events.k8s.io/v1beta1',
    kinds: ['Event'],
    deprecated: '1.19',
    removed: '1.25',
    replacement: 'events.k8s.io/v1',
  },
  {
    apiVersion: 'node.k8s.io/v1beta1',
    kinds: ['RuntimeClass'],
    deprecated: '1.20',
    removed: '1.25',
    replacement: 'node.k8s.io/v1',
  },
  {
    apiVersion: 'autoscaling/v2beta1',
    kinds: ['HorizontalPodAutoscaler'],
    deprecated: '1.22',
    removed: '1.25',
    replacement: 'autoscaling/v2',
  },
  {
    apiVersion: 'autoscaling/v2beta2',
    kinds: ['HorizontalPodAutoscaler'],
    deprecated: '1.23',
    removed: '1.26',
    replacement: 'autoscaling/v2',
  },
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1',
    kinds: '*',
    deprecated: '1.23',
    removed: '1.26',
    replacement: 'flowcontrol.apiserver.k8s.io/v1',
  },
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2',
    kinds: '*',
    deprecated: '1.26',
    removed: '1.29',
    replacement: 'flowcontrol.apiserver.k8s.io/v1',
  },
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
    kinds: '*',
    deprecated: '1.29',
    removed: '1.32',
    replacement: 'flowcontrol.apiserver.k8s.io/v1',
  },
  {
    apiVersion: 'admissionregistration.k8s.io/v1alpha1',
    kinds: ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'],
    deprecated: '1.30',
    removed: '1.32',
    replacement: 'admissionregistration.k8s.io/v1',
  },
  {
    apiVersion: 'resource.k8s.io/v1alpha2',
    kinds: '*',
    deprecated: '1.31',
    removed: '1.32',
    replacement: 'resource.k8s.io/v1',
  },
  {
    apiVersion: 'v1',
    kinds: ['ComponentStatus'],
    deprecated: '1.19',
    replacement: 'the /livez and /readyz endpoints of each component',
  },
  {
    apiVersion: 'v1',
    kinds: ['Endpoints'],
    deprecated: '1.33',
    replacement: 'discovery.k8s.io/v1 EndpointSlice',
  },
];

/** The removals of each API version, in the table's order (removalFor is asked about every object). */
const REMOVALS_OF = new Map<string, ApiRemoval[]>();
for (const r of API_REMOVALS) {
  const list = REMOVALS_OF.get(r.apiVersion);
  if (list) list.push(r);
  else REMOVALS_OF.set(r.apiVersion, [r]);
}

export function removalFor(apiVersion: string, kind: string): ApiRemoval | undefined {
  return REMOVALS_OF.get(apiVersion)?.find((r) => r.kinds === '*' || r.kinds.includes(kind));
}
