/**
 * `slipway deploy`, the rolling strategy: render → check → lock → record → apply config →
 * migrate → roll out → analyse → record → clean up, each a named step with its timing in the
 * release record. Decide first (`planDeploy`), then act. A rollout that misses its deadline or
 * the deploy timeout, or an analysis that does not pass, rolls back to the previous release.
 * Blue-green and canary plans are computed (`--dry-run` prints them) but not executed yet.
 */
import { refOf, type KubeObject } from '../cluster/cluster.js';
import { EXIT_BAD_INPUT, EXIT_FAILED, EXIT_NEEDS_ATTENTION, EXIT_OK, UserError } from '../errors.js';
import type { ResolvedApp } from '../spec/resolved.js';
import { runAnalysis, settingsOf, type AnalysisResult } from './analysis/run.js';
import type { EngineContext } from './context.js';
import { DEPLOY_TIMEOUT_SECONDS, FIELD_MANAGER } from './defaults.js';
import { durationOr } from './duration.js';
import { DeployLock } from './lock.js';
import { MigrationFailed, runMigration } from './migrate.js';
import { groupByPhase } from './plan/order.js';
import { planDeploy, type DeployPlan } from './plan/index.js';
import { analysisProviders, checkObjects, renderObjects } from './prepare.js';
import type { Override, Release, Strategy } from './releases/release.js';
import { restorePrevious } from './restore.js';
import { diagnose, RolloutFailed, waitForRollouts } from './rollout.js';
import { StepRecorder } from './steps.js';

export interface DeployRequest {
  app: ResolvedApp;
  overrides: Override[];
  strategy?: Strategy;
  timeoutMs?: number;
  dryRun?: boolean;
  skipAnalysis?: boolean;
  prometheusAddress?: string;
}

export interface DeployResult {
  outcome: 'deployed' | 'rolled-back' | 'failed' | 'dry-run';
  exitCode: number;
  plan: DeployPlan;
  release?: Release;
  analysis: AnalysisResult[];
  message?: string;
}

export async function deploy(ctx: EngineContext, req: DeployRequest): Promise<DeployResult> {
  const { app } = req;
  const steps = new StepRecorder(ctx);
  const warn = (text: string) => ctx.emit({ type: 'message', level: 'warn', text, at: ctx.clock.now().toISOString() });
  const rendered = await steps.run('render', async () => renderObjects(app));
  rendered.warnings.forEach(warn);
  const objects = rendered.objects;
  (await steps.run('check', async () => checkObjects(objects, app))).warnings.forEach(warn);
  const vars = { app: app.app, namespace: app.namespace, environment: app.environment };
  const providers = req.skipAnalysis ? new Map() : analysisProviders(app, { cluster: ctx.cluster, clock: ctx.clock, namespace: app.namespace, prometheusAddress: req.prometheusAddress, vars });

  if (req.dryRun) {
    const previous = await ctx.store.deployed(app.app, app.environment);
    const latest = await ctx.store.latest(app.app, app.environment);
    const plan = planDeploy({ app, revision: (latest?.revision ?? 0) + 1, previous, objects, strategy: req.strategy });
    return { outcome: 'dry-run', exitCode: EXIT_OK, plan, analysis: [] };
  }

  const deadline = ctx.clock.now().getTime() + (req.timeoutMs ?? durationOr(app.deploy.timeout, DEPLOY_TIMEOUT_SECONDS * 1000));
  const remaining = () => AbortSignal.timeout(Math.max(1, deadline - ctx.clock.now().getTime()));
  const lock = new DeployLock({ cluster: ctx.cluster, clock: ctx.clock, namespace: app.namespace, app: app.app, environment: app.environment, holder: ctx.holder });
  await steps.run('lock', async () => {
    await ctx.cluster.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: app.namespace } }], { fieldManager: FIELD_MANAGER });
    await lock.acquire();
  });
  const stopRenewing = new AbortController();
  const lockLost = new AbortController();
  const renewing = lock.keepAlive(stopRenewing.signal, (err) => lockLost.abort(err));
  try {
    return await deployLocked(ctx, req, objects, steps, providers, { remaining, lockLost: lockLost.signal });
  } finally {
    stopRenewing.abort();
    await renewing;
    await lock.release();
  }
}

interface Deadlines {
  remaining: () => AbortSignal;
  lockLost: AbortSignal;
}

async function deployLocked(ctx: EngineContext, req: DeployRequest, objects: KubeObject[], steps: StepRecorder, providers: ReturnType<typeof analysisProviders>, d: Deadlines): Promise<DeployResult> {
  const { app } = req;
  const wait = () => AbortSignal.any([d.remaining(), d.lockLost]);
  const previous = await ctx.store.deployed(app.app, app.environment);
  const latest = await ctx.store.latest(app.app, app.environment);
  const revision = (latest?.revision ?? 0) + 1;
  const plan = planDeploy({ app, revision, previous, objects, strategy: req.strategy });
  if (plan.strategy !== 'rolling') {
    throw new UserError(`the ${plan.strategy} strategy is planned but not executed by this version of slipway deploy`, {
      code: 'deploy-strategy-unavailable',
      exitCode: EXIT_BAD_INPUT,
      path: 'deploy.strategy',
      hint: 'run with --strategy rolling, or --dry-run to see the blue-green/canary plan',
    });
  }
  const now = () => ctx.clock.now().toISOString();
  const images = Object.fromEntries(Object.entries(app.services).map(([name, s]) => [name, s.image ?? '']));
  const release: Release = { app: app.app, environment: app.environment, revision, phase: 'pending', strategy: plan.strategy, spec: app, overrides: req.overrides, images, createdAt: now(), updatedAt: now(), steps: [], deployedBy: ctx.holder };
  await steps.run('record', async () => {
    // A pending record we now hold the lock over belongs to a deploy that died mid-way.
    if (latest?.phase === 'pending') await ctx.store.update({ ...latest, phase: 'aborted', message: `interrupted before it finished; superseded by revision ${revision}`, updatedAt: now() });
    await ctx.store.create(release);
  });
  const groups = groupByPhase(objects, new Set(Object.keys(app.dependencies)));
  const finish = async (phase: Release['phase'], message?: string, analysis: AnalysisResult[] = []): Promise<Release> => {
    const final: Release = { ...release, phase, message, analysis, steps: steps.timings, updatedAt: now(), inventory: phase === 'deployed' ? objects.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name ?? '', namespace: o.metadata.namespace ?? app.namespace })) : undefined };
    await ctx.store.update(final);
    return final;
  };
  const rollBack = async (reason: string, analysis: AnalysisResult[] = []): Promise<DeployResult> => {
    if (!previous) {
      const rec = await finish('failed', `${reason}; no previous release to roll back to`, analysis);
      return { outcome: 'failed', exitCode: EXIT_NEEDS_ATTENTION, plan, release: rec, analysis, message: `${reason}. This was the first release, so nothing was rolled back: fix it and run slipway deploy again.` };
    }
    try {
      await steps.run('switch', () => restorePrevious(ctx, previous, objects, wait()), `roll back to revision ${previous.revision}`);
    } catch (err) {
      const rec = await finish('failed', `${reason}; the rollback to revision ${previous.revision} failed: ${(err as Error).message}`, analysis);
      return { outcome: 'failed', exitCode: EXIT_NEEDS_ATTENTION, plan, release: rec, analysis, message: `${reason}, and rolling back to revision ${previous.revision} failed: ${(err as Error).message}` };
    }
    const rec = await finish('rolled-back', reason, analysis);
    return { outcome: 'rolled-back', exitCode: EXIT_FAILED, plan, release: rec, analysis, message: `${reason}; rolled back to revision ${previous.revision}` };
  };

  await steps.run('apply-config', () => ctx.cluster.apply([...groups.foundation, ...groups.dependencies], { fieldManager: FIELD_MANAGER }));
  if (groups.migration.length) {
    try {
      await steps.run('migrate', async () => {
        for (const job of groups.migration) await runMigration(ctx.cluster, job, app.namespace, wait());
      });
    } catch (err) {
      if (!(err instanceof MigrationFailed)) throw err;
      return rollBack(err.message);
    }
  } else steps.skip('migrate', 'no service declares migrations');

  try {
    await steps.run('roll-out', async () => {
      await ctx.cluster.apply([...groups.workloads, ...groups.traffic], { fieldManager: FIELD_MANAGER });
      await waitForRollouts(ctx.cluster, groups.workloads.filter((o) => o.kind === 'Deployment').map((o) => refOf(o, app.namespace)), wait());
    });
  } catch (err) {
    const why = err instanceof RolloutFailed ? err.message : err instanceof Error && err.name === 'TimeoutError' ? 'the rollout did not complete before the deploy timeout' : undefined;
    if (why === undefined) throw err;
    const detail = (await Promise.all(groups.workloads.filter((o) => o.kind === 'Deployment').map((o) => diagnose(ctx.cluster, refOf(o, app.namespace))))).filter(Boolean).join('; ');
    return rollBack(detail ? `${why} (${detail})` : why);
  }

  let analysis: AnalysisResult[] = [];
  if (providers.size === 0) steps.skip('analyse', req.skipAnalysis ? '--skip-analysis' : 'deploy.analysis is empty');
  else {
    analysis = await steps.run('analyse', () => runAnalyses(ctx, app, providers, wait()));
    const bad = analysis.filter((a) => a.phase !== 'successful');
    // Inconclusive would pause for `slipway promote`/`abort`; until those commands exist a rolling
    // deploy treats it like a failure rather than leave an unproven version serving.
    if (bad.length) return rollBack(`analysis ${bad.map((a) => `${a.name} ${a.phase} (${a.message})`).join(', ')}`, analysis);
  }
  steps.skip('switch', 'a rolling update moves traffic as new pods become ready');

  const final = await finish('deployed', undefined, analysis);
  if (previous) await ctx.store.update({ ...previous, phase: 'superseded', updatedAt: now() });
  if (plan.prune.length) {
    await steps.run('clean-up', async () => {
      for (const entry of plan.prune) await ctx.cluster.delete(entry, { propagationPolicy: 'Background' });
    });
  } else steps.skip('clean-up', 'nothing the previous release applied is gone');
  await ctx.store.update({ ...final, steps: steps.timings });
  return { outcome: 'deployed', exitCode: EXIT_OK, plan, release: { ...final, steps: steps.timings }, analysis };
}

/**
 * Every analysis at once; the first one that does not pass stops the others (Argo Rollouts
 * terminates the remaining metrics of a failed run the same way), so the rollback starts at once.
 */
async function runAnalyses(ctx: EngineContext, app: ResolvedApp, providers: ReturnType<typeof analysisProviders>, signal: AbortSignal): Promise<AnalysisResult[]> {
  const stopOthers = new AbortController();
  const runs = [...providers].map(async ([name, provider]): Promise<AnalysisResult> => {
    const spec = app.deploy.analysis![name]!;
    try {
      const result = await runAnalysis({ name, spec, provider, clock: ctx.clock, signal: AbortSignal.any([signal, stopOthers.signal]), onMeasurement: (m, index) => ctx.emit({ type: 'measurement', analysis: name, index, measurement: m }) });
      if (result.phase !== 'successful') stopOthers.abort();
      return result;
    } catch (err) {
      if (!stopOthers.signal.aborted || signal.aborted) throw err;
      return { name, provider: provider.kind, resolved: provider.resolved, settings: settingsOf(spec), measurements: [], phase: 'inconclusive', message: 'stopped: another analysis did not pass' };
    }
  });
  return Promise.all(runs);
}
