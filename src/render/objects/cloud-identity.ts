import type { Service } from '../../spec/schema.js';

/**
 * The cloud identity a service's pods use (`services.<name>.cloud.identity`, set by hand or by
 * `deploy --infra-outputs` from the Terraform output `<service>_identity`): which provider's
 * workload-identity webhook reads it follows from its form. An IAM role ARN is EKS IRSA's
 * `eks.amazonaws.com/role-arn`; a Google service account email is GKE Workload Identity's
 * `iam.gke.io/gcp-service-account`; a GUID is an Azure client id, `azure.workload.identity/client-id`,
 * whose webhook also needs the pod label `azure.workload.identity/use: "true"`.
 */
export interface CloudIdentityMetadata {
  serviceAccountAnnotations?: Record<string, string>;
  podLabels?: Record<string, string>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function cloudIdentityMetadata(service: Service): CloudIdentityMetadata {
  const identity = service.cloud?.identity;
  if (!identity) return {};
  if (identity.startsWith('arn:'))
    return { serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': identity } };
  if (identity.endsWith('.iam.gserviceaccount.com'))
    return { serviceAccountAnnotations: { 'iam.gke.io/gcp-service-account': identity } };
  if (GUID.test(identity))
    return {
      serviceAccountAnnotations: { 'azure.workload.identity/client-id': identity },
      podLabels: { 'azure.workload.identity/use': 'true' },
    };
  return {};
}
