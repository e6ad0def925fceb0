/**
 * Rotation of a dependency's generated password with dual credentials, so that no request fails:
 * the new credential is made valid in the server first (grant), the credentials Secret switches,
 * the readers roll (rotate.ts), and only then is the old credential made invalid (expire).
 *
 * - PostgreSQL has one password per role, so two login roles alternate (the alternating-users
 *   strategy of managed rotation services): `<app>` (the owner initdb made) and `<app>_b`, a member
 *   of it whose sessions `SET ROLE <app>` at login, so both act as the owner (same privileges, and
 *   what either creates is owned by the owner). Expiring sets the old role's password to NULL.
 * - Redis ACL users hold several passwords: `ACL SETUSER default >new` adds one, `<old` removes it.
 * - MySQL/MariaDB: two users alternate too, `<app>` and `<app>_b`, each granted all on the app's
 *   database. MySQL's dual passwords (`RETAIN CURRENT PASSWORD`, 8.0.14+) are not in MariaDB, and
 *   neither lets the app user change another user, so the Jobs log in as root with the Secret's
 *   `admin-password` (the image's MYSQL_ROOT_PASSWORD). Expiring sets the old user's password to
 *   a random value nobody keeps (the user stays: views and routines may name it as DEFINER).
 *
 * Each change runs as a Job (credential-jobs.ts) with the dependency's own image, which
 * authenticates with the credentials Secret and reads the other credential from a short-lived
 * `<app>-<dep>-credentials-rotation` Secret: no password is ever in a Job's spec, args or log.
 */
import type { KubeObject } from '@slipway/kube';
import type { Cluster } from '../cluster/cluster.js';
import { EXIT_BAD_INPUT, UserError } from '../errors.js';
import { dependencyCredentialsName } from '../render/index.js';
import { dependencyProvider } from '../spec/dependency-provider.js';
import type { ResolvedApp } from '../spec/resolved.js';
import { CREDENTIALS_VERSION_ANNOTATION, credentialsSecret } from '../engine/credentials.js';
import { FIELD_MANAGER } from '../engine/defaults.js';

/** Bytes of randomness per generated password, as the first deploy makes them. */
const PASSWORD_BYTES = 24;
const ROTATABLE = new Set(['postgres', 'redis', 'mysql']);
type RotatableType = 'postgres' | 'redis' | 'mysql';
/** The types whose two credentials are two users (Redis: two passwords of one user). */
const hasUsers = (type: RotatableType) => type !== 'redis';

export interface CredentialRotation {
  dependency: string;
  type: RotatableType;
  /** The login role before and after (empty for Redis's default user). */
  previousUser: string;
  nextUser: string;
  version: string;
  /** The credentials Secret as it will be (replaces the live one, compare-and-swap). */
  secret: KubeObject;
  /** The short-lived Secret the Jobs read the other credential from. */
  stash: KubeObject;
  /**
   * Set when an earlier rotation left its stash (its rollout failed or was cut short): the live
   * Secret already holds the next credential and both are valid, so this run only rolls the
   * readers and expires the previous one. Drawing a new password instead could break pods that
   * still use the previous one.
   */
  resume?: boolean;
}

/** The stash Secret's name: `<app>-<dep>-credentials-rotation`. */
export function stashName(app: ResolvedApp, name: string): string {
  return `${dependencyCredentialsName(app.app, name)}-rotation`;
}

/** The unfinished rotation an existing stash records, checked against the live Secret. */
export function resumeCredentialRotation(
  app: ResolvedApp,
  name: string,
  live: KubeObject,
  stash: KubeObject,
): CredentialRotation {
  const dependency = app.dependencies[name]!;
  const type = dependency.type as RotatableType;
  const version = live.metadata.annotations?.[CREDENTIALS_VERSION_ANNOTATION];
  if (
    !version ||
    decode(stash, 'password') !== decode(live, 'password') ||
    (decode(stash, 'username') ?? '') !== (hasUsers(type) ? decode(live, 'username') : '')
  )
    throw new UserError(
      `Secret ${stash.metadata.name} (left by an unfinished rotation of ${name}) does not match ${live.metadata.name}`,
      {
        code: 'secrets-rotate-credentials',
        exitCode: EXIT_BAD_INPUT,
        hint: `one of them was changed by hand: check which password ${name} accepts, then delete ${stash.metadata.name}`,
      },
    );
  return {
    dependency: name,
    type,
    previousUser: decode(stash, 'previous-username') ?? '',
    nextUser: decode(stash, 'username') ?? '',
    version,
    secret: live,
    stash,
    resume: true,
  };
}

function decode(secret: KubeObject, key: string): string | undefined {
  const s = secret as KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> };
  if (s.stringData?.[key] !== undefined) return s.stringData[key];
  const b64 = s.data?.[key];
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
}

/** Why this dependency's credentials cannot be rotated by Slipway, or undefined when they can. */
export function rotationRefusal(app: ResolvedApp, name: string): string | undefined {
  const dependency = app.dependencies[name];
  if (!dependency) return `${name} is not a dependency of ${app.app}`;
  if (dependency.external)
    return `${name} is external: rotate its password at its provider, then update Secret ${dependency.external.secret}`;
  if (dependencyProvider(dependency) !== 'statefulset')
    return `${name} is run by the ${dependencyProvider(dependency)} provider, which manages its own credentials`;
  if (!ROTATABLE.has(dependency.type)) return `${name} (${dependency.type}) has no generated credentials`;
  return undefined;
}

/**
 * Decide one dependency's rotation from its live credentials Secret (pure apart from `random`):
 * the next role and password, the version, and both Secrets.
 */
export function planCredentialRotation(
  app: ResolvedApp,
  name: string,
  live: KubeObject,
  random: (bytes: number) => Buffer,
): CredentialRotation {
  const dependency = app.dependencies[name]!;
  const type = dependency.type as RotatableType;
  const previousPassword = decode(live, 'password');
  if (previousPassword === undefined)
    throw new UserError(`Secret ${live.metadata.name} has no password key`, {
      code: 'secrets-rotate-credentials',
      exitCode: EXIT_BAD_INPUT,
      hint: 'it was changed by hand; restore it or delete it and deploy (a new database then needs the new password)',
    });
  const adminPassword = decode(live, 'admin-password') ?? '';
  if (type === 'mysql' && !adminPassword)
    throw new UserError(
      `Secret ${live.metadata.name} has no admin-password: ${name} was created before Slipway kept its root password, which the rotation needs to change the second user`,
      {
        code: 'secrets-rotate-credentials',
        exitCode: EXIT_BAD_INPUT,
        hint: `set root's password in ${name} (ALTER USER 'root'@'%' IDENTIFIED BY …, with the password printed as GENERATED ROOT PASSWORD in its first log) and store it under the Secret's admin-password key, then rotate again`,
      },
    );
  const base = app.app;
  const previousUser = hasUsers(type) ? (decode(live, 'username') ?? base) : '';
  const nextUser = hasUsers(type) ? (previousUser === base ? `${base}_b` : base) : '';
  const version = String((Number(live.metadata.annotations?.[CREDENTIALS_VERSION_ANNOTATION]) || 0) + 1);
  const password = random(PASSWORD_BYTES).toString('base64url');
  const secret = credentialsSecret(
    app,
    name,
    password,
    { username: nextUser || base, version },
    adminPassword,
  )!;
  const stash: KubeObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: stashName(app, name),
      namespace: app.namespace,
      labels: { ...secret.metadata.labels },
    },
    type: 'Opaque',
    data: base64({
      username: nextUser,
      password,
      'previous-username': previousUser,
      'previous-password': previousPassword,
    }),
  } as KubeObject;
  return { dependency: name, type, previousUser, nextUser, version, secret, stash };
}

function base64(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]),
  );
}

/** Creates or replaces the stash Secret the Jobs read. */
export async function writeStash(cluster: Cluster, rotation: CredentialRotation): Promise<void> {
  await cluster.delete(refOfSecret(rotation.stash)).catch(() => false);
  await cluster.create(rotation.stash, { fieldManager: FIELD_MANAGER });
}

export async function removeStash(cluster: Cluster, rotation: CredentialRotation): Promise<void> {
  await cluster.delete(refOfSecret(rotation.stash)).catch(() => false);
}

function refOfSecret(o: KubeObject) {
  return { apiVersion: 'v1', kind: 'Secret', namespace: o.metadata.namespace, name: o.metadata.name ?? '' };
}

/**
 * Switches the credentials Secret to the next credential: a full replace of the live object
 * (compare-and-swap on its resourceVersion), its keys exactly the new ones.
 */
export async function switchCredentials(
  cluster: Cluster,
  live: KubeObject,
  rotation: CredentialRotation,
): Promise<void> {
  const next = rotation.secret as KubeObject & { stringData?: Record<string, string> };
  const replaced = {
    ...live,
    metadata: {
      ...live.metadata,
      annotations: { ...live.metadata.annotations, ...next.metadata.annotations },
    },
    data: base64(next.stringData ?? {}),
  } as KubeObject & { stringData?: unknown };
  delete replaced.stringData;
  await cluster.replace(replaced, { fieldManager: FIELD_MANAGER });
}
