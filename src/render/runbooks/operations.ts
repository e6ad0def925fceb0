/** Runbooks for running the app: incident triage, restore from backup, secret rotation. */
import type { RunbookInput } from './deploy.js';
import { kind, selector, type EnvironmentFacts } from './facts.js';
import { DEFAULT_UID } from '../defaults.js';
import { code, header, table } from './markdown.js';

export function triageRunbook(input: RunbookInput, dashboardUid: string): string {
  const out = [header('Incident triage', input.app, input.specPath)];
  out.push(
    'First ten minutes: is it us, is it a deploy, is it a dependency? Then mitigate (usually roll back), then find the cause.\n\n',
  );
  out.push(
    `Dashboard: Grafana dashboard uid \`${dashboardUid}\` (deploy/grafana/${input.app}.json): error rate and latency per service, deploys marked.\n\n`,
  );
  for (const env of input.environments) {
    const ns = `kubectl -n ${env.namespace}`;
    out.push(`## ${env.name} (namespace \`${env.namespace}\`)\n\n`);
    out.push(
      '1. Did something just ship? A deploy in the last hour is the first suspect; roll it back (rollback.md) before digging.\n\n',
    );
    out.push(code([`slipway history --env ${env.name}`, `slipway status --env ${env.name}`]));
    out.push('2. What is unhealthy?\n\n');
    out.push(
      code([
        `${ns} get pods -l ${selector(input.app)} -o wide`,
        `${ns} get events --field-selector type=Warning --sort-by=.lastTimestamp | tail -30`,
        `${ns} top pods -l ${selector(input.app)}`,
      ]),
    );
    out.push('3. Logs per service:\n\n');
    out.push(
      code(
        env.workloads.map(
          (w) =>
            `${ns} logs -l ${selector(input.app, w.service)} --all-containers --prefix --since=15m --tail=200`,
        ),
      ),
    );
    if (env.dependencies.length) {
      out.push('4. Dependencies:\n\n');
      out.push(
        table(
          ['name', 'type', 'where', 'check'],
          env.dependencies.map((d) => [
            d.name,
            d.type,
            d.external
              ? `external (Secret \`${d.credentials}\`)`
              : d.workload
                ? `${d.workload.kind} \`${d.workload.name}\``
                : 'in a service volume',
            d.workload ? `\`${ns} get pods -l ${selector(input.app, d.name)}\`` : '-',
          ]),
        ),
      );
    }
    out.push('5. Capacity: pods pending, OOMKilled or throttled point at resources; HPA state:\n\n');
    out.push(
      code([
        `${ns} get hpa,pdb -l ${selector(input.app)}`,
        `${ns} describe pod POD_NAME | grep -A5 -E 'Last State|Limits|Requests'`,
      ]),
    );
  }
  return out.join('');
}

/** busybox: sh, rm, mv and tar (which kubectl cp needs); the tag compose renders for volume init too. */
const SQLITE_RESTORE_IMAGE = 'busybox:1.37';

/** The throwaway pod: restricted Pod Security Standard (non-root, no capabilities, read-only root, seccomp). */
function restorePod(name: string, pvc: string): Record<string, unknown> {
  return {
    spec: {
      securityContext: {
        runAsNonRoot: true,
        runAsUser: DEFAULT_UID,
        runAsGroup: DEFAULT_UID,
        fsGroup: DEFAULT_UID,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: pvc } }],
      containers: [
        {
          name,
          image: SQLITE_RESTORE_IMAGE,
          command: ['sleep', '3600'],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
        },
      ],
    },
  };
}

export function restoreRunbook(input: RunbookInput): string {
  const out = [header('Restore from backup', input.app, input.specPath)];
  out.push(
    "Backups run as the CronJobs `render` writes from `backups:` (the dependency's own dump tool, a manifest with each file's sha256, " +
      'the oldest beyond `keep` deleted; ChromaDB, whose writer must be stopped, from the `backups.yml` workflow). ' +
      'Every command below runs Jobs in the cluster, so it works from any machine that can deploy.\n\n',
  );
  for (const env of input.environments) {
    out.push(`## ${env.name} (namespace \`${env.namespace}\`)\n\n`);
    const backedUp = new Set(env.backups.filter((b) => b.kind).map((b) => b.name));
    if (backedUp.size) {
      out.push(
        table(
          ['backup', 'schedule', 'keep', 'RTO target', 'RPO target'],
          env.backups
            .filter((b) => backedUp.has(b.name))
            .map((b) => [b.name, `\`${b.schedule}\``, String(b.keep), b.rto ?? '-', b.rpo ?? '-']),
        ),
      );
      out.push('1. Is there a good backup? Drill it first: the live data is not touched.\n\n');
      out.push(
        code([
          `slipway backup list --env ${env.name}`,
          `slipway backup drill --env ${env.name}   # restore into a scratch namespace, verify, RTO and RPO`,
        ]),
      );
      out.push('2. Restore.\n\n');
      for (const name of [...backedUp].sort()) out.push(restoreCommands(env, name));
    } else out.push('No backups are declared for this environment.\n\n');
    const manual = env.dependencies.filter((d) => !backedUp.has(d.name));
    if (manual.length && backedUp.size)
      out.push('Dependencies Slipway does not back up, restored from your own copies:\n\n');
    for (const d of manual) out.push(restoreSteps(input.app, env, d));
  }
  return out.join('');
}

function restoreCommands(env: EnvironmentFacts, name: string): string {
  const backup = env.backups.find((b) => b.name === name)!;
  const what: Record<string, string> = {
    postgres:
      '`pg_restore --clean --if-exists` in one transaction: a restore that fails leaves the database as it was.',
    mysql: 'the dump drops and recreates each table it holds.',
    redis: 'the cache is emptied (FLUSHALL), then every key of the snapshot is copied in with its TTL.',
    sqlite:
      'the service is scaled to 0 while the file is replaced (its `-wal` and `-shm` removed), then scaled back.',
    chromadb:
      'its StatefulSet is scaled to 0 while the data directory is emptied and unpacked from the archive, then scaled back.',
  };
  const copy =
    backup.kind === 'sqlite' || backup.kind === 'chromadb'
      ? []
      : [
          `slipway backup restore --env ${env.name} ${name} --to-namespace ${env.namespace}-restore   # a copy to inspect`,
        ];
  return (
    `### ${name} (${backup.kind})\n\nIn place, ${what[backup.kind ?? ''] ?? ''}\n\n` +
    code([
      ...copy,
      `slipway backup restore --env ${env.name} ${name} --backup BACKUP_ID --yes   # the newest without --backup`,
    ])
  );
}

function restoreSteps(
  app: string,
  env: EnvironmentFacts,
  d: EnvironmentFacts['dependencies'][number],
): string {
  const ns = `kubectl -n ${env.namespace}`;
  const writers = env.workloads.filter((w) => w.kind !== 'CronJob');
  const stop = writers.map((w) => `${ns} scale ${w.ref} --replicas=0   # stop writers`);
  const start = `slipway deploy --env ${env.name}   # brings every workload back to its spec`;
  if (d.external)
    return `### ${d.name} (${d.type}, external)\n\nRestore with your provider's point-in-time restore; the connection is in Secret \`${d.credentials}\`.\n\n`;
  const w = d.workload;
  switch (d.type) {
    case 'postgres':
      return (
        `### ${d.name} (postgres, ${w?.kind} \`${w?.name}\`)\n\n` +
        code([
          ...stop,
          `${ns} exec -i ${w ? `${kind(w)}/${w.name}` : d.name} -- sh -c 'pg_restore --clean --if-exists --no-owner -U "$POSTGRES_USER" -d "$POSTGRES_DB"' < ${d.name}.dump`,
          start,
        ])
      );
    case 'mysql':
      return (
        `### ${d.name} (mysql, ${w?.kind} \`${w?.name}\`)\n\n` +
        code([
          ...stop,
          `${ns} exec -i ${w ? `${kind(w)}/${w.name}` : d.name} -- sh -c 'mysql -u"$MYSQL_USER" -p"$MYSQL_PASSWORD" "$MYSQL_DATABASE"' < ${d.name}.sql`,
          start,
        ])
      );
    case 'sqlite': {
      const owner = env.workloads.find((x) => x.kind === 'StatefulSet');
      const pvc = d.sqlite?.pvc ?? 'PVC_NAME';
      const file = d.sqlite?.file ?? 'DB_FILE';
      const pod = `restore-${d.name}`;
      return (
        `### ${d.name} (sqlite in a service volume)\n\n` +
        'With every writer stopped, the database is the file alone: its `-wal` and `-shm` companions belong to the ' +
        'old database and are removed before the backup goes in (SQLite would replay a stale WAL over it). ' +
        `The helper pod runs as the app's non-root user with a read-only root filesystem and no capabilities.\n\n` +
        code([
          ...stop,
          `${ns} get pvc ${pvc}`,
          `${ns} run ${pod} --image=${SQLITE_RESTORE_IMAGE} --restart=Never --overrides='${JSON.stringify(restorePod(pod, pvc))}'`,
          `${ns} wait --for=condition=Ready pod/${pod} --timeout=2m`,
          `${ns} exec ${pod} -- rm -f /data/${file}-wal /data/${file}-shm`,
          `${ns} cp ${d.name}.db ${pod}:/data/${file}.restore`,
          `${ns} exec ${pod} -- mv /data/${file}.restore /data/${file}`,
          `${ns} delete pod ${pod}`,
          owner ? `${ns} scale statefulset/${owner.name} --replicas=1` : start,
        ])
      );
    }
    default:
      return (
        `### ${d.name} (${d.type}${w ? `, ${w.kind} \`${w.name}\`` : ''})\n\nRebuildable data: delete its pods' volumes only if a restore from source is faster; otherwise restore the PersistentVolumeClaims from your VolumeSnapshots:\n\n` +
        code([`${ns} get pvc -l ${selector(app, d.name)}`])
      );
  }
}

export function secretsRunbook(input: RunbookInput): string {
  const out = [header('Secret rotation', input.app, input.specPath)];
  out.push(
    'Services read secrets as environment variables at start, so a rotated value needs a restart, which is a rolling one (no downtime).\n\n',
  );
  out.push(
    'CI secrets: each GitHub Environment holds `KUBECONFIG` for its cluster; registries other than GHCR use `REGISTRY_USERNAME`/`REGISTRY_PASSWORD`. Rotate them in Settings > Environments / Secrets.\n\n',
  );
  for (const env of input.environments) {
    const ns = `kubectl -n ${env.namespace}`;
    out.push(`## ${env.name} (namespace \`${env.namespace}\`)\n\n`);
    for (const s of env.secrets) {
      const w = env.workloads.find((x) => x.service === s.service);
      out.push(`### ${s.service}: Secret \`${s.secret}\` (${s.keys.join(', ')})\n\n`);
      const lines = [
        `# merge one new value in; the other keys stay`,
        `${ns} patch secret ${s.secret} --type merge -p '{"stringData":{"${s.keys[0]}":"NEW_VALUE"}}'`,
      ];
      if (w && w.kind !== 'CronJob') {
        lines.push(
          `${ns} rollout restart ${kind(w)} -l ${selector(input.app, s.service)}`,
          `${ns} rollout status ${kind(w)} -l ${selector(input.app, s.service)} --timeout=5m`,
        );
      } else {
        lines.push('# a CronJob reads the new value at its next run');
      }
      out.push(code(lines));
    }
    for (const d of env.dependencies.filter((x) => x.credentials && !x.external))
      out.push(rotationSteps(env, d));
    if (!env.secrets.length && !env.dependencies.some((x) => x.credentials))
      out.push('This environment has no secrets to rotate.\n\n');
  }
  return out.join('');
}

/** How each server changes its own password in place, reading the new one from stdin or an argument. */
const CHANGE_PASSWORD: Record<string, (target: string, ns: string) => string> = {
  postgres: (target, ns) =>
    `printf "ALTER ROLE CURRENT_USER WITH PASSWORD '%s';\\n" "$NEW_PASSWORD" | ${ns} exec -i ${target} -- sh -c 'psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"'`,
  mysql: (target, ns) =>
    `printf "ALTER USER CURRENT_USER() IDENTIFIED BY '%s';\\n" "$NEW_PASSWORD" | ${ns} exec -i ${target} -- sh -c 'mysql -u"$MYSQL_USER" -p"$MYSQL_PASSWORD"'`,
  // Takes effect at once; the pod reads the Secret's new password whenever it restarts.
  redis: (target, ns) =>
    `${ns} exec ${target} -- sh -c 'redis-cli --no-auth-warning -a "$REDIS_PASSWORD" CONFIG SET requirepass "$1"' sh "$NEW_PASSWORD"`,
};

/**
 * Rotation of a dependency's generated password. The services read the connection `url` (which
 * embeds the password), so both keys change together: the url is rebuilt from its current value
 * with only the password replaced.
 */
function rotationSteps(env: EnvironmentFacts, d: EnvironmentFacts['dependencies'][number]): string {
  const ns = `kubectl -n ${env.namespace}`;
  const target = d.workload?.ref ?? d.name;
  const change = CHANGE_PASSWORD[d.type];
  const lines = [
    `NEW_PASSWORD=$(openssl rand -hex 24)   # letters and digits: safe inside a URL`,
    ...(change ? [change(target, ns)] : [`# change the password in ${d.name} itself first`]),
    `URL=$(${ns} get secret ${d.credentials} -o jsonpath='{.data.url}' | base64 -d | sed -E "s#^([a-z]+://[^:/@]*):[^@]*@#\\1:$NEW_PASSWORD@#")`,
    `${ns} patch secret ${d.credentials} --type merge -p "{\\"stringData\\":{\\"password\\":\\"$NEW_PASSWORD\\",\\"url\\":\\"$URL\\"}}"`,
    ...env.workloads
      .filter((w) => w.kind !== 'CronJob')
      .flatMap((w) => [`${ns} rollout restart ${w.ref}`, `${ns} rollout status ${w.ref} --timeout=5m`]),
  ];
  return (
    `### ${d.name} (${d.type}): Secret \`${d.credentials}\` (password, url)\n\n` +
    `Change the password in ${d.type} first, then both Secret keys, then restart the services so they read the new \`url\`:\n\n` +
    code(lines)
  );
}
