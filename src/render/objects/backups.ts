/**
 * Backups of the in-cluster dependencies (`backups:`): a PersistentVolumeClaim `<app>-<dep>-backups`
 * holding them and a CronJob `<app>-<dep>-backup` running the dependency's own dump tool on the
 * schedule (backup-tools.ts), with `concurrencyPolicy: Forbid` and the same locked-down pod as
 * everything else. `slipway backup run|list|restore|drill` build their Jobs from the same pod
 * template (backupPod), so what the CronJob does and what a restore reads never disagree.
 */
import type { NamedObject } from '@slipway/kube';
import type { Backup, Dependency } from '../../spec/schema.js';
import type { ResolvedApp } from '../../spec/resolved.js';
import { dependencyProvider } from '../../spec/dependency-provider.js';
import { CRONJOB_BACKOFF_LIMIT, CRONJOB_HISTORY_LIMIT, TMP_SIZE_LIMIT } from '../defaults.js';
import { warn, type RenderContext } from '../context.js';
import { dependencyCredentialsName, objectName, selectorLabels, standardLabels } from '../names.js';
import { dependencyInstance, sqliteVolume, SQLITE_DEFAULT_FILE } from '../references.js';
import { dependencyKind } from './dependencies/catalog.js';
import { backupKind, backupScript, listScript, restoreScript, type BackupKind } from './backup-tools.js';

export const DEFAULT_BACKUP_STORAGE = '10Gi';
export const BACKUP_DIR = '/backups';
/** Image for SQLite's online backup: the service's own image need not have a sqlite3 shell. */
export const SQLITE_TOOL_IMAGE = 'keinos/sqlite3:3.46.1';
/** A dump that runs longer than this is stopped: the next scheduled run starts clean. */
const BACKUP_DEADLINE_SECONDS = 6 * 3600;
/** Finished backup Jobs (the CronJob keeps its own history) and command Jobs go after a day. */
const JOB_TTL_SECONDS = 86_400;

export type BackupAction = 'backup' | 'list' | 'restore';

/** Where a backup comes from and goes to, for one dependency of one environment. */
export interface BackupTarget {
  dependency: string;
  kind: BackupKind;
  /** `<app>-<dep>-backup`: the CronJob, and the name label of every backup pod. */
  cronJob: string;
  /** `<app>-<dep>-backups`. */
  claim: string;
  /** `app.kubernetes.io/name` of backup pods (NetworkPolicies let them reach the dependency). */
  podName: string;
  image: string;
  /** The dependency's client Service `host:port` (postgres, mysql, redis). */
  address?: string;
  /** The service whose volume holds a SQLite file, its StatefulSet and the PVC of its pod 0. */
  sqlite?: { service: string; workload: string; claim: string; mountPath: string; file: string };
  uid: number;
  gid: number;
}

/** Why a dependency's backups are not Slipway's to render (undefined: they are). */
export function backupRefusal(dependency: Dependency): string | undefined {
  const provider = dependencyProvider(dependency);
  // A managed dependency runs in the cluster until deploy --infra-outputs turns it external.
  if (provider === 'external')
    return 'an external (or managed) dependency is backed up by whoever runs it; Slipway renders no CronJob for it';
  if (provider === 'operator')
    return 'CloudNativePG backs up its own Cluster (spec.backup); Slipway renders no CronJob for it';
  if (dependency.type === 'chromadb')
    return 'chromadb backups need the writer stopped for a consistent copy of its data directory, which this version does not do; nothing in the output backs it up';
  if (!backupKind(dependency)) return `${dependency.type} dependencies are not backed up by Slipway`;
  return undefined;
}

export function backupTarget(app: ResolvedApp, name: string): BackupTarget | undefined {
  const dependency = app.dependencies[name];
  if (!dependency || backupRefusal(dependency)) return undefined;
  const kind = backupKind(dependency)!;
  const base = {
    dependency: name,
    kind,
    cronJob: objectName(app.app, name, 'backup'),
    claim: objectName(app.app, name, 'backups'),
    podName: `${name}-backup`,
  };
  if (kind === 'sqlite') {
    const service = dependency.service ?? '';
    const volume = sqliteVolume(app, dependency);
    const security = app.services[service]?.security;
    if (!volume) return undefined;
    const workload = objectName(app.app, service);
    return {
      ...base,
      image: SQLITE_TOOL_IMAGE,
      sqlite: {
        service,
        workload,
        claim: `${volume.name}-${workload}-0`,
        mountPath: volume.path,
        file: `${volume.path.replace(/\/$/, '')}/${dependency.file ?? SQLITE_DEFAULT_FILE}`,
      },
      uid: security?.runAsUser ?? volume.owner?.uid ?? 10001,
      gid: security?.fsGroup ?? security?.runAsGroup ?? volume.owner?.gid ?? 10001,
    };
  }
  const server = dependencyKind(dependency.type)!;
  const instance = dependencyInstance(app, name, dependency);
  return {
    ...base,
    image: `${server.image}:${dependency.version ?? server.defaultVersion}`,
    address: `${instance.host}:${server.port.port}`,
    uid: server.uid,
    gid: server.gid,
  };
}

function secretEnv(name: string, secret: string, key: string): Record<string, unknown> {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

/** Credentials and database of the target, as the dependency's client tools read them from the environment. */
function clientEnv(app: ResolvedApp, target: BackupTarget): Array<Record<string, unknown>> {
  const credentials = dependencyCredentialsName(app.app, target.dependency);
  const database = app.dependencies[target.dependency]?.database ?? app.app;
  switch (target.kind) {
    case 'postgres':
      return [
        secretEnv('PGUSER', credentials, 'username'),
        secretEnv('PGPASSWORD', credentials, 'password'),
        { name: 'PGDATABASE', value: database },
      ];
    case 'mysql':
      return [
        secretEnv('MYSQL_USER', credentials, 'username'),
        secretEnv('MYSQL_PWD', credentials, 'password'),
        { name: 'MYSQL_DATABASE', value: database },
      ];
    case 'redis':
      return [secretEnv('REDISCLI_AUTH', credentials, 'password')];
    case 'sqlite':
      return [{ name: 'DATABASE_PATH', value: target.sqlite!.file }];
  }
}

export interface BackupPodOptions {
  /** restore: the backup id or `latest`. */
  backupId?: string;
  /** restore: `host:port` of the copy to restore into (default: the live dependency). */
  address?: string;
  /** restore: empty the live target first (an in-place restore). */
  replace?: boolean;
  /** restore of SQLite in place: the file to write (default: a scratch file in the pod). */
  restorePath?: string;
  /** The spec's `backups.<dep>.verify`. */
  verify?: string;
}

/** The pod template of a backup, list or restore Job: the same image, volumes and locked-down pod. */
export function backupPod(
  app: ResolvedApp,
  target: BackupTarget,
  action: BackupAction,
  backup: Pick<Backup, 'keep'>,
  opts: BackupPodOptions = {},
): Record<string, unknown> {
  const script =
    action === 'backup'
      ? backupScript(target.kind)
      : action === 'list'
        ? listScript()
        : restoreScript(target.kind);
  const address = opts.address ?? target.address;
  const env: Array<Record<string, unknown>> = [
    { name: 'BACKUP_DIR', value: BACKUP_DIR },
    { name: 'DEPENDENCY', value: target.dependency },
    { name: 'KEEP', value: String(backup.keep) },
    { name: 'HOME', value: '/tmp' },
    ...(address ? [{ name: 'DB_ADDRESS', value: address }] : []),
    ...clientEnv(app, target),
    ...(action === 'restore' ? [{ name: 'BACKUP_ID', value: opts.backupId ?? 'latest' }] : []),
    ...(opts.replace ? [{ name: 'RESTORE_MODE', value: 'replace' }] : []),
    ...(opts.restorePath ? [{ name: 'RESTORE_PATH', value: opts.restorePath }] : []),
    ...(opts.verify ? [{ name: 'VERIFY_COMMAND', value: opts.verify }] : []),
  ];
  // The service's volume: read by a backup, written by an in-place restore; a drill restores into the pod's scratch directory.
  const sqlite = target.sqlite && (action === 'backup' || opts.restorePath) ? target.sqlite : undefined;
  const mounts = [
    { name: 'backups', mountPath: BACKUP_DIR, readOnly: action !== 'backup' ? true : undefined },
    { name: 'tmp', mountPath: '/tmp' },
    ...(sqlite ? [{ name: 'data', mountPath: sqlite.mountPath }] : []),
  ];
  const volumes = [
    { name: 'backups', persistentVolumeClaim: { claimName: target.claim } },
    { name: 'tmp', emptyDir: { sizeLimit: TMP_SIZE_LIMIT } },
    ...(sqlite ? [{ name: 'data', persistentVolumeClaim: { claimName: sqlite.claim } }] : []),
  ];
  return {
    restartPolicy: 'Never',
    automountServiceAccountToken: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: target.uid,
      runAsGroup: target.gid,
      fsGroup: target.gid,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    },
    // A ReadWriteOnce volume can be mounted by pods of one node only: run beside the service that holds the file.
    affinity: sqlite
      ? {
          podAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              {
                labelSelector: { matchLabels: selectorLabels(app.app, sqlite.service) },
                topologyKey: 'kubernetes.io/hostname',
              },
            ],
          },
        }
      : undefined,
    containers: [
      {
        name: action,
        image: target.image,
        command: ['/bin/sh', '-c', script],
        env,
        resources: {
          requests: { cpu: '100m', memory: '256Mi', 'ephemeral-storage': '1Gi' },
          limits: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '2Gi' },
        },
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
        },
        volumeMounts: mounts,
      },
    ],
    volumes,
  };
}

export function backupLabels(app: ResolvedApp, target: BackupTarget): Record<string, string> {
  return standardLabels({ app: app.app, name: target.podName, component: 'backup' });
}

/** The Job spec around a backup pod (the CronJob's jobTemplate, and the commands' Jobs). */
export function backupJobSpec(
  labels: Record<string, string>,
  pod: Record<string, unknown>,
): Record<string, unknown> {
  return {
    backoffLimit: CRONJOB_BACKOFF_LIMIT,
    activeDeadlineSeconds: BACKUP_DEADLINE_SECONDS,
    ttlSecondsAfterFinished: JOB_TTL_SECONDS,
    template: { metadata: { labels }, spec: pod },
  };
}

export function renderBackupObjects(ctx: RenderContext, name: string, backup: Backup): NamedObject[] {
  const dependency = ctx.app.dependencies[name];
  if (!dependency) {
    warn(ctx, `backups.${name}`, `names no dependency; nothing backs it up`);
    return [];
  }
  const refusal = backupRefusal(dependency);
  if (refusal) {
    warn(ctx, `backups.${name}`, refusal);
    return [];
  }
  const target = backupTarget(ctx.app, name);
  if (!target) return [];
  const labels = backupLabels(ctx.app, target);
  const meta = (n: string) => ({ name: n, namespace: ctx.app.namespace, labels });
  return [
    ...(target.address ? [backupNetworkPolicy(ctx, target, meta(target.cronJob))] : []),
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta(target.claim),
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: backup.storage ?? DEFAULT_BACKUP_STORAGE } },
      },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta(target.cronJob),
      spec: {
        schedule: backup.schedule,
        // A dump still running when the next is due is left alone: two dumps double the load and race on retention.
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: CRONJOB_HISTORY_LIMIT,
        failedJobsHistoryLimit: CRONJOB_HISTORY_LIMIT,
        jobTemplate: {
          metadata: { labels },
          spec: backupJobSpec(labels, backupPod(ctx.app, target, 'backup', backup)),
        },
      },
    },
  ];
}

/** Label on the scratch namespaces of `slipway backup drill` (value: the environment's namespace). */
export const DRILL_OF_LABEL = 'slipway.dev/drill-of';

/**
 * Backup pods may reach their dependency's port, here and in the scratch copies a drill makes
 * (namespaces labelled slipway.dev/drill-of=<namespace>); DNS comes from the app's allow-dns policy.
 */
function backupNetworkPolicy(
  ctx: RenderContext,
  target: BackupTarget,
  metadata: NamedObject['metadata'],
): NamedObject {
  const dependency = ctx.app.dependencies[target.dependency]!;
  const port = Number(target.address!.slice(target.address!.lastIndexOf(':') + 1));
  // A subchart labels its pods its own way: any pod of the namespace on that port.
  const pods =
    dependencyProvider(dependency) === 'statefulset'
      ? { podSelector: { matchLabels: selectorLabels(ctx.app.app, target.dependency) } }
      : {};
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata,
    spec: {
      podSelector: { matchLabels: selectorLabels(ctx.app.app, target.podName) },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            { podSelector: pods.podSelector ?? {} },
            {
              namespaceSelector: { matchLabels: { [DRILL_OF_LABEL]: ctx.app.namespace } },
              podSelector: { matchLabels: selectorLabels(ctx.app.app, target.dependency) },
            },
          ],
          ports: [{ protocol: 'TCP', port }],
        },
      ],
    },
  };
}
