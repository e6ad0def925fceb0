/**
 * `infrastructure.state`: every root module's `terraform { backend "..." }` block, read back with
 * HashiCorp's own HCL parser. Backend blocks are not in the provider schemas; their arguments are
 * judged against BACKEND_ARGUMENTS (src/infra/backend.ts), from Terraform's backend documentation.
 */
import { parse } from '@cdktf/hcl2json';
import { describe, expect, it } from 'vitest';
import { BACKEND_ARGUMENTS } from '../../src/infra/backend.js';
import { parseSpec } from '../../src/spec/index.js';
import { everything, renderSpec } from './terraform-cases.js';

type Terraform = { terraform: Array<{ required_version: string; backend?: Record<string, unknown[]> }> };

async function backendOf(files: Map<string, string>, root: string) {
  const parsed = (await parse(`${root}/versions.tf`, files.get(`${root}/versions.tf`)!)) as Terraform;
  const t = parsed.terraform[0]!;
  const [[name, [body]]] = Object.entries(t.backend ?? {}) as [[string, [Record<string, unknown>]]];
  return { name, body, requiredVersion: t.required_version };
}

const EXPECTED = {
  aws: {
    name: 's3',
    body: {
      bucket: 'acme-terraform-state',
      key: 'shop/production/terraform.tfstate',
      region: 'eu-west-1',
      encrypt: true,
      use_lockfile: true,
    },
    requiredVersion: '>= 1.10',
  },
  gcp: {
    name: 'gcs',
    body: { bucket: 'acme-terraform-state', prefix: 'shop/production' },
    requiredVersion: '>= 1.6',
  },
  azure: {
    name: 'azurerm',
    body: {
      resource_group_name: 'acme-terraform',
      storage_account_name: 'acmetfstate',
      container_name: 'tfstate',
      key: 'shop/production/terraform.tfstate',
      use_azuread_auth: true,
    },
    requiredVersion: '>= 1.6',
  },
} as const;

describe.each(['aws', 'gcp', 'azure'] as const)('state backend on %s', (provider) => {
  it('each root has its own state under <app>/<root>, with only arguments the backend knows', async () => {
    const files = renderSpec(everything(provider), `everything-${provider}.yaml`);
    expect(await backendOf(files, 'environments/production')).toEqual(EXPECTED[provider]);
    const staging = await backendOf(files, 'environments/staging');
    const shared = await backendOf(files, 'shared');
    expect(JSON.stringify(staging.body)).toContain('shop/staging');
    expect(JSON.stringify(shared.body)).toContain('shop/shared');
    for (const b of [staging, shared])
      expect(Object.keys(b.body).filter((k) => !BACKEND_ARGUMENTS[b.name]!.includes(k))).toEqual([]);
    // A module called by the roots never has a backend (Terraform ignores it there).
    expect(files.get('modules/namespace/versions.tf')).not.toContain('backend');
  });
});

describe('state backend options', () => {
  it('locks s3 in a DynamoDB table when named (no Terraform 1.10 needed)', async () => {
    const text = everything('aws').replace(
      'state: { backend: s3, bucket: acme-terraform-state }',
      'state: { backend: s3, bucket: acme-terraform-state, dynamodbTable: terraform-locks }',
    );
    const b = await backendOf(renderSpec(text, 'x.yaml'), 'environments/staging');
    expect(b.body).toMatchObject({ dynamodb_table: 'terraform-locks' });
    expect(b.body).not.toHaveProperty('use_lockfile');
    expect(b.requiredVersion).toBe('>= 1.6');
  });

  it('refuses an unknown backend and a missing bucket at their line', () => {
    const text = everything('aws').replace('backend: s3', 'backend: consul');
    let error: unknown;
    try {
      parseSpec(text, 'slipway.yaml');
    } catch (e) {
      error = e;
    }
    expect(JSON.stringify(error)).toContain(
      '"message":"expected one of: \\"s3\\", \\"gcs\\", \\"azurerm\\", got \\"consul\\"","file":"slipway.yaml","line":5',
    );
    const missing = everything('aws').replace('backend: s3, bucket: acme-terraform-state', 'backend: s3');
    expect(() => parseSpec(missing, 'slipway.yaml')).toThrow(/backend s3 needs bucket/);
  });

  it('writes no backend block without infrastructure.state', async () => {
    const text = everything('gcp').replace(', state: { backend: gcs, bucket: acme-terraform-state }', '');
    expect(renderSpec(text, 'x.yaml').get('environments/staging/versions.tf')).not.toContain('backend');
  });
});
