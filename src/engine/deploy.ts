/**
 * `slipway deploy`: render → check → lock → record → apply config → migrate → strategy (roll out,
 * analyse, switch) → record → clean up, each a named step with its timing in the release record.
 * Decide first (`planDeploy`), then act. The strategy (`strategies/`) does the roll-out, analysis
 * and switch; when it fails, or the deploy times out, or `slipway abort` asks, recovery.ts decides
 * what to do and then does it: the strategy puts the previous release back and the release is
 * recorded rolled back (exit 1). `slipway rollback`
 * is this same flow over an earlier release's recorded spec.
 */
import type { KubeObject } from '@slipway/kube';
import { refOf } from '../cluster/cluster.js';
import { EXIT_OK } from '../errors.js';
import { labelValue } from '../render/names.js';
import { renderNamespace } from '../render/objects/namespace.js';
import { podSecurityLevel } from '../policy/pss/level.js';
import type { ResolvedApp } from '../spec/resolved.js';
import type { AnalysisProvider } from './analysis/provider.js';
import type { EngineContext } from './context.js';
import { cleanUpAfterDeploy, pruneList } from './clean-up.js';
import { controlRef, PromotionGate, watchForAbort } from './control.js';
import { ensureCredentials } from './credentials.js';
import { DEPLOY_TIMEOUT_SECONDS, FIELD_MANAGER, ROLLBACK_TIMEOUT_SECONDS } from './defaults.js';
import { Budget } from './deadline.js';
import { durationOr } from '../spec/duration.js';
import { liveColours } from './live.js';
import { DeployLock } from './lock.js';
import { runMigration } from './migrate.js';
import { groupByPhase } from './plan/order.js';
import { requireServedAddOns, withoutUnservedAddOns } from './add-ons.js';
import { admissionBindings, admissionPreflight } from './admission.js';
import { planDeploy, type DeployPlan } from './plan/index.js';
import { rolloutOptions, waitForRollouts } from './rollout.js';
import { ROLLOUT_KINDS } from './rollout-status.js';
import { keepIgnoredFields } from './ignore.js';
import { analysisProviders, checkObjects, renderObjects, type SpecFiles } from './prepare.js';
import { recordedObjects } from './releases/objects.js';
import { liveHpaReplicas } from './traffic/autoscale.js';
import { recoverCanaries } from './traffic/recover.js';
import type { ChangeRecord, Override, Release, RotationRecord, Strategy } from './releases/release.js';
import { classifyFailure, decideRecovery, recover } from './recovery.js';
import type { DeployResult } from './result.js';
import { StepRecorder } from './steps.js';
import { runAnalyses } from './strategies/analyse.js';
import { STRATEGIES, type StrategyRun } from './strategies/index.js';

export interface DeployRequest {
  app: ResolvedApp;
  overrides: Override[];
  strategy?: Strategy;
  timeoutMs?: number;
  dryRun?: boolean;
  skipAnalysis?: boolean;
  prometheusAddress?: string;
  /** The deploy lock's TTL (default LOCK_TTL_SECONDS): how soon the next deploy may take over if this one dies. */
  lockTtlSeconds?: number;
  /** `--wait-for-lock`: queue this long behind a running deploy instead of failing at once. */
  waitForLockMs?: number;
  /** The contents of the files the spec's `config[].from` names (the CLI reads them next to slipway.yaml). */
  files?: SpecFiles;
  /** Set by `slipway rollback`: the revision whose spec this release re-deploys. */
  rollbackOf?: number;
  /**
   * Set by `slipway rollback`: the objects the restored revision recorded. They are applied as
   * recorded (not rendered again, not checked again: they served), and recorded again.
   */
  recorded?: KubeObject[];
  /** Set by `slipway secrets rotate`: recorded in the release (names, never values). */
  rotation?: RotationRecord;
  /** What CI says this release ships (commit, commit times, hotfix), recorded for `slipway metrics`. */
  change?: ChangeRecord;
  /**
   * Secrets opened from the environment's secrets file (src/secrets): applied after the lock and
   * before anything rolls; never recorded, printed or planned (the plan carries only their checksums).
   */
  secrets?: KubeObject[];
  /**
   * The managed dependencies' endpoint Secrets (`deploy --infra-outputs`): applied with `secrets`,
   * after the Namespace and the lock (a first deploy makes the Namespace), before anything rolls.
   */
  endpoints?: KubeObject[];
}

export type { DeployResult } from './result.js';

export async function deploy(ctx: EngineContext, req: DeployRequest): Promise<DeployResult> {
  const { app } = req;
  const steps = new StepRecorder(ctx);
  const warn = (text: string) =>
    ctx.emit({ type: 'message', level: 'warn', text, at: ctx.clock.now().toISOString() });
  const recorded = req.recorded;
  const rendered = recorded
    ? await steps.run(
        'render',
        async () => ({ objects: recorded, warnings: [] }),
        req.rotation
          ? `the objects revision ${req.rotation.of} recorded, with the rotated values' readers annotated`
          : `the objects revision ${req.rollbackOf ?? '?'} recorded`,
      )
    : await steps.run('render', async () => renderObjects(app, req.files));
  rendered.warnings.forEach(warn);
  await requireServedAddOns(ctx.cluster, rendered.objects);
  const { kept: objects, skipped } = await withoutUnservedAddOns(ctx.cluster, rendered.objects);
  for (const line of skipped)
    warn(
      `not applied, the cluster does not serve its kind (install the Prometheus Operator's CRDs to have it): ${line}`,
    );
  if (recorded)
    steps.skip(
      'check',
      `revision ${req.rotation?.of ?? req.rollbackOf ?? '?'} passed its checks when it deployed`,
    );
  else (await steps.run('check', async () => checkObjects(objects, app))).warnings.forEach(warn);
  const providersFor = (plan: DeployPlan) =>
    req.skipAnalysis
      ? new Map<string, AnalysisProvider>()
      : analysisProviders(app, {
          cluster: ctx.cluster,
          clock: ctx.clock,
          namespace: app.namespace,
          prometheusAddress: req.prometheusAddress,
          vars: analysisVars(plan, app),
        });

  if (req.dryRun) {
    const previous = await ctx.store.deployed(app.app, app.environment);
    const latest = await ctx.store.latest(app.app, app.environment);
    const live = {
      activeColours: await liveColours(ctx.cluster, app, objects),
      hpaReplicas: await liveHpaReplicas(ctx.cluster, app.namespace, objects),
    };
    const plan = planDeploy({
      app,
      revision: (latest?.revision ?? 0) + 1,
      previous,
      objects,
      strategy: req.strategy,
      live,
    });
    providersFor(plan); // a spec mistake in an analysis is reported by a dry run too
    return { outcome: 'dry-run', exitCode: EXIT_OK, plan, analysis: [] };
  }

  const timeoutMs = req.timeoutMs ?? durationOr(app.deploy.timeout, DEPLOY_TIMEOUT_SECONDS * 1000);
  const lockOptions = {
    cluster: ctx.cluster,
    clock: ctx.clock,
    namespace: app.namespace,
    app: app.app,
    environment: app.environment,
    holder: ctx.holder,
    ttlSeconds: req.lockTtlSeconds,
    command: ctx.command,
    notify: warn,
  };
  const lock = new DeployLock({ ...lockOptions, waitMs: req.waitForLockMs });
  await steps.run('lock', async () => {
    // Pod Security Admission labels: the level the rendered pods meet, or the spec's (render/objects/namespace.ts).
    const meets = podSecurityLevel(objects, app.kubernetes?.version);
    await ctx.cluster.apply([renderNamespace(app, meets)], {
      fieldManager: FIELD_MANAGER,
    });
    await lock.acquire();
  });
  const stopRenewing = new AbortController();
  const lockLost = new AbortController();
  const renewing = lock.keepAlive(stopRenewing.signal, (err) => lockLost.abort(err));
  const after: AfterUnlock = {};
  let result: DeployResult;
  try {
    const bindings = await admissionBindings(ctx.cluster);
    if (bindings > 0)
      await steps.run(
        'admission',
        () => admissionPreflight(ctx.cluster, objects),
        `${objects.length} objects on a server dry run against ${bindings} admission policy binding(s)`,
      );
    result = await deployLocked(
      ctx,
      req,
      await keepIgnoredFields(ctx.cluster, objects, app.drift?.ignore ?? [], app.namespace),
      steps,
      providersFor,
      { timeoutMs, lockLost: lockLost.signal, rendered: rendered.objects },
      after,
    );
  } finally {
    stopRenewing.abort();
    await renewing;
    await lock.release();
  }
  return after.cleanUp ? after.cleanUp(() => new DeployLock(lockOptions)) : result;
}

/** Work a successful deploy leaves for after the lock is released (clean-up waits there). */
interface AfterUnlock {
  cleanUp?: (lock: () => DeployLock) => Promise<DeployResult>;
}

async function deployLocked(
  ctx: EngineContext,
  req: DeployRequest,
  objects: KubeObject[],
  steps: StepRecorder,
  providersFor: (plan: DeployPlan) => Map<string, AnalysisProvider>,
  d: { timeoutMs: number; lockLost: AbortSignal; rendered: KubeObject[] },
  after: AfterUnlock,
): Promise<DeployResult> {
  const { app } = req;
  const now = () => ctx.clock.now().toISOString();
  const previous = await ctx.store.deployed(app.app, app.environment);
  const latest = await ctx.store.latest(app.app, app.environment);
  const revision = (latest?.revision ?? 0) + 1;
  const plan = planDeploy({
    app,
    revision,
    previous,
    objects,
    strategy: req.strategy,
    live: {
      activeColours: await liveColours(ctx.cluster, app, objects),
      hpaReplicas: await liveHpaReplicas(ctx.cluster, app.namespace, objects),
    },
  });
  const strategy = STRATEGIES[plan.strategy];
  const providers = providersFor(plan);
  const images = Object.fromEntries(Object.entries(app.services).map(([name, s]) => [name, s.image ?? '']));
  const release: Release = {
    app: app.app,
    environment: app.environment,
    revision,
    phase: 'pending',
    strategy: plan.strategy,
    spec: app,
    overrides: req.overrides,
    images,
    objects: recordedObjects(d.rendered),
    createdAt: now(),
    updatedAt: now(),
    steps: [],
    deployedBy: ctx.holder,
    ...(req.rollbackOf !== undefined ? { rollbackOf: req.rollbackOf } : {}),
    ...(req.change ? { change: req.change } : {}),
    ...(req.rotation ? { rotation: req.rotation } : {}),
  };
  await steps.run('record', async () => {
    // A pending record we now hold the lock over belongs to a deploy that died mid-way.
    if (latest?.phase === 'pending')
      await ctx.store.update({
        ...latest,
        phase: 'aborted',
        message: `interrupted before it finished; superseded by revision ${revision}`,
        updatedAt: now(),
      });
    await ctx.store.create(release);
    // A canary left routing by a deploy that died (or whose way back failed) goes first: weights, canary objects, a pinned stable Service.
    const recovered =
      latest?.phase === 'pending' || latest?.phase === 'failed'
        ? await withBudget(
            new Budget(ctx.clock, ROLLBACK_TIMEOUT_SECONDS * 1000, 'the clean-up of an interrupted canary', [
              d.lockLost,
            ]),
            (signal) => recoverCanaries(ctx.cluster, app.namespace, app.app, objects, signal),
          )
        : [];
    if (recovered.length)
      ctx.emit({
        type: 'message',
        level: 'warn',
        text: `revision ${latest?.revision} (${latest?.phase === 'pending' ? 'interrupted' : 'failed'}) left a canary behind; cleaned up: ${recovered.join('; ')}`,
        at: now(),
      });
  });

  const secrets = [...(req.endpoints ?? []), ...(req.secrets ?? [])];
  if (secrets.length) {
    const opened = req.secrets?.length
      ? req.rotation
        ? `${req.secrets.length} Secret(s) with the rotated values`
        : `${req.secrets.length} Secret(s) from the secrets file`
      : undefined;
    const endpoints = req.endpoints?.length
      ? `${req.endpoints.length} Secret(s) with managed endpoints`
      : undefined;
    await steps.run(
      'apply-config',
      async () => void (await ctx.cluster.apply(secrets, { fieldManager: FIELD_MANAGER })),
      [endpoints, opened].filter(Boolean).join(', '),
    );
  }

  // `slipway abort` from another terminal ends every wait of this deploy.
  const abort = new AbortController();
  const stopWatching = new AbortController();
  const watching = watchForAbort(ctx.cluster, app, revision, stopWatching.signal, (err) =>
    abort.abort(err),
  ).catch(() => undefined);
  const promotions = new PromotionGate(
    ctx.cluster,
    controlRef(app.namespace, app.app, app.environment),
    revision,
  );
  // The deploy's one budget: every wait below takes this signal (and nothing sets a timer of its own).
  const budget = new Budget(ctx.clock, d.timeoutMs, 'the deploy timeout', [d.lockLost, abort.signal]);
  const wait = () => budget.signal;
  const run: StrategyRun = {
    ctx,
    app,
    plan,
    groups: groupByPhase(objects, new Set(Object.keys(app.dependencies))),
    previous,
    steps,
    wait,
    analysisSkipped: req.skipAnalysis ? '--skip-analysis' : undefined,
    analyse: (names, signal, stop) => runAnalyses(ctx, app, providers, names, signal, stop),
    promotion: (signal) => promotions.wait(signal),
  };

  const finish = async (phase: Release['phase'], extra: Partial<Release> = {}): Promise<Release> => {
    const final: Release = { ...release, ...extra, phase, steps: steps.timings, updatedAt: now() };
    await ctx.store.update(final);
    return final;
  };

  try {
    await steps.run('apply-config', async () => {
      const created = await ensureCredentials(ctx.cluster, app);
      await ctx.cluster.apply([...run.groups.foundation, ...run.groups.dependencies], {
        fieldManager: FIELD_MANAGER,
      });
      // Databases and caches are ready before a migration or a new version talks to them (a first
      // deploy's migration would otherwise meet a Postgres that is still starting).
      const dependencies = run.groups.dependencies
        .filter((o) => ROLLOUT_KINDS.has(o.kind))
        .map((o) => refOf(o, app.namespace));
      await waitForRollouts(ctx.cluster, dependencies, wait(), rolloutOptions(app.deploy, ctx.clock));
      return created;
    });
    if (run.groups.migration.length) {
      await steps.run('migrate', async () => {
        for (const job of run.groups.migration) await runMigration(ctx.cluster, job, app.namespace, wait());
      });
    } else steps.skip('migrate', 'no service declares migrations');
    const served = await strategy.execute(run);
    stopWatching.abort();
    const inventory = served.objects.map((o) => ({
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata.name ?? '',
      namespace: o.metadata.namespace ?? app.namespace,
    }));
    // Every other release still marked deployed is superseded now: the previous one, and any a deploy
    // killed between its own finish and this very update left behind.
    const stale = (await ctx.store.list(app.app, app.environment)).filter(
      (r) => r.phase === 'deployed' && r.revision !== revision,
    );
    const unfinished = latest && !['deployed', 'superseded'].includes(latest.phase) ? latest : undefined;
    const prune = pruneList(app.namespace, served.objects, [previous, ...stale], unfinished);
    const final = await finish('deployed', {
      analysis: served.analysis,
      inventory,
      ...(prune.length ? { prune } : {}),
      ...(served.activeColours ? { activeColours: served.activeColours } : {}),
    });
    ctx.checkpoint?.('recorded:deployed');
    for (const r of stale) await ctx.store.update({ ...r, phase: 'superseded', updatedAt: now() });
    ctx.checkpoint?.('recorded:superseded');
    after.cleanUp = async (lock) => {
      const pruned = await cleanUpAfterDeploy(ctx, run, served, strategy, lock, prune);
      // A rollback during the delay may have superseded this release: keep its phase, add the step timings.
      const current = (await ctx.store.get(app.app, app.environment, revision)) ?? final;
      const { prune: _left, ...rest } = current;
      const done: Release = { ...(pruned ? rest : current), steps: steps.timings, updatedAt: now() };
      await ctx.store.update(done);
      return { outcome: 'deployed', exitCode: EXIT_OK, plan, release: done, analysis: served.analysis };
    };
    return { outcome: 'deployed', exitCode: EXIT_OK, plan, release: final, analysis: served.analysis };
  } catch (err) {
    const failure = classifyFailure(err, abort.signal, d.lockLost);
    if (!failure) throw err;
    return recover(
      { run, strategy, lockLost: d.lockLost, record: finish },
      decideRecovery(failure, previous),
    );
  } finally {
    budget.dispose();
    stopWatching.abort();
    await watching;
  }
}

/** Runs `fn` with the budget's signal and disposes of the budget after. */
async function withBudget<T>(budget: Budget, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  try {
    return await fn(budget.signal);
  } finally {
    budget.dispose();
  }
}

/**
 * What `{{placeholders}}` in analysis queries, URLs and commands may name: where the release runs,
 * and what the strategy is about to judge (the new colour and preview Service of a blue-green, the
 * canary Deployment), taken from the plan's first service.
 */
export function analysisVars(plan: DeployPlan, app: ResolvedApp): Record<string, string> {
  const vars: Record<string, string> = {
    app: plan.app,
    namespace: plan.namespace,
    environment: plan.environment,
    revision: String(plan.revision),
    strategy: plan.strategy,
  };
  const bg = plan.blueGreen?.services[0];
  if (bg)
    Object.assign(vars, {
      service: bg.service,
      colour: bg.newColour,
      previewService: bg.previewService,
      activeService: bg.activeService,
      deployment: bg.newDeployment,
    });
  const canary = plan.canary?.services[0];
  if (canary)
    Object.assign(vars, {
      service: canary.service,
      canaryDeployment: canary.canaryDeployment,
      stableDeployment: canary.stableDeployment,
      deployment: canary.canaryDeployment,
    });
  const rolling = plan.rolling?.services[0];
  if (rolling) Object.assign(vars, { service: rolling.service, deployment: rolling.deployment });
  // The image tag as render writes it into the pods' app.kubernetes.io/version label, to tell this release's pods from the last one's.
  const image = vars.service ? app.services[vars.service]?.image : undefined;
  const tag =
    image && image.lastIndexOf(':') > image.lastIndexOf('/')
      ? image.slice(image.lastIndexOf(':') + 1)
      : undefined;
  if (tag) vars.version = labelValue(tag);
  return vars;
}
