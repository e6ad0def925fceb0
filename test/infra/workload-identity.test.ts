/**
 * Workload identities for the app's own services: `services.<name>.cloud` renders a cloud identity
 * trusted for exactly that service's ServiceAccount, and `deploy --infra-outputs` carries its
 * `<service>_identity` output back onto the ServiceAccount (and, on Azure, the pod label).
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { parseTerraformOutputs, withManagedEndpoints } from '../../src/infra/outputs.js';
import { renderApp } from '../../src/render/index.js';
import { parseSpec, resolveEnvironment } from '../../src/spec/index.js';
import { everything, renderSpec } from './terraform-cases.js';

const OUTPUTS = {
  db_host: { value: 'db.internal', type: 'string' },
  db_port: { value: 5432, type: 'number' },
  legacy_host: { value: 'legacy.internal', type: 'string' },
  legacy_port: { value: 3306, type: 'number' },
  cache_host: { value: 'cache.internal', type: 'string' },
  cache_port: { value: 6380, type: 'number' },
};

const CLOUDS = [
  {
    provider: 'aws',
    identity: 'arn:aws:iam::123456789012:role/shop-production-api',
    annotation: 'eks.amazonaws.com/role-arn',
    rendered: [
      'values   = ["system:serviceaccount:shop:shop-api"]',
      'identifiers = [var.eks_oidc_provider_arn]',
      'managed_policy_arns = ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]',
    ],
    output: 'aws_iam_role.api.arn',
  },
  {
    provider: 'gcp',
    identity: 'production-api@acme-shop.iam.gserviceaccount.com',
    annotation: 'iam.gke.io/gcp-service-account',
    rendered: [
      'role               = "roles/iam.workloadIdentityUser"',
      'member             = "serviceAccount:${var.project}.svc.id.goog[shop/shop-api]"',
      'role    = "roles/storage.objectViewer"',
    ],
    output: 'google_service_account.api.email',
  },
  {
    provider: 'azure',
    identity: '0f9b7c4e-3a1d-4c2b-9e8f-1a2b3c4d5e6f',
    annotation: 'azure.workload.identity/client-id',
    rendered: [
      'subject             = "system:serviceaccount:shop:shop-api"',
      'audience            = ["api://AzureADTokenExchange"]',
      'issuer              = var.aks_oidc_issuer_url',
    ],
    output: 'azurerm_user_assigned_identity.api.client_id',
  },
] as const;

describe.each(CLOUDS)('workload identity on $provider', (c) => {
  const text = everything(c.provider);
  it('renders an identity trusted for exactly the service account of the service with cloud:', () => {
    const files = renderSpec(text, `everything-${c.provider}.yaml`);
    const tf = files.get(`environments/production/${c.provider}.tf`)!;
    for (const line of c.rendered) expect(tf).toContain(line);
    // Only `api` asks for cloud access.
    expect(tf).not.toMatch(/shop-web"|web_identity/);
    expect(files.get('environments/production/outputs.tf')).toContain(
      `output "api_identity" {\n  value = ${c.output}\n}`,
    );
  });

  it('deploy --infra-outputs annotates the ServiceAccount from <service>_identity', () => {
    const app = resolveEnvironment(parseSpec(text, 'slipway.yaml'), 'production', 'slipway.yaml');
    const outputs = parseTerraformOutputs(
      JSON.stringify({ ...OUTPUTS, api_identity: { value: c.identity, type: 'string' } }),
      'outputs.json',
    );
    const objects = renderApp(withManagedEndpoints(app, outputs, 'outputs.json').app).objects;
    const account = (name: string) =>
      objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === name)!;
    expect(account('shop-api').metadata.annotations).toEqual({ [c.annotation]: c.identity });
    expect(account('shop-web').metadata.annotations).toBeUndefined();
    const pod = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'shop-api') as unknown as {
      spec: { template: { metadata: { labels: Record<string, string> } } };
    };
    expect(pod.spec.template.metadata.labels['azure.workload.identity/use']).toBe(
      c.provider === 'azure' ? 'true' : undefined,
    );
    // Without the output the deploy is refused before anything is applied.
    expect(() =>
      withManagedEndpoints(app, parseTerraformOutputs(JSON.stringify(OUTPUTS), 'o.json'), 'o.json'),
    ).toThrow(UserError);
  });
});

it('refuses a cloud.identity that no provider would accept, at its line', () => {
  const spec = everything('aws').replace('cloud: { roles:', 'cloud: { identity: not-an-identity, roles:');
  let error: unknown;
  try {
    parseSpec(spec, 'slipway.yaml');
  } catch (e) {
    error = e;
  }
  expect(String((error as Error).message)).toMatch(/expected an IAM role ARN/);
  expect(JSON.stringify(error)).toMatch(/"line":\d+/);
});
