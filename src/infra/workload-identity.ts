/**
 * Cloud identities for the app's own services (`services.<name>.cloud`): each trusted for exactly
 * that service's Kubernetes ServiceAccount (`<app>-<service>` in the environment's namespace) and
 * nothing else, and an output `<service>_identity` that `deploy --infra-outputs` writes into
 * `services.<name>.cloud.identity`, from which render annotates the ServiceAccount.
 * - aws: an IAM role whose trust is the EKS cluster's OIDC provider with `sub` =
 *   `system:serviceaccount:<ns>:<sa>` and `aud` = `sts.amazonaws.com` (IRSA), with the spec's
 *   policy ARNs attached;
 * - gcp: a Google service account, `roles/iam.workloadIdentityUser` on it for
 *   `serviceAccount:<project>.svc.id.goog[<ns>/<sa>]`, and the spec's project roles;
 * - azure: a user-assigned identity with a federated identity credential for the AKS issuer and
 *   that subject; role assignments are left to the team (output `<service>_identity_principal_id`).
 */
import { objectName } from '../render/names.js';
import { arg, block, nested, ref, type Block } from './hcl.js';
import { cloudName, type CloudEnvironment } from './cloud.js';
import { outputBlock, variableBlock } from './variables.js';

export interface WorkloadIdentity {
  service: string;
  /** Terraform name of the resources (the service's name with `_` for `-`). */
  label: string;
  serviceAccount: string;
  roles: string[];
}

export interface IdentityBlocks {
  blocks: Block[];
  variables: Block[];
  outputs: Block[];
}

const NONE: IdentityBlocks = { blocks: [], variables: [], outputs: [] };

export function workloadIdentities(env: CloudEnvironment): WorkloadIdentity[] {
  return Object.entries(env.app.services)
    .filter(([, s]) => s.cloud !== undefined)
    .map(([service, s]) => ({
      service,
      label: service.replace(/-/g, '_'),
      serviceAccount: objectName(env.app.app, service),
      roles: [...(s.cloud?.roles ?? [])],
    }));
}

const subject = (env: CloudEnvironment, w: WorkloadIdentity) =>
  `system:serviceaccount:${env.app.namespace}:${w.serviceAccount}`;

export function awsWorkloadIdentities(env: CloudEnvironment): IdentityBlocks {
  const all = workloadIdentities(env);
  if (!all.length) return NONE;
  const issuer = '${var.eks_oidc_issuer}';
  return {
    blocks: all.flatMap((w) => [
      block(
        'data',
        ['aws_iam_policy_document', `${w.label}_trust`],
        [
          nested('statement', [
            ...arg('actions', ['sts:AssumeRoleWithWebIdentity']),
            nested('principals', [
              ...arg('type', 'Federated'),
              ...arg('identifiers', [ref('var.eks_oidc_provider_arn')]),
            ]),
            nested('condition', [
              ...arg('test', 'StringEquals'),
              ...arg('variable', ref(`"${issuer}:sub"`)),
              ...arg('values', [subject(env, w)]),
            ]),
            nested('condition', [
              ...arg('test', 'StringEquals'),
              ...arg('variable', ref(`"${issuer}:aud"`)),
              ...arg('values', ['sts.amazonaws.com']),
            ]),
          ]),
        ],
      ),
      block(
        'resource',
        ['aws_iam_role', w.label],
        [
          ...arg('name', cloudName(`${env.prefix}-${w.service}`, 64)),
          ...arg('assume_role_policy', ref(`data.aws_iam_policy_document.${w.label}_trust.json`)),
          ...arg('managed_policy_arns', w.roles.length ? w.roles : undefined),
        ],
      ),
    ]),
    variables: [
      variableBlock(
        'eks_oidc_provider_arn',
        'string',
        "The ARN of the EKS cluster's IAM OIDC provider (IRSA).",
      ),
      variableBlock(
        'eks_oidc_issuer',
        'string',
        "The cluster's OIDC issuer without https:// (oidc.eks.<region>.amazonaws.com/id/<id>).",
      ),
    ],
    outputs: all.map((w) => outputBlock(`${w.service}_identity`, ref(`aws_iam_role.${w.label}.arn`))),
  };
}

export function gcpWorkloadIdentities(env: CloudEnvironment): IdentityBlocks {
  const all = workloadIdentities(env);
  if (!all.length) return NONE;
  return {
    blocks: all.flatMap((w) => [
      block(
        'resource',
        ['google_service_account', w.label],
        [
          ...arg('project', ref('var.project')),
          // 6 to 30 characters: the environment and service, cut to fit.
          ...arg('account_id', cloudName(`${env.app.environment}-${w.service}`, 30).padEnd(6, '0')),
          ...arg('display_name', `${env.prefix} ${w.service}`),
        ],
      ),
      block(
        'resource',
        ['google_service_account_iam_member', `${w.label}_workload_identity`],
        [
          ...arg('service_account_id', ref(`google_service_account.${w.label}.name`)),
          ...arg('role', 'roles/iam.workloadIdentityUser'),
          ...arg(
            'member',
            ref(`"serviceAccount:\${var.project}.svc.id.goog[${env.app.namespace}/${w.serviceAccount}]"`),
          ),
        ],
      ),
      ...w.roles.map((role, i) =>
        block(
          'resource',
          ['google_project_iam_member', `${w.label}_${i}`],
          [
            ...arg('project', ref('var.project')),
            ...arg('role', role),
            ...arg('member', ref(`"serviceAccount:\${google_service_account.${w.label}.email}"`)),
          ],
        ),
      ),
    ]),
    variables: [],
    outputs: all.map((w) =>
      outputBlock(`${w.service}_identity`, ref(`google_service_account.${w.label}.email`)),
    ),
  };
}

export function azureWorkloadIdentities(env: CloudEnvironment): IdentityBlocks {
  // The environment's resource group, as azure.ts writes it.
  const group = ref('azurerm_resource_group.app.name');
  const location = ref('azurerm_resource_group.app.location');
  const all = workloadIdentities(env);
  if (!all.length) return NONE;
  return {
    blocks: all.flatMap((w) => [
      block(
        'resource',
        ['azurerm_user_assigned_identity', w.label],
        [
          ...arg('name', cloudName(`${env.prefix}-${w.service}`, 128)),
          ...arg('resource_group_name', group),
          ...arg('location', location),
        ],
      ),
      block(
        'resource',
        ['azurerm_federated_identity_credential', `${w.label}_kubernetes`],
        [
          ...arg('name', 'kubernetes'),
          ...arg('resource_group_name', group),
          ...arg('parent_id', ref(`azurerm_user_assigned_identity.${w.label}.id`)),
          ...arg('audience', ['api://AzureADTokenExchange']),
          ...arg('issuer', ref('var.aks_oidc_issuer_url')),
          ...arg('subject', subject(env, w)),
        ],
      ),
    ]),
    variables: [
      variableBlock('aks_oidc_issuer_url', 'string', "The AKS cluster's OIDC issuer URL (oidc_issuer_url)."),
    ],
    outputs: all.flatMap((w) => [
      outputBlock(`${w.service}_identity`, ref(`azurerm_user_assigned_identity.${w.label}.client_id`)),
      outputBlock(
        `${w.service}_identity_principal_id`,
        ref(`azurerm_user_assigned_identity.${w.label}.principal_id`),
      ),
    ]),
  };
}

export const WORKLOAD_IDENTITIES: Record<
  CloudEnvironment['infra']['provider'],
  (env: CloudEnvironment) => IdentityBlocks
> = { aws: awsWorkloadIdentities, gcp: gcpWorkloadIdentities, azure: azureWorkloadIdentities };
