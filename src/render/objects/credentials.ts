/**
 * The credentials Secret of an in-cluster dependency, `<app>-<dep>-credentials`: its keys, login
 * and URL shape, in one place for the deploy step (which generates the password), the Helm chart
 * (which generates it with `randAlphaNum` and keeps it with `lookup`) and the kustomize overlays
 * (a secretGenerator over an env file the user fills). Pure: the password is an argument.
 */
import type { KubeObject } from '@slipway/kube';
import { dependencyProvider } from '../../spec/dependency-provider.js';
import type { ResolvedApp } from '../../spec/resolved.js';
import { dependencyCredentialsName } from '../names.js';
import { dependencyInstance } from '../references.js';
import { DEPENDENCY_KINDS } from './dependencies/catalog.js';

const SCHEMES: Record<string, string> = { postgres: 'postgresql', mysql: 'mysql', redis: 'redis' };

/** On a credentials Secret: how many times `slipway secrets rotate` changed it (absent: never). */
export const CREDENTIALS_VERSION_ANNOTATION = 'slipway.dev/credentials-version';

/** What a dependency's credentials Secret holds, without the password. */
export interface CredentialShape {
  /** The Secret's keys, in the order the dependency type declares them. */
  keys: string[];
  type: 'Opaque' | 'kubernetes.io/basic-auth';
  username: string;
  scheme: string;
  /** The client Service's DNS name (`<app>-<svc>.<ns>.svc[.<domain>]`). */
  host: string;
  port: number;
  /** `/<database>` (URL-encoded), or empty (redis). */
  path: string;
}

/** Undefined when the dependency has no generated credentials (external, sqlite, kafka, chromadb). */
export function credentialShape(
  app: ResolvedApp,
  name: string,
  username = app.app,
): CredentialShape | undefined {
  const dependency = app.dependencies[name];
  if (!dependency || dependency.external || dependency.type === 'sqlite') return undefined;
  const kind = DEPENDENCY_KINDS[dependency.type];
  if (kind.credentialKeys.length === 0) return undefined;
  const database = dependency.database ?? app.app;
  return {
    keys: kind.credentialKeys,
    // CloudNativePG takes the owner's credentials from a kubernetes.io/basic-auth Secret (docs/dependencies.md).
    type: dependencyProvider(dependency) === 'operator' ? 'kubernetes.io/basic-auth' : 'Opaque',
    username,
    scheme: SCHEMES[dependency.type] ?? dependency.type,
    host: dependencyInstance(app, name, dependency).host,
    port: kind.port.port,
    path: dependency.type === 'redis' ? '' : `/${encodeURIComponent(database)}`,
  };
}

/** The connection URL of a shape with a password (written base64url or alphanumeric: no escaping needed). */
export function credentialUrl(shape: CredentialShape, password: string): string {
  const auth = shape.keys.includes('username')
    ? `${encodeURIComponent(shape.username)}:${password}`
    : `:${password}`;
  return `${shape.scheme}://${auth}@${shape.host}:${shape.port}${shape.path}`;
}

/** Every key's value for a password (and the server's admin password, for the types that keep one). */
export function credentialValues(
  shape: CredentialShape,
  password: string,
  adminPassword = '',
): Record<string, string> {
  const values: Record<string, string> = {
    username: shape.username,
    password,
    url: credentialUrl(shape, password),
    'admin-password': adminPassword,
  };
  return Object.fromEntries(shape.keys.map((k) => [k, values[k] ?? '']));
}

/** The labels every credentials Secret carries. */
export function credentialLabels(app: ResolvedApp, name: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': app.app,
    'app.kubernetes.io/managed-by': 'slipway',
  };
}

/**
 * The Secret for one dependency, from a password (and for a rotation, the login role and version)
 * the caller supplies. Undefined when the type has no credentials.
 */
export function credentialsSecret(
  app: ResolvedApp,
  name: string,
  password: string,
  rotated?: { username: string; version: string },
  /** The server's admin password, for the types that keep one (`admin-password`: MySQL's root). */
  adminPassword = '',
): KubeObject | undefined {
  const shape = credentialShape(app, name, rotated?.username);
  if (!shape) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: dependencyCredentialsName(app.app, name),
      namespace: app.namespace,
      labels: credentialLabels(app, name),
      ...(rotated ? { annotations: { [CREDENTIALS_VERSION_ANNOTATION]: rotated.version } } : {}),
    },
    type: shape.type,
    stringData: credentialValues(shape, password, adminPassword),
  };
}
