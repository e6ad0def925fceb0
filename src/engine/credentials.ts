/**
 * The credentials Secrets of in-cluster dependencies, `<app>-<dep>-credentials`, which render
 * references but never writes (no password in git or in render output; see
 * docs/decisions/render-references-and-credentials.md). The deploy creates each one the first
 * time, with the keys the dependency type declares (`credentialKeys`), and never rewrites an
 * existing one: the database already holds that password.
 */
import { randomBytes } from 'node:crypto';
import { isClusterError, type Cluster } from '../cluster/cluster.js';
import { dependencyCredentialsName } from '../render/index.js';
import { CREDENTIALS_VERSION_ANNOTATION, credentialsSecret } from '../render/objects/credentials.js';
import { DEPENDENCY_KINDS } from '../render/objects/dependencies/catalog.js';
import type { ResolvedApp } from '../spec/resolved.js';
import { FIELD_MANAGER } from './defaults.js';

export { CREDENTIALS_VERSION_ANNOTATION, credentialsSecret };

/** Bytes of randomness per generated password (192 bits), written base64url so it needs no escaping in a URL. */
const PASSWORD_BYTES = 24;

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
