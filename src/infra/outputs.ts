/**
 * `slipway deploy --infra-outputs FILE`: the cloud identities of services with `cloud:`, and the
 * endpoints of the managed databases and caches, read from `terraform output -json` of the
 * environment's root module, replace the in-cluster StatefulSets. Each `managed: true` dependency
 * becomes an external one whose Secret (`<app>-<dep>-managed`, key `url`) holds the URL built from
 * its `<dep>_host`, `<dep>_port` and `<dep>_database` outputs; the deploy engine applies that Secret
 * after the Namespace and the lock, before anything rolls. Pure: text in, app and objects out.
 */
import type { KubeObject } from '@slipway/kube';
import { UserError } from '../errors.js';
import { contentHash } from '../render/hash.js';
import type { Dependency } from '../spec/schema.js';
import type { ResolvedApp } from '../spec/resolved.js';

/** `terraform output -json`: name -> { value, type, sensitive }. */
export type TerraformOutputs = Record<string, { value: unknown; sensitive?: boolean }>;

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}

export function parseTerraformOutputs(text: string, file: string): TerraformOutputs {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message);
    throw new UserError(`${file} is not JSON: ${(e as Error).message}`, {
      code: 'deploy/infra-outputs',
      location: { file, ...position(text, at ? Number(at[1]) : 0) },
      path: '--infra-outputs',
      hint: 'write it with: terraform output -json > FILE',
    });
  }
  const isOutput = (v: unknown) => typeof v === 'object' && v !== null && 'value' in v;
  if (
    typeof data !== 'object' ||
    data === null ||
    Array.isArray(data) ||
    !Object.values(data).every(isOutput)
  )
    throw new UserError(`${file} is not the output of terraform output -json`, {
      code: 'deploy/infra-outputs',
      location: { file, line: 1, column: 1 },
      path: '--infra-outputs',
      hint: 'expected {"NAME": {"value": ..., "type": ...}, ...}: write it with terraform output -json > FILE',
    });
  return data as TerraformOutputs;
}

const SCHEME: Record<string, string> = { postgres: 'postgresql', mysql: 'mysql', redis: 'rediss' };
const TLS_QUERY: Record<string, string> = {
  postgres: '?sslmode=require',
  mysql: '?ssl-mode=REQUIRED',
  redis: '',
};

export function managedSecretName(app: ResolvedApp, dependency: string): string {
  return `${app.app}-${dependency}-managed`;
}

/** The app with its managed dependencies turned external, and the Secrets holding their URLs. */
export function withManagedEndpoints(
  app: ResolvedApp,
  outputs: TerraformOutputs,
  file: string,
): { app: ResolvedApp; secrets: KubeObject[] } {
  const dependencies: Record<string, Dependency> = { ...app.dependencies };
  const secrets: KubeObject[] = [];
  const endpointChecksums: Record<string, string> = {};
  for (const [name, d] of Object.entries(app.dependencies)) {
    if (d.managed !== true) continue;
    const value = (key: string) => {
      const v = outputs[`${name}_${key}`]?.value;
      return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
    };
    const host = value('host');
    const port = value('port');
    const database = d.type === 'redis' ? '' : (value('database') ?? d.database ?? '');
    const missing = [host ? undefined : `${name}_host`, port ? undefined : `${name}_port`].filter(Boolean);
    if (missing.length)
      throw new UserError(`${file} has no ${missing.join(' or ')} for the managed ${d.type} "${name}"`, {
        code: 'deploy/infra-outputs',
        location: { file, line: 1, column: 1 },
        path: '--infra-outputs',
        hint: `take it from environments/${app.environment}/ of slipway render --format terraform: terraform output -json > ${file}`,
      });
    const secret = managedSecretName(app, name);
    const url = `${SCHEME[d.type]}://${host}:${port}${database ? `/${database}` : ''}${TLS_QUERY[d.type]}`;
    endpointChecksums[name] = contentHash(url);
    secrets.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: secret,
        namespace: app.namespace,
        labels: { 'app.kubernetes.io/part-of': app.app, 'app.kubernetes.io/managed-by': 'slipway' },
      },
      type: 'Opaque',
      stringData: { url },
    });
    dependencies[name] = {
      type: d.type,
      ...(d.version !== undefined ? { version: d.version } : {}),
      provider: 'external',
      external: { secret, key: 'url' },
    };
  }
  const identified = withWorkloadIdentities(app, outputs, file);
  return {
    app: secrets.length
      ? { ...identified, dependencies, endpointChecksums }
      : { ...identified, dependencies },
    secrets,
  };
}

/**
 * Services with `cloud:` get the identity Terraform made for them (`<service>_identity`: the IAM
 * role ARN, the Google service account email or the Azure client id) as `cloud.identity`, from
 * which render annotates their ServiceAccount. An identity the spec sets by hand is kept.
 */
function withWorkloadIdentities(app: ResolvedApp, outputs: TerraformOutputs, file: string): ResolvedApp {
  const services = { ...app.services };
  for (const [name, s] of Object.entries(app.services)) {
    if (!s.cloud || s.cloud.identity) continue;
    const v = outputs[`${name}_identity`]?.value;
    if (typeof v !== 'string' || !v)
      throw new UserError(`${file} has no ${name}_identity for the cloud identity of service "${name}"`, {
        code: 'deploy/infra-outputs',
        location: { file, line: 1, column: 1 },
        path: '--infra-outputs',
        hint: `take it from environments/${app.environment}/ of slipway render --format terraform: terraform output -json > ${file}`,
      });
    services[name] = { ...s, cloud: { ...s.cloud, identity: v } };
  }
  return { ...app, services };
}
