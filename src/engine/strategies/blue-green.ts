/**
 * Blue-green (Argo Rollouts `rollout/bluegreen.go`, without a controller in the cluster): the new
 * colour's Deployment starts beside the serving one with a preview Service on it; once its rollout
 * completes and the preview Service has ready endpoints, pre-promotion analysis runs against it;
 * then each active Service's selector moves to the new colour in one update; post-promotion
 * analysis follows; the old colour stays warm for the scale-down delay (the deploy lock released,
 * so a `slipway rollback` in that window switches straight back) and is then scaled to zero.
 * Any failure before or after the switch puts the previous selectors back at once (the old pods
 * never stopped) and deletes the new colour.
 */
import type { KubeObject } from '@slipway/kube';
import { isClusterError, refOf } from '../../cluster/cluster.js';
import { FIELD_MANAGER } from '../defaults.js';
import { liveColours } from '../live.js';
import { restorePrevious } from '../restore.js';
import { ROLLOUT_KINDS } from '../rollout-status.js';
import type { BlueGreenPlan } from '../plan/types.js';
import type { Colour } from '../releases/release.js';
import { colourObjects, servedObjects, type ColouredObjects } from './colours.js';
import { readyCount, waitForReadyEndpoints } from './endpoints.js';
import { pinnedStableService } from '../traffic/route-objects.js';
import { stablePodTemplateHash } from '../traffic/routed.js';
import { analysisGate, rolloutGate, withBackgroundAnalysis } from './gates.js';
import { StrategyFailed, type DeployStrategy, type Served, type StrategyRun } from './strategy.js';

function planOf(run: StrategyRun): BlueGreenPlan {
  if (!run.plan.blueGreen) throw new Error('blue-green strategy without a blue-green plan');
  return run.plan.blueGreen;
}

function coloured(run: StrategyRun): ColouredObjects {
  return colourObjects(run.groups.workloads, run.groups.traffic, planOf(run));
}

function replicasOf(d: KubeObject): number {
  return (d.spec as { replicas?: number } | undefined)?.replicas ?? 1;
}

export const blueGreen: DeployStrategy = {
  name: 'blue-green',

  execute(outer: StrategyRun): Promise<Served> {
    // Background analysis runs from the new colour's first pod to the end: on the preview before
    // the switch, on the active Service after it; a failure switches back at once (revert).
    return withBackgroundAnalysis(outer, planOf(outer).backgroundAnalysis, switchColours);
  },

  async revert(run: StrategyRun): Promise<void> {
    const { ctx } = run;
    const objs = coloured(run);
    if (run.previous) {
      await retireUnpinned(run);
      const previous = servedObjects(run.previous);
      // Traffic first, in one update per Service: the previous pods are still running.
      await ctx.cluster.apply(
        previous.filter((o) => o.kind === 'Service'),
        { fieldManager: FIELD_MANAGER, force: true },
      );
      // Then the rest as it was (a StatefulSet that rolled in place gets its template and, if
      // stuck, its pods back), and the new colour and preview go.
      await restorePrevious(ctx, run.previous, [...objs.colourWorkloads, ...objs.preview], run.wait());
      return;
    }
    // A first release has nothing to go back to: leave the failed colour for diagnosis, switch nothing.
  },

  cleanUpDelayMs(run: StrategyRun): number {
    return this.hasCleanUp(run) ? planOf(run).scaleDownDelaySeconds * 1000 : 0;
  },

  hasCleanUp(run: StrategyRun): boolean {
    return planOf(run).services.some((s) => s.oldDeployment);
  },

  async cleanUp(run: StrategyRun): Promise<string | undefined> {
    const { ctx, app } = run;
    const plan = planOf(run);
    // A rollback during the delay may have switched back: never scale down a colour that serves.
    const live = await liveColours(ctx.cluster, app, Object.values(run.groups).flat());
    const idle = plan.services.filter(
      (s) => s.oldDeployment && s.activeColour && live[s.service] !== s.activeColour,
    );
    for (const s of idle) {
      await ctx.cluster
        .patch(
          { apiVersion: 'apps/v1', kind: 'Deployment', namespace: app.namespace, name: s.oldDeployment! },
          { spec: { replicas: 0 } },
          'merge',
          { fieldManager: FIELD_MANAGER },
        )
        .catch((err: unknown) => {
          if (!isClusterError(err, 'NotFound')) throw err;
        });
    }
    const kept = plan.services.filter((s) => s.oldDeployment && !idle.includes(s));
    return (
      [
        idle.length
          ? `scaled ${idle.map((s) => s.oldDeployment).join(', ')} to 0 after ${plan.scaleDownDelaySeconds}s`
          : undefined,
        kept.length ? `kept ${kept.map((s) => s.oldDeployment).join(', ')}: it serves again` : undefined,
      ]
        .filter(Boolean)
        .join('; ') || undefined
    );
  },
};

/**
 * After a rolling or canary release, each active Service selects the plain Deployment's pods by the
 * service's base labels, which the new colour's pods carry too (PodDisruptionBudgets and
 * NetworkPolicies cover them by those): before any colour pod starts, the Service is narrowed to
 * the serving ReplicaSet's pod-template-hash, as Argo Rollouts selects, so no request reaches the
 * new colour before the switch. The switch (the colour selector) and a revert (the previous
 * Services) are server-side applies without that key, which drops it.
 */
async function pinPlainPods(run: StrategyRun): Promise<void> {
  const { ctx, app } = run;
  if (!run.previous) return;
  const previous = servedObjects(run.previous).filter((o) => o.kind === 'Service');
  const pinned: KubeObject[] = [];
  for (const s of planOf(run).services) {
    if (s.activeColour) continue;
    const service = previous.find((o) => o.metadata.name === s.activeService);
    const ref = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: app.namespace,
      name: s.plainDeployment,
    };
    if (!service || !(await ctx.cluster.get(ref))) continue;
    const hash = await stablePodTemplateHash(ctx.cluster, app.namespace, s.plainDeployment, run.wait());
    pinned.push(pinnedStableService(service, hash));
  }
  if (pinned.length) await ctx.cluster.apply(pinned, { fieldManager: FIELD_MANAGER, force: true });
}

/**
 * The way back from a first colour (pinPlainPods): the previous Services select by the base labels
 * again, so the new colour's pods must be gone first, or they would take requests once the pin is
 * dropped. Its Deployments are deleted, and the pin stays until each of their pods is terminating.
 */
async function retireUnpinned(run: StrategyRun): Promise<void> {
  const { ctx, app } = run;
  const first = planOf(run).services.filter((s) => !s.activeColour);
  for (const s of first)
    await ctx.cluster.delete(
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: app.namespace, name: s.newDeployment },
      { propagationPolicy: 'Background' },
    );
  for (const s of first)
    await ctx.cluster.watchList(
      { apiVersion: 'v1', kind: 'Pod', namespace: app.namespace },
      { labelSelector: s.selectorAfter },
      // Terminating pods leave a Service's endpoints at once (their preStop may keep them a while).
      (pods) => pods.every((p) => p.metadata.deletionTimestamp !== undefined),
      run.wait(),
    );
}

async function switchColours(run: StrategyRun): Promise<Served> {
  const { ctx, app } = run;
  const plan = planOf(run);
  const objs = coloured(run);
  const deployments = [...objs.colourWorkloads, ...objs.rest].filter((o) => ROLLOUT_KINDS.has(o.kind));
  await run.steps.run(
    'roll-out',
    async () => {
      await pinPlainPods(run);
      // force: the idle colour's replicas were last set to zero by the scale-down patch (another field manager entry).
      await ctx.cluster.apply([...objs.colourWorkloads, ...objs.rest, ...objs.preview], {
        fieldManager: FIELD_MANAGER,
        force: true,
      });
      ctx.checkpoint?.('roll-out:applied');
      await rolloutGate(
        run,
        deployments.map((d) => refOf(d, app.namespace)),
      );
      for (const s of plan.services) {
        const d = objs.colourWorkloads.find(
          (o) => o.kind === 'Deployment' && o.metadata.name === s.newDeployment,
        );
        await waitForReadyEndpoints(
          ctx.cluster,
          app.namespace,
          s.previewService,
          Math.max(1, d ? replicasOf(d) : 1),
          run.wait(),
        );
      }
    },
    plan.services.map((s) => `${s.newDeployment} ready behind ${s.previewService}`).join(', '),
  );
  const pre = await analysisGate(run, plan.prePromotionAnalysis, 'pre-promotion');
  if (!plan.autoPromote) {
    await run.steps.run(
      'switch',
      () => run.promotion(run.wait()),
      `waiting for \`slipway promote --env ${app.environment}\` (autoPromote: false)`,
    );
  }
  await run.steps.run(
    'switch',
    async () => {
      for (const s of plan.services) {
        // Re-read just before the write: the selector must never move to pods that are not ready.
        if ((await readyCount(ctx.cluster, app.namespace, s.previewService)) === 0)
          throw new StrategyFailed(
            `${s.previewService} has no ready endpoints; not switching ${s.activeService}`,
          );
      }
      await ctx.cluster.apply(objs.active, { fieldManager: FIELD_MANAGER, force: true });
    },
    plan.services.map((s) => `${s.activeService} → ${s.newColour}`).join(', '),
  );
  const post = await analysisGate(run, plan.postPromotionAnalysis, 'post-promotion');
  const activeColours: Record<string, Colour> = Object.fromEntries(
    plan.services.map((s) => [s.service, s.newColour]),
  );
  const replaced = new Set([...run.groups.workloads, ...run.groups.traffic]);
  // The old colour stays part of the release (scaled to zero, ready to take the next version), so no prune removes it.
  const oldColours = plan.services.flatMap((s) =>
    s.oldDeployment
      ? [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: s.oldDeployment, namespace: app.namespace },
          },
        ]
      : [],
  );
  const objects = [
    ...Object.values(run.groups)
      .flat()
      .filter((o) => !replaced.has(o)),
    ...objs.colourWorkloads,
    ...objs.rest,
    ...objs.preview,
    ...objs.active,
    ...oldColours,
  ];
  return { analysis: [...pre, ...post], objects, activeColours };
}
