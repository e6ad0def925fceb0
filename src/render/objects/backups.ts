/**
 * Backups of the in-cluster dependencies (`backups:`): a PersistentVolumeClaim `<app>-<dep>-backups`
 * holding them and a CronJob `<app>-<dep>-backup` running the dependency's own dump tool on the
 * schedule (backup-tools.ts), with `concurrencyPolicy: Forbid` and the same locked-down pod as
 * everything else. `slipway backup run|list|restore|drill` build their Jobs from the same pod
 * template (backupPod), so what the CronJob does and what a restore reads never disagree. With
 * `to: s3://...` the backups go to a bucket instead of the claim (rclone uploads them). ChromaDB's
 * files are consistent only with its writer stopped, which takes API access a backup pod should not
 * have: it gets no CronJob, and the rendered backups.yml runs `slipway backup run` on its schedule.
 */
import { imagePullSecrets } from './pod.js';
import type { NamedObject } from '@slipway/kube';
import type { Backup, Dependency } from '../../spec/schema.js';
import type { ResolvedApp } from '../../spec/resolved.js';
import { dependencyProvider } from '../../spec/dependency-provider.js';
import { CRONJOB_BACKOFF_LIMIT, CRONJOB_HISTORY_LIMIT, TMP_SIZE_LIMIT } from '../defaults.js';
import { warn, type RenderContext } from '../context.js';
import { dependencyCredentialsName, objectName, selectorLabels, standardLabels } from '../names.js';
import { dependencyInstance, sqliteVolume, SQLITE_DEFAULT_FILE } from '../references.js';
import { dependencyKind } from './dependencies/catalog.js';
import {
  backupKind,
  backupScript,
  fetchScript,
  listScript,
  remoteListScript,
  restoreScript,
  uploadScript,
  type BackupKind,
} from './backup-tools.js';

export const DEFAULT_BACKUP_STORAGE = '10Gi';
export const BACKUP_DIR = '/backups';
/** Image for SQLite's online backup: the service's own image need not have a sqlite3 shell. */
export const SQLITE_TOOL_IMAGE = 'keinos/sqlite3:3.46.1';
/** Image that moves backups to and from object storage (its entrypoint is rclone; it has a POSIX shell). */
export const RCLONE_IMAGE = 'rclone/rclone:1.68.2';
/** rclone's name for the bucket, configured from the environment (RCLONE_CONFIG_BACKUPS_*). */
const RCLONE_REMOTE = 'backups';
/** A dump that runs longer than this is stopped: the next scheduled run starts clean. */
const BACKUP_DEADLINE_SECONDS = 6 * 3600;
/** Finished backup Jobs (the CronJob keeps its own history) and command Jobs go after a day. */
const JOB_TTL_SECONDS = 86_400;

export type BackupAction = 'backup' | 'list' | 'restore';

/** An s3:// destination: one folder per namespace and dependency under the spec's prefix. */
export interface S3Store {
  /** `s3://bucket/prefix/<namespace>/<dependency>`, for messages. */
  url: string;
  bucket: string;
  /** `prefix/<namespace>/<dependency>` (no leading or trailing slash). */
  path: string;
  secret?: string;
  endpoint?: string;
  region?: string;
}

/** Where a backup comes from and goes to, for one dependency of one environment. */
export interface BackupTarget {
  dependency: string;
  kind: BackupKind;
  /** `<app>-<dep>-backup`: the CronJob, and the name label of every backup pod. */
  cronJob: string;
  /** `<app>-<dep>-backups`: the volume holding the backups, unless they go to object storage. */
  claim: string;
  /** The backups' bucket (`to: s3://...`); absent: the claim. */
  s3?: S3Store;
  /** `app.kubernetes.io/name` of backup pods (NetworkPolicies let them reach the dependency). */
  podName: string;
  image: string;
  /** The dependency's client Service `host:port` (postgres, mysql, redis). */
  address?: string;
  /**
   * Data kept as files on a volume: the service whose volume holds a SQLite file, or ChromaDB's own
   * (its pods' `app.kubernetes.io/name`), the StatefulSet and the PVC of its pod 0. `stop`: the
   * writer must be stopped for a consistent copy (ChromaDB); SQLite copies online.
   */
  files?: {
    service: string;
    workload: string;
    claim: string;
    mountPath: string;
    file?: string;
    stop: boolean;
  };
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
  if (!backupKind(dependency)) return `${dependency.type} dependencies are not backed up by Slipway`;
  return undefined;
}

export function backupTarget(app: ResolvedApp, name: string): BackupTarget | undefined {
  const dependency = app.dependencies[name];
  if (!dependency || backupRefusal(dependency)) return undefined;
  const kind = backupKind(dependency)!;
  const backup = app.backups[name];
  const base = {
    dependency: name,
    kind,
    cronJob: objectName(app.app, name, 'backup'),
    claim: objectName(app.app, name, 'backups'),
    podName: `${name}-backup`,
    s3: backup?.to ? s3Store(backup, app.namespace, name) : undefined,
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
      files: {
        service,
        workload,
        claim: `${volume.name}-${workload}-0`,
        mountPath: volume.path,
        file: `${volume.path.replace(/\/$/, '')}/${dependency.file ?? SQLITE_DEFAULT_FILE}`,
        stop: false,
      },
      uid: security?.runAsUser ?? volume.owner?.uid ?? 10001,
      gid: security?.fsGroup ?? security?.runAsGroup ?? volume.owner?.gid ?? 10001,
    };
  }
  const server = dependencyKind(dependency.type)!;
  if (kind === 'chromadb') {
    const workload = objectName(app.app, name);
    return {
      ...base,
      image: SQLITE_TOOL_IMAGE,
      files: {
        service: name,
        workload,
        claim: `data-${workload}-0`,
        mountPath: server.dataPath,
        stop: true,
      },
      uid: server.uid,
      gid: server.gid,
    };
  }
  const instance = dependencyInstance(app, name, dependency);
  return {
    ...base,
    image: `${server.image}:${dependency.version ?? server.defaultVersion}`,
    address: `${instance.host}:${server.port.port}`,
    uid: server.uid,
    gid: server.gid,
  };
}

function s3Store(backup: Backup, namespace: string, dependency: string): S3Store {
  const [bucket, ...prefix] = backup.to!.slice('s3://'.length).split('/').filter(Boolean);
  const path = [...prefix, namespace, dependency].join('/');
  return {
    url: `s3://${bucket}/${path}`,
    bucket: bucket!,
    path,
    secret: backup.s3?.secret,
    endpoint: backup.s3?.endpoint?.replace(/\/$/, ''),
    region: backup.s3?.region,
  };
}

/** rclone's configuration for the bucket, all from the environment (no config file to mount). */
function rcloneEnv(store: S3Store): Array<Record<string, unknown>> {
  const prefix = `RCLONE_CONFIG_${RCLONE_REMOTE.toUpperCase()}`;
  return [
    { name: 'RCLONE_CONFIG', value: '/dev/null' },
    { name: `${prefix}_TYPE`, value: 's3' },
    { name: `${prefix}_PROVIDER`, value: store.endpoint ? 'Other' : 'AWS' },
    // Keys from the environment (the Secret below), else the pod's web identity or the node's role.
    { name: `${prefix}_ENV_AUTH`, value: 'true' },
    ...(store.endpoint ? [{ name: `${prefix}_ENDPOINT`, value: store.endpoint }] : []),
    ...(store.region ? [{ name: `${prefix}_REGION`, value: store.region }] : []),
    { name: 'REMOTE', value: `${RCLONE_REMOTE}:${store.bucket}/${store.path}` },
    { name: 'REMOTE_URL', value: store.url },
  ];
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
      return [{ name: 'DATABASE_PATH', value: target.files!.file }];
    case 'chromadb':
      return [{ name: 'DATA_DIR', value: target.files!.mountPath }];
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
  backup: Pick<Backup, 'keep' | 'storage'>,
  opts: BackupPodOptions = {},
): Record<string, unknown> {
  const store = target.s3;
  const script =
    action === 'backup'
      ? backupScript(target.kind)
      : action === 'list'
        ? store
          ? remoteListScript()
          : listScript()
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
  const files = target.files && (action === 'backup' || opts.restorePath) ? target.files : undefined;
  // With a bucket the backups pass through a scratch directory: written by the dump, then uploaded; fetched, then restored.
  const scratch = store ? (backup.storage ?? DEFAULT_BACKUP_STORAGE) : undefined;
  const mounts = [
    { name: 'backups', mountPath: BACKUP_DIR, readOnly: action !== 'backup' && !store ? true : undefined },
    { name: 'tmp', mountPath: '/tmp' },
    ...(files ? [{ name: 'data', mountPath: files.mountPath }] : []),
  ];
  const volumes = [
    store
      ? { name: 'backups', emptyDir: { sizeLimit: scratch } }
      : { name: 'backups', persistentVolumeClaim: { claimName: target.claim } },
    { name: 'tmp', emptyDir: { sizeLimit: TMP_SIZE_LIMIT } },
    ...(files ? [{ name: 'data', persistentVolumeClaim: { claimName: files.claim } }] : []),
  ];
  const container = (
    name: string,
    image: string,
    run: string,
    vars: Array<Record<string, unknown>>,
    secret?: string,
  ) => ({
    name,
    image,
    command: ['/bin/sh', '-c', run],
    env: vars,
    ...(secret ? { envFrom: [{ secretRef: { name: secret } }] } : {}),
    resources: {
      requests: { cpu: '100m', memory: '256Mi', 'ephemeral-storage': '1Gi' },
      // The scratch directory counts against the pod's ephemeral storage.
      limits: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': scratch ?? '2Gi' },
    },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: mounts.filter((m) => m.name !== 'data' || image !== RCLONE_IMAGE),
  });
  const transfer = (name: string, run: string) =>
    container(
      name,
      RCLONE_IMAGE,
      run,
      [
        { name: 'BACKUP_DIR', value: BACKUP_DIR },
        { name: 'KEEP', value: String(backup.keep) },
        { name: 'HOME', value: '/tmp' },
        ...(action === 'restore' ? [{ name: 'BACKUP_ID', value: opts.backupId ?? 'latest' }] : []),
        ...rcloneEnv(store!),
      ],
      store!.secret,
    );
  const tool = (name: string) => container(name, target.image, script, env);
  const [initContainers, containers] = !store
    ? [undefined, [tool(action)]]
    : action === 'backup'
      ? [[tool('backup')], [transfer('upload', uploadScript())]]
      : action === 'list'
        ? [undefined, [transfer('list', script)]]
        : [[transfer('fetch', fetchScript())], [tool('restore')]];
  return {
    restartPolicy: 'Never',
    automountServiceAccountToken: false,
    imagePullSecrets: imagePullSecrets(app),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: target.uid,
      runAsGroup: target.gid,
      fsGroup: target.gid,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    },
    // A ReadWriteOnce volume can be mounted by pods of one node only: run beside the service that holds
    // the file (a stopped writer has no pod, and its volume follows the backup pod).
    affinity:
      files && !files.stop
        ? {
            podAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  labelSelector: { matchLabels: selectorLabels(app.app, files.service) },
                  topologyKey: 'kubernetes.io/hostname',
                },
              ],
            },
          }
        : undefined,
    initContainers,
    containers,
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
    ...(target.address || target.s3 ? [backupNetworkPolicy(ctx, target, meta(target.cronJob))] : []),
    ...(target.s3
      ? []
      : [
          {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: meta(target.claim),
            spec: {
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: backup.storage ?? DEFAULT_BACKUP_STORAGE } },
            },
          },
        ]),
    // A writer that must be stopped first is backed up from outside (backups.yml runs slipway backup run).
    ...(target.files?.stop ? [] : [backupCronJob(ctx, target, backup, labels, meta(target.cronJob))]),
  ];
}

function backupCronJob(
  ctx: RenderContext,
  target: BackupTarget,
  backup: Backup,
  labels: Record<string, string>,
  metadata: NamedObject['metadata'],
): NamedObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata,
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
  };
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
  const egress: Array<Record<string, unknown>> = [];
  if (target.address) {
    const dependency = ctx.app.dependencies[target.dependency]!;
    const port = Number(target.address.slice(target.address.lastIndexOf(':') + 1));
    // A subchart labels its pods its own way: any pod of the namespace on that port.
    const pods =
      dependencyProvider(dependency) === 'statefulset'
        ? { podSelector: { matchLabels: selectorLabels(ctx.app.app, target.dependency) } }
        : {};
    egress.push({
      to: [
        { podSelector: pods.podSelector ?? {} },
        {
          namespaceSelector: { matchLabels: { [DRILL_OF_LABEL]: ctx.app.namespace } },
          podSelector: { matchLabels: selectorLabels(ctx.app.app, target.dependency) },
        },
      ],
      ports: [{ protocol: 'TCP', port }],
    });
  }
  // Object storage has no fixed addresses: its port, anywhere.
  if (target.s3) egress.push({ ports: [{ protocol: 'TCP', port: storePort(target.s3) }] });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata,
    spec: {
      podSelector: { matchLabels: selectorLabels(ctx.app.app, target.podName) },
      policyTypes: ['Egress'],
      egress,
    },
  };
}

/** The port of the bucket's endpoint: its URL's, else 443 (AWS S3, or https without one), 80 for http. */
export function storePort(store: S3Store): number {
  if (!store.endpoint) return 443;
  const url = new URL(store.endpoint);
  return url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
}
