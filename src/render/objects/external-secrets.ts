/**
 * `secrets.store: vault | aws | gcp`: the values of services' `secrets:` come from an external
 * store through the External Secrets Operator (external-secrets.io/v1) instead of the encrypted
 * file: one `SecretStore` for the app (Vault's Kubernetes auth, AWS IRSA, GCP Workload Identity,
 * each through the app's own ServiceAccount), and one `ExternalSecret` per service that lists
 * `secrets:`, writing the `<app>-<service>-secrets` Secret its env already references, one
 * property of the store's secret per name. Field names follow the operator's v1 CRDs (the tests
 * validate against them).
 */
import type { NamedObject } from '@slipway/kube';
import type { ResolvedApp } from '../../spec/resolved.js';
import type { Secrets } from '../../spec/schema.js';
import { objectName, serviceSecretName, standardLabels } from '../names.js';

const API = 'external-secrets.io/v1';
const DEFAULT_REFRESH = '1h';
export const DEFAULT_STORE_KEY = '{app}/{env}';
/** Secret Manager names take no `/`. */
const DEFAULT_GCP_KEY = '{app}-{env}';

export function usesExternalStore(app: ResolvedApp): boolean {
  const store = app.secrets?.store;
  return (store === 'vault' || store === 'aws' || store === 'gcp') && app.secrets?.[store] !== undefined;
}

/** Where the values are in the store: `secrets.key` with {app} and {env} replaced. */
export function storeKey(app: ResolvedApp): string {
  const fallback = app.secrets?.store === 'gcp' ? DEFAULT_GCP_KEY : DEFAULT_STORE_KEY;
  return (app.secrets?.key ?? fallback).replaceAll('{app}', app.app).replaceAll('{env}', app.environment);
}

/** The ServiceAccount the store authenticates as (what a Vault role or a cloud IAM binding names). */
export function storeServiceAccountName(app: ResolvedApp): string {
  return objectName(app.app, 'secrets-reader');
}

function provider(app: ResolvedApp, secrets: Secrets): Record<string, unknown> {
  const serviceAccountRef = { name: storeServiceAccountName(app) };
  if (secrets.store === 'vault') {
    const v = secrets.vault!;
    return {
      vault: {
        server: v.server,
        path: v.mount ?? 'secret',
        version: v.version ?? 'v2',
        ...(v.namespace ? { namespace: v.namespace } : {}),
        auth: {
          kubernetes: { mountPath: v.authMount ?? 'kubernetes', role: v.role ?? app.app, serviceAccountRef },
        },
      },
    };
  }
  if (secrets.store === 'aws')
    return {
      aws: { service: 'SecretsManager', region: secrets.aws!.region, auth: { jwt: { serviceAccountRef } } },
    };
  return { gcpsm: { projectID: secrets.gcp!.project, auth: { workloadIdentity: { serviceAccountRef } } } };
}

/** The ServiceAccount's annotations: the cloud identity it stands for (IRSA, Workload Identity). */
function identityAnnotations(secrets: Secrets): Record<string, string> | undefined {
  if (secrets.store === 'aws' && secrets.aws?.roleArn)
    return { 'eks.amazonaws.com/role-arn': secrets.aws.roleArn };
  if (secrets.store === 'gcp' && secrets.gcp?.serviceAccount)
    return { 'iam.gke.io/gcp-service-account': secrets.gcp.serviceAccount };
  return undefined;
}

export function renderExternalSecrets(app: ResolvedApp): NamedObject[] {
  const secrets = app.secrets;
  const readers = Object.keys(app.services)
    .sort()
    .filter((s) => (app.services[s]?.secrets ?? []).length > 0);
  if (!secrets || !usesExternalStore(app) || readers.length === 0) return [];
  const labels = standardLabels({ app: app.app, name: 'secrets', component: 'secrets' });
  const store = objectName(app.app, 'secrets');
  const annotations = identityAnnotations(secrets);
  const objects: NamedObject[] = [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: storeServiceAccountName(app),
        namespace: app.namespace,
        labels,
        ...(annotations ? { annotations } : {}),
      },
      automountServiceAccountToken: false,
    } as NamedObject,
    {
      apiVersion: API,
      kind: 'SecretStore',
      metadata: { name: store, namespace: app.namespace, labels },
      spec: { provider: provider(app, secrets) },
    } as NamedObject,
  ];
  for (const service of readers) {
    const names = [...(app.services[service]?.secrets ?? [])].sort();
    const name = serviceSecretName(app.app, service);
    objects.push({
      apiVersion: API,
      kind: 'ExternalSecret',
      metadata: {
        name,
        namespace: app.namespace,
        labels: standardLabels({ app: app.app, name: service, component: 'secrets' }),
      },
      spec: {
        refreshInterval: secrets.refreshInterval ?? DEFAULT_REFRESH,
        secretStoreRef: { name: store, kind: 'SecretStore' },
        target: { name, creationPolicy: 'Owner' },
        data: names.map((secretKey) => ({
          secretKey,
          remoteRef: { key: storeKey(app), property: secretKey },
        })),
      },
    } as NamedObject);
  }
  return objects;
}
