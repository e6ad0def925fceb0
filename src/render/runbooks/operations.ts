/** Runbooks for running the app: incident triage, restore from backup, secret rotation. */
import type { RunbookInput } from './deploy.js';
import { kind, selector, type EnvironmentFacts } from './facts.js';
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

export function restoreRunbook(input: RunbookInput): string {
  const out = [header('Restore from backup', input.app, input.specPath)];
  out.push(
    '> This Slipway version does not yet render the backup CronJobs declared under `backups:` nor run `slipway backup restore` / `slipway backup drill`; ',
  );
  out.push(
    'dr-drill.yml only validates the configuration. Until then, take dumps with your own job and restore them with the steps below.\n\n',
  );
  for (const env of input.environments) {
    out.push(`## ${env.name} (namespace \`${env.namespace}\`)\n\n`);
    if (env.backups.length)
      out.push(
        table(
          ['backup', 'schedule', 'keep'],
          env.backups.map((b) => [b.name, `\`${b.schedule}\``, String(b.keep)]),
        ),
      );
    else out.push('No backups are declared for this environment.\n\n');
    for (const d of env.dependencies) out.push(restoreSteps(input.app, env, d));
  }
  return out.join('');
}

function restoreSteps(
  app: string,
  env: EnvironmentFacts,
  d: EnvironmentFacts['dependencies'][number],
): string {
  const ns = `kubectl -n ${env.namespace}`;
  const writers = env.workloads.filter((w) => w.kind !== 'CronJob');
  const stop = writers.map((w) => `${ns} scale ${kind(w)}/${w.name} --replicas=0   # stop writers`);
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
      return (
        `### ${d.name} (sqlite in a service volume)\n\n` +
        code([
          ...stop,
          `# mount the volume in a throwaway pod and copy the backup over the database file`,
          `${ns} get pvc ${pvc}`,
          `${ns} run restore-${d.name} --image=busybox:1.36 --restart=Never --overrides='{"spec":{"volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"${pvc}"}}],"containers":[{"name":"restore","image":"busybox:1.36","command":["sleep","3600"],"volumeMounts":[{"name":"data","mountPath":"/data"}]}]}}'`,
          `${ns} wait --for=condition=Ready pod/restore-${d.name}`,
          `${ns} cp ${d.name}.db restore-${d.name}:/data/${file}`,
          `${ns} delete pod restore-${d.name}`,
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
    for (const d of env.dependencies.filter((x) => x.credentials && !x.external)) {
      out.push(`### ${d.name} (${d.type}): Secret \`${d.credentials}\`\n\n`);
      out.push(
        'Change the password in the database first, then the Secret, then restart the services that use it:\n\n',
      );
      const sql =
        d.type === 'postgres'
          ? `sh -c 'psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "ALTER USER \\"$POSTGRES_USER\\" PASSWORD '"'"'NEW_PASSWORD'"'"'"'`
          : `sh -c 'mysql -u"$MYSQL_USER" -p"$MYSQL_PASSWORD" -e "ALTER USER CURRENT_USER() IDENTIFIED BY '"'"'NEW_PASSWORD'"'"'"'`;
      out.push(
        code([
          `${ns} exec ${d.workload ? `${kind(d.workload)}/${d.workload.name}` : d.name} -- ${sql}`,
          `${ns} patch secret ${d.credentials} --type merge -p '{"stringData":{"password":"NEW_PASSWORD"}}'`,
          ...env.workloads
            .filter((w) => w.kind !== 'CronJob')
            .map((w) => `${ns} rollout restart ${kind(w)}/${w.name}`),
        ]),
      );
    }
    if (!env.secrets.length && !env.dependencies.some((x) => x.credentials))
      out.push('This environment has no secrets to rotate.\n\n');
  }
  return out.join('');
}
