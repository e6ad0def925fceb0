/**
 * The credentials Secrets of in-cluster dependencies, `<app>-<dep>-credentials`, which render
 * references but never writes (no password in git or in render output; see
 * docs/decisions/render-references-and-credentials.md). The deploy creates each one the first
 * time, with the keys the dependency type declares (`credentialKeys`), and never rewrites an
 * existing one: the database already holds that password.
 */
import type { KubeObject } from '@slipway/kube';
import { randomBytes } from 'node:crypto';
import { isClusterError, type Cluster } from '../cluster/cluster.js';
import { DEPENDENCY_KINDS, dependencyCredentialsName } from '../render/index.js';
import { dependencyInstance } from '../render/references.js';
import { dependencyProvider } from '../spec/dependency-provider.js';
import type { ResolvedApp } from '../spec/resolved.js';
import { FIELD_MANAGER } from './defaults.js';

/** Bytes of randomness per generated password (192 bits), written base64url so it needs no escaping in a URL. */
const PASSWORD_BYTES = 24;

const SCHEMES: Record<string, string> = { postgres: 'postgresql', mysql: 'mysql', redis: 'redis' };

/** On a credentials Secret: how many times `slipway secrets rotate` changed it (absent: never). */
export const CREDENTIALS_VERSION_ANNOTATION = 'slipway.dev/credentials-version';

/**
 * The Secret for one dependency, from a password (and for a rotation, the login role and version)
 * the caller supplies (pure). Undefined when the type has no credentials.
 */
export function credentialsSecret(
  app: ResolvedApp,
  name: string,
  password: string,
  rotated?: { username: string; version: string },
  /** The server's admin password, for the types that keep one (`admin-password`: MySQL's root). */
  adminPassword = '',
): KubeObject | undefined {
  const dependency = app.dependencies[name];
  if (!dependency || dependency.external || dependency.type === 'sqlite') return undefined;
  const kind = DEPENDENCY_KINDS[dependency.type];
  if (kind.credentialKeys.length === 0) return undefined;
  const instance = dependencyInstance(app, name, dependency);
  const username = rotated?.username ?? app.app;
  const database = dependency.database ?? app.app;
  const auth = kind.credentialKeys.includes('username')
    ? `${encodeURIComponent(username)}:${password}`
    : `:${password}`;
  const path = dependency.type === 'redis' ? '' : `/${encodeURIComponent(database)}`;
  const values: Record<string, string> = {
    username,
    password,
    url: `${SCHEMES[dependency.type] ?? dependency.type}://${auth}@${instance.host}:${kind.port.port}${path}`,
    'admin-password': adminPassword,
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: dependencyCredentialsName(app.app, name),
      namespace: app.namespace,
      labels: {
        'app.kubernetes.io/name': name,
        'app.kubernetes.io/instance': app.app,
        'app.kubernetes.io/managed-by': 'slipway',
      },
      ...(rotated ? { annotations: { [CREDENTIALS_VERSION_ANNOTATION]: rotated.version } } : {}),
    },
    // CloudNativePG takes the owner's credentials from a kubernetes.io/basic-auth Secret (docs/dependencies.md).
    type: dependencyProvider(dependency) === 'operator' ? 'kubernetes.io/basic-auth' : 'Opaque',
    stringData: Object.fromEntries(kind.credentialKeys.map((k) => [k, values[k] ?? ''])),
  };
}

/** Creates the missing credentials Secrets; returns the names created. */
export async function ensureCredentials(
  cluster: Cluster,
  app: ResolvedApp,
  random: (bytes: number) => Buffer = randomBytes,
): Promise<string[]> {
  const created: string[] = [];
  for (const name of Object.keys(app.dependencies).sort()) {
    const password = random(PASSWORD_BYTES).toString('base64url');
    const dependency = app.dependencies[name]!;
    const admin =
      dependency.type !== 'sqlite' &&
      DEPENDENCY_KINDS[dependency.type].credentialKeys.includes('admin-password')
        ? random(PASSWORD_BYTES).toString('base64url')
        : '';
    const secret = credentialsSecret(app, name, password, undefined, admin);
    if (!secret) continue;
    try {
      await cluster.create(secret, { fieldManager: FIELD_MANAGER });
      created.push(secret.metadata.name ?? '');
    } catch (err) {
      if (!isClusterError(err, 'AlreadyExists')) throw err;
    }
  }
  return created;
}

/** The in-cluster dependencies whose credentials Slipway generates (and so can rotate). */
export function managedCredentials(app: ResolvedApp): string[] {
  return Object.keys(app.dependencies)
    .filter((name) => credentialsSecret(app, name, '') !== undefined)
    .sort();
}

/**
 * The version of each dependency's live credentials (the Secret's annotation), for render to put
 * on the pod templates that read them; dependencies never rotated are left out, so a spec that
 * never rotated renders as before. Reads annotations only, never the values.
 */
export async function liveCredentialVersions(
  cluster: Cluster,
  app: ResolvedApp,
): Promise<Record<string, string> | undefined> {
  const versions: Record<string, string> = {};
  for (const name of managedCredentials(app)) {
    const live = await cluster.get({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: app.namespace,
      name: dependencyCredentialsName(app.app, name),
    });
    const version = live?.metadata.annotations?.[CREDENTIALS_VERSION_ANNOTATION];
    if (version) versions[name] = version;
  }
  return Object.keys(versions).length ? versions : undefined;
}
