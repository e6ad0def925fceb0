/**
 * The Jobs of a dependency rotation: `grant` makes the next credential valid beside the current
 * one, `expire` makes the previous one invalid. Each runs the dependency's own image (its client
 * matches its server), logs in with the credentials Secret and reads the other credential from the
 * stash Secret (credentials.ts): no password in a Job's spec, arguments or log.
 */
import type { KubeObject } from '@slipway/kube';
import { randomBytes } from 'node:crypto';
import type { Cluster } from '../cluster/cluster.js';
import { EXIT_FAILED, UserError } from '../errors.js';
import { DEPENDENCY_KINDS, dependencyCredentialsName, objectName } from '../render/index.js';
import { dependencyInstance } from '../render/references.js';
import type { ResolvedApp } from '../spec/resolved.js';
import { runJob } from '../backup/job.js';
import type { Clock } from '../engine/clock.js';
import type { CredentialRotation } from './credentials.js';

const JOB_TIMEOUT_MS = 120_000;
const JOB_TTL_SECONDS = 600;

const ADDRESS = 'host=${DB_ADDRESS%:*}; port=${DB_ADDRESS##*:}';

/**
 * MySQL/MariaDB: the client logs in as root from an option file in the Job's private /tmp (not
 * MYSQL_PWD, which MySQL deprecates); the SQL goes to its stdin. Passwords are Slipway's base64url
 * and names DNS labels, checked before they are put in the SQL's quotes.
 */
const MYSQL_LOGIN = `${ADDRESS}
for v in "$ADMIN_PASSWORD" "$USER_NAME" "$USER_PASSWORD" "$DATABASE"; do
  case "$v" in ''|*[!A-Za-z0-9_.-]*) echo 'a name or password holds a character the rotation does not quote; rotate by hand' >&2; exit 1;; esac
done
umask 077
cnf=$(mktemp)
trap 'rm -f "$cnf"' EXIT
printf '[client]\\nuser=root\\npassword=%s\\n' "$ADMIN_PASSWORD" > "$cnf"
sql() { mysql --defaults-extra-file="$cnf" --protocol=TCP -h "$host" -P "$port" --batch; }`;

/**
 * The scripts. psql reads the names and password from the environment with \getenv (PostgreSQL
 * 15+) and quotes them with :"ident" / :'literal'; redis-cli reads its command from stdin, so no
 * password is in any process's arguments.
 */
const SCRIPTS: Record<CredentialRotation['type'], Record<'grant' | 'expire', string>> = {
  postgres: {
    grant: `set -eu
${ADDRESS}
psql -h "$host" -p "$port" -d "$PGDATABASE" -X -q -v ON_ERROR_STOP=1 <<'SQL'
\\getenv new_user NEW_USER
\\getenv new_password NEW_PASSWORD
\\getenv base BASE_USER
SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'new_user') AS missing, :'new_user' <> :'base' AS alternate \\gset
\\if :missing
CREATE ROLE :"new_user" LOGIN;
\\endif
ALTER ROLE :"new_user" WITH LOGIN PASSWORD :'new_password';
\\if :alternate
GRANT :"base" TO :"new_user";
ALTER ROLE :"new_user" SET role = :'base';
\\endif
SQL
echo 'slipway:{"rotation":"granted"}'`,
    expire: `set -eu
${ADDRESS}
psql -h "$host" -p "$port" -d "$PGDATABASE" -X -q -v ON_ERROR_STOP=1 <<'SQL'
\\getenv old_user OLD_USER
ALTER ROLE :"old_user" WITH PASSWORD NULL;
SQL
echo 'slipway:{"rotation":"expired"}'`,
  },
  mysql: {
    grant: `set -eu
${MYSQL_LOGIN}
sql <<SQL
CREATE USER IF NOT EXISTS '$USER_NAME'@'%' IDENTIFIED BY '$USER_PASSWORD';
ALTER USER '$USER_NAME'@'%' IDENTIFIED BY '$USER_PASSWORD';
GRANT ALL ON \\\`$DATABASE\\\`.* TO '$USER_NAME'@'%';
SQL
echo 'slipway:{"rotation":"granted"}'`,
    expire: `set -eu
USER_PASSWORD=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \\n')
${MYSQL_LOGIN}
sql <<SQL
ALTER USER '$USER_NAME'@'%' IDENTIFIED BY '$USER_PASSWORD';
SQL
echo 'slipway:{"rotation":"expired"}'`,
  },
  redis: {
    grant: `set -eu
${ADDRESS}
out=$(printf 'ACL SETUSER default >%s\\n' "$NEW_PASSWORD" | redis-cli --no-auth-warning -h "$host" -p "$port")
[ "$out" = OK ] || { echo "ACL SETUSER default: $out" >&2; exit 1; }
echo 'slipway:{"rotation":"granted"}'`,
    expire: `set -eu
${ADDRESS}
out=$(printf 'ACL SETUSER default <%s\\n' "$OLD_PASSWORD" | redis-cli --no-auth-warning -h "$host" -p "$port")
[ "$out" = OK ] || { echo "ACL SETUSER default: $out" >&2; exit 1; }
echo 'slipway:{"rotation":"expired"}'`,
  },
};

function secretEnv(name: string, secret: string, key: string): Record<string, unknown> {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

/** The Job that makes the next credential valid (`grant`) or the previous one invalid (`expire`). */
export function rotationJob(
  app: ResolvedApp,
  rotation: CredentialRotation,
  action: 'grant' | 'expire',
  /** Tells apart the Jobs of a run repeated within their TTL (a failed grant, a resumed expiry). */
  attempt: string,
): KubeObject {
  const dependency = app.dependencies[rotation.dependency]!;
  const kind = DEPENDENCY_KINDS[rotation.type];
  const instance = dependencyInstance(app, rotation.dependency, dependency);
  const credentials = dependencyCredentialsName(app.app, rotation.dependency);
  const stash = rotation.stash.metadata.name!;
  const mysql = (): Array<Record<string, unknown>> => [
    secretEnv('ADMIN_PASSWORD', credentials, 'admin-password'),
    { name: 'DATABASE', value: dependency.database ?? app.app },
    ...(action === 'grant'
      ? [secretEnv('USER_NAME', stash, 'username'), secretEnv('USER_PASSWORD', stash, 'password')]
      : [secretEnv('USER_NAME', stash, 'previous-username')]),
  ];
  const env: Array<Record<string, unknown>> =
    rotation.type === 'mysql'
      ? mysql()
      : rotation.type === 'postgres'
        ? [
            secretEnv('PGUSER', credentials, 'username'),
            secretEnv('PGPASSWORD', credentials, 'password'),
            { name: 'PGDATABASE', value: dependency.database ?? app.app },
            ...(action === 'grant'
              ? [
                  secretEnv('NEW_USER', stash, 'username'),
                  secretEnv('NEW_PASSWORD', stash, 'password'),
                  { name: 'BASE_USER', value: app.app },
                ]
              : [secretEnv('OLD_USER', stash, 'previous-username')]),
          ]
        : [
            secretEnv('REDISCLI_AUTH', credentials, 'password'),
            action === 'grant'
              ? secretEnv('NEW_PASSWORD', stash, 'password')
              : secretEnv('OLD_PASSWORD', stash, 'previous-password'),
          ];
  // Not the dependency's own name: its Service selects pods by name and instance.
  const labels = {
    'app.kubernetes.io/name': `${rotation.dependency}-rotation`,
    'app.kubernetes.io/instance': app.app,
    'app.kubernetes.io/component': 'credentials-rotation',
    'app.kubernetes.io/managed-by': 'slipway',
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: objectName(app.app, rotation.dependency, `rotate${rotation.version}`, action, attempt),
      namespace: app.namespace,
      labels,
    },
    spec: {
      backoffLimit: 1,
      ttlSecondsAfterFinished: JOB_TTL_SECONDS,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: kind.uid,
            runAsGroup: kind.gid,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: action,
              image: `${kind.image}:${dependency.version ?? kind.defaultVersion}`,
              command: ['/bin/sh', '-c', SCRIPTS[rotation.type][action]],
              env: [
                { name: 'DB_ADDRESS', value: `${instance.host}:${kind.port.port}` },
                { name: 'HOME', value: '/tmp' },
                ...env,
              ],
              resources: {
                requests: { cpu: '50m', memory: '64Mi' },
                limits: { cpu: '250m', memory: '128Mi' },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '16Mi' } }],
        },
      },
    },
  } as KubeObject;
}

export interface RotationJobs {
  cluster: Cluster;
  clock: Clock;
}

/** Runs one rotation Job; a failure is exit 1 naming the dependency and step, with the tools' last lines. */
export async function runRotationJob(
  env: RotationJobs,
  app: ResolvedApp,
  rotation: CredentialRotation,
  action: 'grant' | 'expire',
): Promise<void> {
  const job = rotationJob(app, rotation, action, randomBytes(3).toString('hex'));
  const what = `${action === 'grant' ? 'new credential for' : 'expiry of the old credential of'} ${rotation.dependency}`;
  const report = await runJob(job, {
    cluster: env.cluster,
    clock: env.clock,
    namespace: app.namespace,
    timeoutMs: JOB_TIMEOUT_MS,
    what,
  });
  if (!report.ok || !report.records.some((r) => r.rotation === (action === 'grant' ? 'granted' : 'expired')))
    throw new UserError(
      `the ${what} failed (Job ${app.namespace}/${job.metadata.name}): ${report.reason ?? 'no confirmation'}${report.log ? `\n${report.log}` : ''}`,
      { code: 'secrets-rotate-job', exitCode: EXIT_FAILED },
    );
}
