/**
 * `infrastructure.state`: the `backend` block of each root module (environments/<env>/ and shared/),
 * one state per root under `<app>/<environment or shared>`. Locking: gcs and azurerm lock by
 * themselves (object generation / blob lease); s3 locks with a lock file next to the state
 * (`use_lockfile`, Terraform 1.10+) or, when the spec names one, a DynamoDB table. Backend blocks
 * are Terraform's own configuration, not a provider's: they are not in the provider schemas, and
 * test/infra/terraform.test.ts checks their arguments against BACKEND_ARGUMENTS below, taken from
 * Terraform's documentation of each backend.
 */
import type { Infrastructure } from '../spec/schema.js';
import { arg, block, type Item } from './hcl.js';

/** Terraform version that reads `use_lockfile` in the s3 backend. */
export const S3_LOCKFILE_TERRAFORM = '>= 1.10';

/** The arguments each backend accepts (Terraform's backend documentation), for the tests' judge. */
export const BACKEND_ARGUMENTS: Record<string, readonly string[]> = {
  s3: ['bucket', 'key', 'region', 'encrypt', 'kms_key_id', 'use_lockfile', 'dynamodb_table'],
  gcs: ['bucket', 'prefix'],
  azurerm: ['resource_group_name', 'storage_account_name', 'container_name', 'key', 'use_azuread_auth'],
};

export interface Backend {
  item: Item;
  /** A stricter `required_version` the backend needs, if any. */
  requiredVersion?: string;
}

export function backend(infra: Infrastructure | undefined, app: string, root: string): Backend | undefined {
  const state = infra?.state;
  if (!state || !infra) return undefined;
  const key = `${app}/${root}/terraform.tfstate`;
  if (state.backend === 's3')
    return {
      item: {
        block: block(
          'backend',
          ['s3'],
          [
            ...arg('bucket', state.bucket),
            ...arg('key', key),
            ...arg('region', state.region ?? infra.region),
            ...arg('encrypt', true),
            ...arg('kms_key_id', state.kmsKeyId),
            ...(state.dynamodbTable ? arg('dynamodb_table', state.dynamodbTable) : arg('use_lockfile', true)),
          ],
        ),
      },
      ...(state.dynamodbTable ? {} : { requiredVersion: S3_LOCKFILE_TERRAFORM }),
    };
  if (state.backend === 'gcs')
    return {
      item: {
        block: block(
          'backend',
          ['gcs'],
          [...arg('bucket', state.bucket), ...arg('prefix', `${app}/${root}`)],
        ),
      },
    };
  return {
    item: {
      block: block(
        'backend',
        ['azurerm'],
        [
          ...arg('resource_group_name', state.resourceGroup),
          ...arg('storage_account_name', state.storageAccount),
          ...arg('container_name', state.container),
          ...arg('key', key),
          ...arg('use_azuread_auth', true),
        ],
      ),
    },
  };
}
