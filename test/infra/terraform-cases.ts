/**
 * What `render --format terraform` is judged on: every example, and one spec per cloud that uses
 * everything the renderer can write (postgres, mysql and redis managed, backups, public hosts,
 * images outside GHCR, a GitHub repository for the OIDC trust).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderTerraform } from '../../src/infra/index.js';
import { renderApp } from '../../src/render/index.js';
import { environmentNames, parseSpec, resolveEnvironment } from '../../src/spec/index.js';
import type { App } from '../../src/spec/schema.js';
import { EXAMPLES_DIR, exampleNames } from '../render/golden-files.js';

export interface TerraformCase {
  name: string;
  files: Map<string, string>;
}

const STATE = {
  aws: '{ backend: s3, bucket: acme-terraform-state }',
  gcp: '{ backend: gcs, bucket: acme-terraform-state }',
  azure:
    '{ backend: azurerm, resourceGroup: acme-terraform, storageAccount: acmetfstate, container: tfstate }',
};

export function everything(provider: 'aws' | 'gcp' | 'azure'): string {
  return `
app: shop
repository: github.com/acme/shop
version: "1.0.0"
infrastructure: { provider: ${provider}, region: ${provider === 'aws' ? 'eu-west-1' : provider === 'gcp' ? 'europe-west1' : 'westeurope'}${provider === 'gcp' ? ', project: acme-shop' : ''}, state: ${STATE[provider]} }
services:
  api:
    image: registry.example.com/acme/shop-api
    port: 8080
    env:
      DATABASE_URL: \${db.url}
      LEGACY_URL: \${legacy.url}
      REDIS_URL: \${cache.url}
    resources: { cpu: 100m, memory: 128Mi }
    public: { host: api.shop.example, tls: { issuer: letsencrypt } }
    cloud: { roles: [${provider === 'aws' ? 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' : provider === 'gcp' ? 'roles/storage.objectViewer' : ''}] }
  web:
    image: shop-web
    port: 8080
    resources: { cpu: 100m, memory: 128Mi }
    public: { host: shop.example, tls: { issuer: letsencrypt } }
dependencies:
  db: { type: postgres, version: "16", storage: 50Gi, database: shop, managed: true, resources: { memory: 4Gi } }
  legacy: { type: mysql, version: "8.0", storage: 20Gi, database: legacy, managed: true }
  cache: { type: redis, version: "7.2", storage: 2Gi, managed: true }
backups:
  db: { schedule: "0 1 * * *", keep: 14 }
  legacy: { schedule: "0 */6 * * *", keep: 8 }
  cache: { schedule: "@weekly", keep: 4 }
environments:
  staging: {}
  production: { approval: required }
`;
}

export function renderSpec(text: string, file: string, specPath = 'slipway.yaml'): Map<string, string> {
  const spec: App = parseSpec(text, file);
  const environments = environmentNames(spec).map((environment) => {
    const app = resolveEnvironment(spec, environment, file);
    const files: Record<string, string> = {};
    for (const service of Object.values(app.services))
      for (const c of service.config ?? [])
        if (c.from !== undefined) files[c.from] = readFileSync(join(dirname(file), c.from), 'utf8');
    return { environment, app, objects: renderApp(app, { files }).objects };
  });
  return renderTerraform({ spec, environments, specPath }).files;
}

export function exampleCases(): TerraformCase[] {
  return exampleNames().map((name) => {
    const file = join(EXAMPLES_DIR, name, 'slipway.yaml');
    return { name, files: renderSpec(readFileSync(file, 'utf8'), file, `examples/${name}/slipway.yaml`) };
  });
}

export function fixtureCases(): TerraformCase[] {
  return (['aws', 'gcp', 'azure'] as const).map((p) => ({
    name: `everything-${p}`,
    files: renderSpec(everything(p), `everything-${p}.yaml`),
  }));
}

/** Every resource and data source type the cases write, read from the HCL's block headers. */
export function terraformTypes(cases = [...exampleCases(), ...fixtureCases()]): {
  resource: Set<string>;
  data: Set<string>;
} {
  const out = { resource: new Set<string>(), data: new Set<string>() };
  for (const c of cases)
    for (const text of c.files.values())
      for (const m of text.matchAll(/^(resource|data) "([a-z0-9_]+)"/gm))
        out[m[1] as 'resource' | 'data'].add(m[2]!);
  return out;
}

export const TERRAFORM_GOLDEN_DIR = join(EXAMPLES_DIR, '..', 'test', 'golden-terraform');

/** One example's files in one text, each under a `# ==> path <==` line, for review as a diff. */
export function goldenText(files: Map<string, string>): string {
  return [...files].map(([path, text]) => `# ==> ${path} <==\n${text}`).join('\n');
}
