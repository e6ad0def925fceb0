/**
 * `slipway secrets rotate`: decide (`planRotation`: the serving release, the new Secrets, the
 * readers to roll), then act (`rotate`): for each dependency the new credential is made valid
 * first, the credentials Secret switches, the serving release's recorded objects go out again
 * through the deploy flow with only the readers' pod-template annotations changed (one rollout per
 * reader, recorded as a release with `rotation`), and once that rollout finished the old
 * credential is expired. A rotation that fails or rolls back leaves both credentials valid.
 */
import type { KubeObject } from '@slipway/kube';
import { randomBytes } from 'node:crypto';
import { EXIT_BAD_INPUT, EXIT_OK, UserError } from '../errors.js';
import {
  credentialsAnnotation,
  dependencyCredentialsName,
  SECRETS_CHECKSUM_ANNOTATION,
  selectorLabels,
} from '../render/index.js';
import { serviceSecretName } from '../render/names.js';
import { deploySecrets } from '../secrets/kube-secrets.js';
import type { ResolvedApp } from '../spec/resolved.js';
import type { EngineContext } from '../engine/context.js';
import {
  planCredentialRotation,
  removeStash,
  resumeCredentialRotation,
  stashName,
  rotationRefusal,
  switchCredentials,
  writeStash,
  type CredentialRotation,
} from './credentials.js';
import { runRotationJob } from './credential-jobs.js';
import { deploy, type DeployResult } from '../engine/deploy.js';
import { releaseObjects } from '../engine/releases/objects.js';
import type { Release, RotationRecord, Strategy } from '../engine/releases/release.js';
import { Budget, DeadlineExceeded } from '../engine/deadline.js';
import { annotateReaders, podTemplate, readsSecret, type TemplateChange } from './pod-templates.js';

/** The environment's secrets file, opened by the CLI, with the new values already in it. */
export interface RotatedFile {
  names: string[];
  values: ReadonlyMap<string, string>;
  dataKey: Uint8Array;
  /** As messages show it. */
  file: string;
  rekey?: boolean;
}

export interface RotateRequest {
  app: string;
  environment: string;
  namespace: string;
  file?: RotatedFile;
  dependencies: string[];
  timeoutMs?: number;
  waitForLockMs?: number;
  lockTtlSeconds?: number;
  random?: (bytes: number) => Buffer;
}

export interface RotationPlan {
  serving: Release;
  spec: ResolvedApp;
  objects: KubeObject[];
  /** Secrets from the file (data; applied by the deploy, never recorded). */
  fileSecrets: KubeObject[];
  credentials: Array<{ live: KubeObject; rotation: CredentialRotation }>;
  record: RotationRecord;
  strategy: Strategy;
}

export interface RotateResult extends DeployResult {
  rotation: RotationRecord;
  /** Dependencies whose old credential was expired after the rollout. */
  expired: string[];
}

/** Decide: nothing is written. Refuses (exit 2) when nothing serves, or a dependency cannot be rotated. */
export async function planRotation(ctx: EngineContext, req: RotateRequest): Promise<RotationPlan> {
  const serving = await ctx.store.deployed(req.app, req.environment);
  if (!serving)
    throw new UserError(`${req.app} has no serving release in ${req.environment}: nothing to roll`, {
      code: 'secrets-rotate-nothing-serves',
      exitCode: EXIT_BAD_INPUT,
      hint: `deploy it first (slipway deploy --env ${req.environment}), or rotate only the file with --no-deploy`,
    });
  const app = serving.spec;
  const random = req.random ?? randomBytes;
  const refusals = req.dependencies.flatMap((d) => {
    const why = rotationRefusal(app, d);
    return why ? [why] : [];
  });
  if (refusals.length)
    throw new UserError(refusals.join('\n'), {
      code: 'secrets-rotate-credentials',
      exitCode: EXIT_BAD_INPUT,
    });
  const credentials: RotationPlan['credentials'] = [];
  for (const name of req.dependencies) {
    const live = await ctx.cluster.get({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: app.namespace,
      name: dependencyCredentialsName(app.app, name),
    });
    if (!live)
      throw new UserError(
        `Secret ${app.namespace}/${dependencyCredentialsName(app.app, name)} does not exist`,
        {
          code: 'secrets-rotate-credentials',
          exitCode: EXIT_BAD_INPUT,
          hint: `the deploy creates it: slipway deploy --env ${req.environment}`,
        },
      );
    const stash = await ctx.cluster.get({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: app.namespace,
      name: stashName(app, name),
    });
    credentials.push({
      live,
      rotation: stash
        ? resumeCredentialRotation(app, name, live, stash)
        : planCredentialRotation(app, name, live, random),
    });
  }

  const opened = req.file
    ? deploySecrets(app, req.file.values, req.file.dataKey, req.file.file)
    : { objects: [], checksums: {} };
  const services = new Set(Object.keys(app.services));
  const onlyServices = (o: KubeObject) => !services.has(o.metadata.labels?.['app.kubernetes.io/name'] ?? '');
  const changes: TemplateChange[] = [
    ...Object.entries(opened.checksums).map(([service, checksum]) => ({
      secret: serviceSecretName(app.app, service),
      annotation: SECRETS_CHECKSUM_ANNOTATION,
      value: checksum,
      skip: onlyServices,
    })),
    ...credentials.map(({ rotation }) => ({
      secret: dependencyCredentialsName(app.app, rotation.dependency),
      annotation: credentialsAnnotation(rotation.dependency),
      value: rotation.version,
      // The database's own StatefulSet and backup CronJob read it too: they must not restart.
      skip: onlyServices,
    })),
  ];
  const recorded = releaseObjects(serving);
  if (recorded.note)
    ctx.emit({ type: 'message', level: 'warn', text: recorded.note, at: ctx.clock.now().toISOString() });
  const annotated = annotateReaders(recorded.objects, changes);
  const spec: ResolvedApp = {
    ...app,
    ...(req.file ? { secretChecksums: { ...app.secretChecksums, ...opened.checksums } } : {}),
    ...(credentials.length
      ? {
          credentialVersions: {
            ...app.credentialVersions,
            ...Object.fromEntries(credentials.map(({ rotation: r }) => [r.dependency, r.version])),
          },
        }
      : {}),
  };
  return {
    serving,
    spec,
    objects: annotated.objects,
    fileSecrets: opened.objects,
    credentials,
    record: {
      of: serving.revision,
      secrets: req.file?.names ?? [],
      dependencies: req.dependencies,
      rolled: annotated.changed,
      ...(req.file?.rekey ? { rekey: true } : {}),
    },
    // As a rollback: no analysis (the release already served); a canary goes out rolling.
    strategy: serving.strategy === 'blue-green' ? 'blue-green' : 'rolling',
  };
}

const OLD_PODS_TIMEOUT_MS = 300_000;

/**
 * The rollout finished when the new pods were available; the old ones may still be terminating
 * (preStop delay, in-flight requests) and open connections with the old credential. Expiry waits
 * until every pod of each reader carries the new credentials version: the old pods are gone.
 */
async function waitForOldPods(ctx: EngineContext, plan: RotationPlan, ms: number): Promise<void> {
  const app = plan.spec;
  for (const { rotation } of plan.credentials) {
    const secret = dependencyCredentialsName(app.app, rotation.dependency);
    const annotation = credentialsAnnotation(rotation.dependency);
    const readers = new Set(
      plan.objects
        .filter((o) => ROLLING_KINDS.has(o.kind) && readsSecret(podTemplate(o) ?? {}, secret))
        .map((o) => o.metadata.labels?.['app.kubernetes.io/name'] ?? '')
        .filter((s) => s in app.services),
    );
    for (const service of [...readers].sort()) {
      const budget = new Budget(ctx.clock, ms, `the old pods of ${service} to end`);
      try {
        await ctx.cluster.watchList<KubeObject>(
          { apiVersion: 'v1', kind: 'Pod', namespace: app.namespace },
          { labelSelector: selectorLabels(app.app, service) },
          (pods) => pods.every((p) => p.metadata.annotations?.[annotation] === rotation.version),
          budget.signal,
        );
      } finally {
        budget.dispose();
      }
    }
  }
}

const ROLLING_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** Act on a plan. Exit codes as deploy's; a failed Job is exit 1 with nothing switched. */
export async function rotate(
  ctx: EngineContext,
  req: RotateRequest,
  plan: RotationPlan,
): Promise<RotateResult> {
  const note = (text: string, level: 'info' | 'warn' = 'info') =>
    ctx.emit({ type: 'message', level, text, at: ctx.clock.now().toISOString() });
  // A grant that fails leaves no stash behind, for any dependency: nothing was switched, and a
  // stash would make the next run take the live (unswitched) credentials for an unfinished rotation.
  const granted: CredentialRotation[] = [];
  for (const { rotation } of plan.credentials) {
    if (rotation.resume) {
      note(
        `${rotation.dependency}: finishing the rotation an earlier run left unfinished (both credentials are valid)`,
      );
      continue;
    }
    try {
      await writeStash(ctx.cluster, rotation);
      granted.push(rotation);
      await runRotationJob(ctx, plan.spec, rotation, 'grant');
    } catch (err) {
      for (const r of granted) await removeStash(ctx.cluster, r);
      throw err;
    }
    note(`${rotation.dependency}: the new credential is valid beside the old one`);
  }
  for (const { live, rotation } of plan.credentials)
    if (!rotation.resume) await switchCredentials(ctx.cluster, live, rotation);
  const unfinished = () =>
    note(
      `both credentials of ${plan.credentials.map((c) => c.rotation.dependency).join(', ')} stay valid; run the same rotation again to finish it (it rolls the readers and expires the old one, without a new password)`,
      'warn',
    );
  const result = await deploy(ctx, {
    app: plan.spec,
    recorded: plan.objects,
    overrides: plan.serving.overrides,
    strategy: plan.strategy,
    timeoutMs: req.timeoutMs,
    skipAnalysis: true,
    waitForLockMs: req.waitForLockMs,
    lockTtlSeconds: req.lockTtlSeconds,
    secrets: plan.fileSecrets,
    rotation: plan.record,
  }).catch((err: unknown) => {
    if (plan.credentials.length) unfinished();
    throw err;
  });
  const expired: string[] = [];
  if (result.exitCode !== EXIT_OK) {
    if (plan.credentials.length) unfinished();
    return { ...result, rotation: plan.record, expired };
  }
  try {
    await waitForOldPods(ctx, plan, req.timeoutMs ?? OLD_PODS_TIMEOUT_MS);
  } catch (err) {
    if (!(err instanceof DeadlineExceeded)) throw err;
    note(err.message, 'warn');
    unfinished();
    return { ...result, rotation: plan.record, expired };
  }
  for (const { rotation } of plan.credentials) {
    await runRotationJob(ctx, plan.spec, rotation, 'expire');
    await removeStash(ctx.cluster, rotation);
    expired.push(rotation.dependency);
    note(`${rotation.dependency}: the old credential no longer works`);
  }
  return { ...result, rotation: plan.record, expired };
}
