/**
 * `slipway backup run|list|restore|drill`: everything runs as Jobs in the cluster built from the
 * same pod template as the rendered CronJob (render/objects/backups.ts), and reports through the
 * Job's log (job.ts). A drill restores the newest backup into a scratch copy of the dependency in
 * its own namespace, verifies it, measures RTO (restore started → verified) and RPO (age of the
 * backup), compares them with `backups.<dep>.rto|rpo`, removes the copy and records the result on
 * the environment's current release.
 */
import type { KubeObject } from '@slipway/kube';
import type { EngineContext } from '../engine/context.js';
import { FIELD_MANAGER } from '../engine/defaults.js';
import { UserError, EXIT_FAILED } from '../errors.js';
import { renderApp, originKey } from '../render/index.js';
import {
  backupJobSpec,
  backupLabels,
  backupPod,
  backupRefusal,
  backupTarget,
  DRILL_OF_LABEL,
  type BackupPodOptions,
  type BackupTarget,
} from '../render/objects/backups.js';
import { dependencyCredentialsName } from '../render/names.js';
import type { Backup } from '../spec/schema.js';
import type { ResolvedApp } from '../spec/resolved.js';
import { parseDuration, formatDuration } from '../spec/duration.js';
import { runJob, withinBudget, type JobReport } from './job.js';
import type { DrillRecord } from '../engine/releases/release.js';

export interface BackupFile {
  name: string;
  size: number;
  sha256: string;
}

/** What the backup script writes beside the artifacts (manifest.json). */
export interface BackupManifest {
  id: string;
  dependency: string;
  kind: string;
  /** When the dump began: the point in time the backup holds. */
  started: string;
  finished: string;
  tool: string;
  files: BackupFile[];
}

export interface BackupEnv {
  ctx: EngineContext;
  app: ResolvedApp;
  /** Budget of each Job (and of a drill's scratch copy getting ready). */
  timeoutMs: number;
  /** The contents of the files the spec names (`config[].from`): render needs them. */
  files?: Record<string, string>;
}

interface Selected {
  name: string;
  backup: Backup;
  target: BackupTarget;
}

/** The dependencies to act on: `only`, else every one with `backups:` that Slipway backs up. */
export function selectBackups(app: ResolvedApp, only?: string): Selected[] {
  const names = Object.keys(app.backups).sort();
  if (only !== undefined && !names.includes(only))
    throw new UserError(`${app.environment} backs up no dependency "${only}"`, {
      code: 'backup/unknown',
      path: 'DEPENDENCY',
      hint: names.length
        ? `backed up here: ${names.join(', ')}`
        : `add backups: { ${only}: { schedule: "0 3 * * *", keep: 7 } } to the spec`,
    });
  const chosen = only !== undefined ? [only] : names;
  if (!chosen.length)
    throw new UserError(`${app.environment} has no backups`, {
      code: 'backup/none',
      path: 'backups',
      hint: 'add backups: { <dependency>: { schedule, keep } } to the spec (or the environment sets backups: null)',
    });
  const out: Selected[] = [];
  for (const name of chosen) {
    const dependency = app.dependencies[name];
    const refusal = dependency ? backupRefusal(dependency) : 'no such dependency';
    const target = backupTarget(app, name);
    if (refusal || !target) {
      if (only !== undefined)
        throw new UserError(`backups.${name}: ${refusal ?? 'its volume is not found'}`, {
          code: 'backup/unsupported',
          path: `backups.${name}`,
        });
      continue;
    }
    out.push({ name, backup: app.backups[name]!, target });
  }
  return out;
}

/** A Job name unique per second and within the 63 characters its pods' job-name label allows. */
function jobName(prefix: string, action: string, now: Date): string {
  const stamp = now.getTime().toString(36);
  return `${prefix.slice(0, 63 - action.length - stamp.length - 2)}-${action}-${stamp}`;
}

function job(
  app: ResolvedApp,
  s: Selected,
  action: 'backup' | 'list' | 'restore',
  name: string,
  opts: BackupPodOptions = {},
): KubeObject {
  const labels = backupLabels(app, s.target);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: app.namespace, labels },
    spec: backupJobSpec(labels, backupPod(app, s.target, action, s.backup, opts)),
  };
}

function fail(what: string, report: JobReport): never {
  throw new UserError(
    `the ${what} failed (Job ${report.job}${report.reason ? `: ${report.reason}` : ''})${report.log ? `; its log:\n${report.log}` : ''}`,
    { code: 'backup/job-failed', exitCode: EXIT_FAILED },
  );
}

const records = (r: JobReport, key: string) => r.records.filter((x) => key in x).map((x) => x[key]);

export interface BackupRun {
  dependency: string;
  job: string;
  backup: BackupManifest;
  /** Where it is kept: `s3://bucket/path/<id>` or `PersistentVolumeClaim ns/name`. */
  location: string;
  /** Backups removed by retention (`keep`). */
  deleted: string[];
  durationMs: number;
}

/** Where a dependency's backups are kept, for people. */
export function backupLocation(app: ResolvedApp, target: BackupTarget): string {
  return target.s3 ? target.s3.url : `PersistentVolumeClaim ${app.namespace}/${target.claim}`;
}

/** `backup run`: a Job from the deployed CronJob, as `kubectl create job --from=cronjob/...` makes one. */
export async function runBackups(env: BackupEnv, only?: string): Promise<BackupRun[]> {
  const { ctx, app } = env;
  const out: BackupRun[] = [];
  for (const s of selectBackups(app, only)) {
    const started = ctx.clock.now();
    const report = s.target.files?.stop
      ? await withWriterStopped(env, s.target.files, () =>
          runJob(job(app, s, 'backup', jobName(s.target.cronJob, 'run', started)), {
            ...jobOptions(env),
            what: `backup of ${s.name}`,
          }),
        )
      : await runFromCronJob(env, s, started);
    const backup = records(report, 'backup')[0] as BackupManifest | undefined;
    if (!report.ok || !backup) fail(`backup of ${s.name}`, report);
    out.push({
      dependency: s.name,
      job: report.job,
      backup,
      location: s.target.s3 ? `${s.target.s3.url}/${backup.id}` : backupLocation(app, s.target),
      deleted: records(report, 'deleted') as string[],
      durationMs: ctx.clock.now().getTime() - started.getTime(),
    });
  }
  return out;
}

/** A Job from the deployed CronJob, as `kubectl create job --from=cronjob/...` makes one. */
async function runFromCronJob(env: BackupEnv, s: Selected, started: Date): Promise<JobReport> {
  const { ctx, app } = env;
  const cronJob = await ctx.cluster.get<KubeObject & { spec?: { jobTemplate?: Record<string, unknown> } }>({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    namespace: app.namespace,
    name: s.target.cronJob,
  });
  if (!cronJob?.spec?.jobTemplate)
    throw new UserError(`CronJob ${app.namespace}/${s.target.cronJob} is not in the cluster`, {
      code: 'backup/not-deployed',
      hint: `deploy the environment first: slipway deploy --env ${app.environment}`,
    });
  const template = cronJob.spec.jobTemplate as {
    metadata?: { labels?: Record<string, string> };
    spec: unknown;
  };
  return runJob(
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: jobName(s.target.cronJob, 'run', started),
        namespace: app.namespace,
        labels: template.metadata?.labels,
        annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            name: s.target.cronJob,
            uid: cronJob.metadata.uid ?? '',
            controller: true,
          },
        ],
      },
      spec: template.spec,
    },
    { ...jobOptions(env), what: `backup of ${s.name}` },
  );
}

function jobOptions(env: BackupEnv) {
  return {
    cluster: env.ctx.cluster,
    clock: env.ctx.clock,
    namespace: env.app.namespace,
    timeoutMs: env.timeoutMs,
  };
}

export interface BackupList {
  dependency: string;
  location: string;
  /** Oldest first. */
  backups: BackupManifest[];
}

export async function listBackups(env: BackupEnv, only?: string): Promise<BackupList[]> {
  const out: BackupList[] = [];
  for (const s of selectBackups(env.app, only)) {
    const report = await runJob(
      job(env.app, s, 'list', jobName(s.target.cronJob, 'list', env.ctx.clock.now())),
      {
        ...jobOptions(env),
        what: `listing of ${s.name}'s backups`,
      },
    );
    if (!report.ok || !records(report, 'listed').length) fail(`listing of ${s.name}'s backups`, report);
    out.push({
      dependency: s.name,
      location: backupLocation(env.app, s.target),
      backups: records(report, 'backup') as BackupManifest[],
    });
  }
  return out;
}

export interface RestoreOptions {
  /** A backup id; default the newest. */
  backupId?: string;
  /** Restore into a copy of the dependency in this namespace (created when missing) instead of in place. */
  toNamespace?: string;
}

export interface RestoreResult {
  dependency: string;
  job: string;
  backup: BackupManifest;
  /** Where it was restored: the live dependency (`in place`), a namespace, or the drill's scratch file. */
  into: string;
  /** The verification lines the script printed (tables, rows, checksums; keys; integrity_check). */
  verification: Array<Record<string, unknown>>;
  startedAt: string;
  verifiedAt: string;
}

/** `backup restore`: in place (the live data is replaced) or into a copy in `toNamespace`. */
export async function restoreBackup(
  env: BackupEnv,
  dependency: string,
  opts: RestoreOptions,
): Promise<RestoreResult> {
  const s = selectBackups(env.app, dependency)[0]!;
  if (opts.toNamespace === undefined) return restoreInPlace(env, s, opts.backupId);
  if (s.target.files)
    throw new UserError(
      `${s.target.kind === 'sqlite' ? 'a SQLite file' : "ChromaDB's data directory"} restores in place (or in a drill, into the restore pod); --to-namespace needs a database server`,
      {
        code: 'backup/to-namespace-files',
        path: '--to-namespace',
      },
    );
  const started = env.ctx.clock.now();
  const address = await scratchCopy(env, s, opts.toNamespace);
  return restoreJob(env, s, { backupId: opts.backupId, address }, opts.toNamespace, started);
}

async function restoreJob(
  env: BackupEnv,
  s: Selected,
  opts: BackupPodOptions,
  into: string,
  started: Date,
): Promise<RestoreResult> {
  const report = await runJob(
    job(env.app, s, 'restore', jobName(s.target.cronJob, 'restore', env.ctx.clock.now()), {
      ...opts,
      verify: s.backup.verify,
    }),
    { ...jobOptions(env), what: `restore of ${s.name}` },
  );
  const backup = records(report, 'restoring')[0] as BackupManifest | undefined;
  if (!report.ok || !backup || !records(report, 'verified').length) fail(`restore of ${s.name}`, report);
  return {
    dependency: s.name,
    job: report.job,
    backup,
    into,
    verification: records(report, 'verify') as Array<Record<string, unknown>>,
    startedAt: started.toISOString(),
    verifiedAt: env.ctx.clock.now().toISOString(),
  };
}

async function restoreInPlace(env: BackupEnv, s: Selected, backupId?: string): Promise<RestoreResult> {
  const started = env.ctx.clock.now();
  const files = s.target.files;
  if (!files) return restoreJob(env, s, { backupId, replace: true }, 'in place', started);
  // Files are replaced only while nobody has them open: the service stops, they are copied, it starts.
  return withWriterStopped(env, files, () =>
    restoreJob(env, s, { backupId, restorePath: files.file ?? files.mountPath }, 'in place', started),
  );
}

/**
 * Runs `work` with the StatefulSet that owns the files scaled to 0 and its pods gone, then scales it
 * back to its replicas, whether `work` succeeded or not.
 */
async function withWriterStopped<T>(
  env: BackupEnv,
  files: NonNullable<BackupTarget['files']>,
  work: () => Promise<T>,
): Promise<T> {
  const { cluster } = env.ctx;
  const ref = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    namespace: env.app.namespace,
    name: files.workload,
  };
  const live = await cluster.get<KubeObject & { spec?: { replicas?: number } }>(ref);
  if (!live)
    throw new UserError(`StatefulSet ${env.app.namespace}/${files.workload} is not in the cluster`, {
      code: 'backup/not-deployed',
      hint: `deploy the environment first: slipway deploy --env ${env.app.environment}`,
    });
  const replicas = live.spec?.replicas ?? 1;
  await cluster.patch(ref, { spec: { replicas: 0 } }, 'merge', { fieldManager: FIELD_MANAGER });
  try {
    await waitFor(env, `${files.workload} to stop`, async (signal) => {
      await cluster.watchList(
        { apiVersion: 'v1', kind: 'Pod', namespace: env.app.namespace },
        {
          labelSelector: {
            'app.kubernetes.io/name': files.service,
            'app.kubernetes.io/instance': env.app.app,
          },
        },
        (pods) => pods.length === 0,
        signal,
      );
    });
    return await work();
  } finally {
    await cluster.patch(ref, { spec: { replicas } }, 'merge', { fieldManager: FIELD_MANAGER });
  }
}

function waitFor(
  env: BackupEnv,
  what: string,
  wait: (signal: AbortSignal) => Promise<unknown>,
): Promise<unknown> {
  return withinBudget(env.ctx.clock, env.timeoutMs, what, wait);
}

/**
 * A copy of the dependency in `namespace`: the objects render makes for it (ServiceAccount,
 * Services, StatefulSet) and its credentials Secret, in a namespace labelled as a drill of the
 * app's (so the backup pods' NetworkPolicy lets the restore reach it). Returns its `host:port`.
 */
async function scratchCopy(
  env: BackupEnv,
  s: Selected,
  namespace: string,
  fresh?: { created: boolean },
): Promise<string> {
  const { cluster } = env.ctx;
  const app = { ...env.app, namespace };
  const live = await cluster.get<KubeObject>({
    apiVersion: 'v1',
    kind: 'Namespace',
    name: env.app.namespace,
  });
  const security = Object.fromEntries(
    Object.entries(live?.metadata.labels ?? {}).filter(([k]) => k.startsWith('pod-security.kubernetes.io/')),
  );
  const credentials = dependencyCredentialsName(env.app.app, s.name);
  const secret = await cluster.get<KubeObject & { data?: Record<string, string> }>({
    apiVersion: 'v1',
    kind: 'Secret',
    namespace: env.app.namespace,
    name: credentials,
  });
  if (!secret)
    throw new UserError(`Secret ${env.app.namespace}/${credentials} is not in the cluster`, {
      code: 'backup/not-deployed',
      hint: `deploy the environment first: slipway deploy --env ${env.app.environment}`,
    });
  const rendered = renderApp(app, { files: env.files });
  const objects = rendered.objects.filter(
    (o) => rendered.origins[originKey(o)] === `dependencies.${s.name}` && o.kind !== 'NetworkPolicy',
  ) as KubeObject[];
  const scratch: KubeObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace, labels: { ...security, [DRILL_OF_LABEL]: env.app.namespace } },
  };
  // A drill creates its namespace (refused if the name is taken), so it only ever deletes its own.
  if (fresh) {
    await cluster.create(scratch, { fieldManager: FIELD_MANAGER });
    fresh.created = true;
  } else await cluster.apply([scratch], { fieldManager: FIELD_MANAGER });
  await cluster.apply(
    [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: credentials, namespace, labels: secret.metadata.labels },
        type: (secret as { type?: string }).type ?? 'Opaque',
        data: secret.data,
      } as KubeObject,
      ...objects,
    ],
    { fieldManager: FIELD_MANAGER },
  );
  const workload = objects.find((o) => o.kind === 'StatefulSet');
  if (workload)
    await waitFor(env, `the copy of ${s.name} in ${namespace} to get ready`, (signal) =>
      cluster.watch<KubeObject & { status?: { readyReplicas?: number } }>(
        { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace, name: workload.metadata.name ?? '' },
        (o) => (o?.status?.readyReplicas ?? 0) >= 1,
        signal,
      ),
    );
  return backupTarget(app, s.name)!.address!;
}

export type DrillResult = DrillRecord;

/** A scratch namespace name: `<namespace>-<dependency>-drill-<time>`, within 63 characters. */
function scratchNamespace(namespace: string, dependency: string, now: Date): string {
  const stamp = now.getTime().toString(36);
  const head = `${namespace}-${dependency}`.slice(0, 63 - stamp.length - 7).replace(/-+$/, '');
  return `${head}-drill-${stamp}`;
}

/** `backup drill`: restore the newest backup of each dependency into a scratch copy, verify, measure, clean up. */
export async function drill(
  env: BackupEnv,
  only?: string,
): Promise<{ results: DrillResult[]; recordedOn?: number }> {
  const { ctx, app } = env;
  // Every dependency at once, as a real recovery would restore them, each in its own scratch copy.
  const settled = await Promise.allSettled(selectBackups(app, only).map((s) => drillOne(env, s)));
  const bug = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (bug) throw bug.reason;
  const results = settled.map((r) => (r as PromiseFulfilledResult<DrillResult>).value);
  return { results, recordedOn: await recordDrills(ctx, app, results) };
}

async function drillOne(env: BackupEnv, s: Selected): Promise<DrillResult> {
  const { ctx, app } = env;
  const started = ctx.clock.now();
  // Files are restored into the restore pod's scratch directory: there is no server to copy.
  const namespace = s.target.files ? undefined : scratchNamespace(app.namespace, s.name, started);
  const fresh = { created: false };
  let result: DrillResult;
  try {
    const restored = namespace
      ? await restoreJob(env, s, { address: await scratchCopy(env, s, namespace, fresh) }, namespace, started)
      : await restoreJob(env, s, {}, "the restore pod's scratch directory", started);
    result = judge(s, restored, started, ctx.clock.now());
  } catch (err) {
    if (!(err instanceof UserError)) {
      if (namespace && fresh.created) await removeNamespace(env, namespace).catch(() => undefined);
      throw err;
    }
    result = {
      dependency: s.name,
      kind: s.target.kind,
      at: started.toISOString(),
      result: 'failed',
      message: err.message,
      namespace,
    };
  }
  if (!namespace || !fresh.created) return result;
  // A clean-up that fails (say, outlives the budget) keeps the drill's own failure first in the message;
  // a refusal (an API error, exit 3) passes through like any other.
  try {
    await removeNamespace(env, namespace);
    return result;
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    const left = `the scratch namespace ${namespace} may be left behind: ${err.message}`;
    return {
      ...result,
      result: 'failed',
      message: result.message && result.result === 'failed' ? `${result.message}; ${left}` : left,
    };
  }
}

function judge(s: Selected, r: RestoreResult, started: Date, verified: Date): DrillResult {
  const rtoMs = verified.getTime() - started.getTime();
  const rpoMs = started.getTime() - Date.parse(r.backup.started);
  const rtoTarget = s.backup.rto ? parseDuration(s.backup.rto) : undefined;
  const rpoTarget = s.backup.rpo ? parseDuration(s.backup.rpo) : undefined;
  const missed = [
    ...(rtoTarget !== undefined && rtoMs > rtoTarget
      ? [`RTO ${formatDuration(rtoMs)} is over the target ${s.backup.rto}`]
      : []),
    ...(rpoTarget !== undefined && rpoMs > rpoTarget
      ? [`RPO ${formatDuration(rpoMs)} (the newest backup's age) is over the target ${s.backup.rpo}`]
      : []),
  ];
  return {
    dependency: s.name,
    kind: s.target.kind,
    at: started.toISOString(),
    backup: r.backup.id,
    backupStarted: r.backup.started,
    namespace: r.into,
    rtoMs,
    rpoMs,
    rtoTarget: s.backup.rto,
    rpoTarget: s.backup.rpo,
    verification: r.verification,
    result: missed.length ? 'missed' : 'passed',
    message: missed.length ? missed.join('; ') : undefined,
  };
}

/** The drills go on the environment's current release (the last 20 kept), where history and metrics read them. */
async function recordDrills(
  ctx: EngineContext,
  app: ResolvedApp,
  results: DrillResult[],
): Promise<number | undefined> {
  const release = await ctx.store.deployed(app.app, app.environment);
  if (!release) return undefined;
  const drills = [...(release.drills ?? []), ...results].slice(-20);
  await ctx.store.update({ ...release, drills, updatedAt: ctx.clock.now().toISOString() });
  return release.revision;
}

/** Deletes the scratch namespace and waits until it is gone (its pods stopped, its volumes released). */
async function removeNamespace(env: BackupEnv, namespace: string): Promise<void> {
  const { cluster } = env.ctx;
  const ref = { apiVersion: 'v1', kind: 'Namespace', name: namespace };
  await cluster.delete(ref, { propagationPolicy: 'Background' }).catch(() => false);
  await waitFor(env, `the scratch namespace ${namespace} to be deleted`, (signal) =>
    cluster.watch(ref, (o) => o === undefined, signal),
  );
}
