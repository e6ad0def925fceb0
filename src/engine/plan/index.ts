/**
 * The "decide" half of a deploy: from the deployed release, the newly rendered objects and the
 * strategy, the plan as plain data. No I/O: facts read from the cluster (the active colour, an
 * HPA's current replicas) come in as arguments, so `--dry-run` prints exactly what a deploy does.
 */
import type { KubeObject } from '@slipway/kube';
import type { ResolvedApp } from '../../spec/resolved.js';
import { PROGRESS_DEADLINE_SECONDS } from '../defaults.js';
import { durationOr } from '../../spec/duration.js';
import { lockName } from '../lock.js';
import type { Colour, Release, Strategy } from '../releases/release.js';
import { LABEL_COLOUR, planBlueGreen } from './blue-green.js';
import { describeCanarySteps, planCanary } from './canary-plan.js';
import { APPLY_PHASES, groupByPhase } from './order.js';
import type { DeployPlan, PlanStep } from './types.js';
import { entryKey, entryOf, selectorOf, workloadsOf, type ServiceWorkload } from './workloads.js';

export type { DeployPlan } from './types.js';

export interface PlanInput {
  app: ResolvedApp;
  revision: number;
  /** The release serving now (phase deployed), if any. */
  previous?: Release;
  objects: KubeObject[];
  /** `--strategy`, overriding the spec's. */
  strategy?: Strategy;
  live?: {
    /** Colour each service's active Service selects now (authoritative over the release record). */
    activeColours?: Record<string, Colour>;
    /** An HPA's current desired replicas per service. */
    hpaReplicas?: Record<string, number>;
  };
}

export type AnalysisPhase = 'pre-promotion' | 'post-promotion' | 'step' | 'background';

/**
 * Which phase each analysis runs in under the strategy in effect. An unset phase follows the
 * strategy's natural moment (rolling: once the rollout completed; blue-green: after the switch; a
 * canary: the step that names it, else the whole canary). A phase the strategy has no moment for
 * (validate refuses that in a spec, so it comes only from `--strategy` or a canary's first release
 * going out rolling) moves to the nearest moment the strategy has, and the plan says so: a rolling
 * update runs pre-promotion, post-promotion and step analyses once its rollout completed; a
 * blue-green runs step analyses after the switch; a canary runs a step analysis no step names
 * after promotion. Background stays background under every strategy.
 */
export function analysisPhases(app: ResolvedApp, strategy: Strategy): Record<string, AnalysisPhase> {
  const stepNames = new Set(
    (app.deploy.canary?.steps ?? []).flatMap((s) => ('analysis' in s ? s.analysis : [])),
  );
  return Object.fromEntries(
    Object.entries(app.deploy.analysis ?? {}).map(([name, a]): [string, AnalysisPhase] => {
      if (a.phase === 'background') return [name, 'background'];
      if (strategy === 'rolling') return [name, 'post-promotion'];
      if (strategy === 'blue-green')
        return [name, a.phase === 'pre-promotion' ? 'pre-promotion' : 'post-promotion'];
      if (stepNames.has(name)) return [name, 'step'];
      if (a.phase === 'pre-promotion' || a.phase === 'post-promotion') return [name, a.phase];
      return [name, a.phase === 'step' ? 'post-promotion' : 'background'];
    }),
  );
}

/**
 * Services a canary or blue-green leaves to roll in place with the rest of the release: those that
 * say `strategy: rolling`, StatefulSets (validate asks for that word), and under blue-green the
 * workers, which have no Service to switch.
 */
function inPlaceServices(app: ResolvedApp, workloads: ServiceWorkload[], strategy: Strategy): string[] {
  return workloads
    .filter((w) => !app.services[w.service]?.schedule)
    .filter(
      (w) =>
        !w.deployment ||
        app.services[w.service]?.strategy === 'rolling' ||
        (strategy === 'blue-green' && !w.serviceObject),
    )
    .map((w) => w.service);
}

export function planDeploy(input: PlanInput): DeployPlan {
  const { app, objects } = input;
  const requested = input.strategy ?? app.deploy.strategy ?? 'rolling';
  const dependencies = new Set(Object.keys(app.dependencies));
  const groups = groupByPhase(objects, dependencies);
  const workloads = workloadsOf(objects, Object.keys(app.services).sort());
  const current = new Set(objects.map((o) => entryKey(entryOf(o, app.namespace))));
  const prune = (input.previous?.inventory ?? []).filter((e) => !current.has(entryKey(e)));
  const first = input.previous === undefined;

  // A canary needs a stable version to compare against; the first release goes out whole (Argo
  // Rollouts does the same when there is no stable ReplicaSet). After a blue-green release the
  // stable version is a colour, not the Deployment a canary scales: go out in full behind the
  // active colour, and the next deploy can be a canary.
  const liveColours = input.live?.activeColours ?? input.previous?.activeColours ?? {};
  const fromBlueGreen = Object.keys(liveColours).length > 0;
  const strategy: Strategy = requested === 'canary' && (first || fromBlueGreen) ? 'rolling' : requested;
  const plan: DeployPlan = {
    app: app.app,
    environment: app.environment,
    namespace: app.namespace,
    revision: input.revision,
    previousRevision: input.previous?.revision,
    strategy,
    strategyNote:
      strategy === requested
        ? undefined
        : first
          ? 'first release: there is no stable version to run a canary against, so it rolls out in full'
          : 'the serving release is blue-green: a canary needs the plain stable Deployment, so this release rolls out in full behind the active colour and switches once ready; the next deploy can run a canary',
    steps: [],
    apply: APPLY_PHASES.map((phase) => ({
      phase,
      objects: groups[phase].map((o) => entryOf(o, app.namespace)),
    })).filter((g) => g.objects.length > 0),
    prune,
  };
  const phases = analysisPhases(app, strategy);
  const named = (phase: AnalysisPhase) =>
    Object.keys(phases)
      .filter((n) => phases[n] === phase)
      .sort();
  // A canary or blue-green runs two versions side by side; a service that cannot (a StatefulSet with
  // its volume) or says it should not rolls in place, with the rest of the release.
  const inPlace = strategy === 'rolling' ? [] : inPlaceServices(app, workloads, strategy);
  if (inPlace.length) plan.inPlace = inPlace;
  const sideBySide = workloads.filter((w) => !inPlace.includes(w.service));

  if (strategy === 'blue-green') {
    plan.blueGreen = planBlueGreen(sideBySide, app.deploy, phases, liveColours);
  } else if (strategy === 'canary') {
    plan.canary = planCanary(
      sideBySide,
      app.services,
      app.deploy,
      phases,
      input.live?.hpaReplicas ?? {},
      objects,
    );
  } else {
    plan.rolling = {
      services: workloads
        .filter((w) => w.deployment)
        .map((w) => {
          const colour = liveColours[w.service];
          const activeService = w.serviceObject?.metadata.name;
          const switchFrom =
            colour && activeService && w.serviceObject
              ? {
                  switchFrom: {
                    colour,
                    activeService,
                    selector: { ...selectorOf(w.serviceObject), [LABEL_COLOUR]: colour },
                  },
                }
              : {};
          return {
            service: w.service,
            deployment: w.deployment!.metadata.name ?? w.service,
            replicas: app.services[w.service]?.autoscale
              ? 'autoscaled'
              : (app.services[w.service]?.replicas ?? 1),
            ...switchFrom,
          };
        }),
      progressDeadlineSeconds:
        durationOr(app.deploy.progressDeadline, PROGRESS_DEADLINE_SECONDS * 1000) / 1000,
      analysis: [...named('pre-promotion'), ...named('step'), ...named('post-promotion')].sort(),
      backgroundAnalysis: named('background'),
    };
  }
  plan.steps = steps(
    plan,
    objects.length,
    groups.migration.map((j) => j.metadata.name ?? ''),
    describeAnalysis(plan, app),
  );
  return plan;
}

/**
 * What the analyse step runs, and when, in one line: `background: error-rate (from the first new
 * pod to the end; a failure undoes the rollout at once); after the rollout: smoke`. Undefined when
 * nothing runs.
 */
function describeAnalysis(plan: DeployPlan, app: ResolvedApp): string | undefined {
  const declared = (name: string) => app.deploy.analysis?.[name]?.phase;
  const moved = (names: string[], here: AnalysisPhase) =>
    names.map((n) => {
      const from = declared(n);
      return from && from !== here && !(here === 'step' && from === undefined)
        ? `${n} (declared ${from})`
        : n;
    });
  const part = (label: string, names: string[], here: AnalysisPhase) =>
    names.length ? `${label}: ${moved(names, here).join(', ')}` : undefined;
  const parts = plan.rolling
    ? [
        part(
          'background (from the first new pod to the end; a failure undoes the rollout at once)',
          plan.rolling.backgroundAnalysis,
          'background',
        ),
        part('after the rollout', plan.rolling.analysis, 'post-promotion'),
      ]
    : plan.blueGreen
      ? [
          part(
            'background (on the preview before the switch, on the active Service after it)',
            plan.blueGreen.backgroundAnalysis,
            'background',
          ),
          part('before the switch', plan.blueGreen.prePromotionAnalysis, 'pre-promotion'),
          part('after the switch', plan.blueGreen.postPromotionAnalysis, 'post-promotion'),
        ]
      : plan.canary
        ? [
            part('background (at every step)', plan.canary.backgroundAnalysis, 'background'),
            part(
              'at the steps',
              [
                ...new Set(
                  (plan.canary.services[0]?.steps ?? []).flatMap((s) =>
                    s.kind === 'analysis' ? s.analysis : [],
                  ),
                ),
              ],
              'step',
            ),
            part('before promotion', plan.canary.prePromotionAnalysis, 'pre-promotion'),
            part('after promotion', plan.canary.postPromotionAnalysis, 'post-promotion'),
          ]
        : [];
  const text = parts.filter((p): p is string => p !== undefined).join('; ');
  return text || undefined;
}

function steps(
  plan: DeployPlan,
  objectCount: number,
  migrations: string[],
  analysis: string | undefined,
): PlanStep[] {
  const config = plan.apply
    .filter((g) => g.phase === 'foundation' || g.phase === 'dependencies')
    .reduce((n, g) => n + g.objects.length, 0);
  const bg = plan.blueGreen;
  const canary = plan.canary;
  // After a rolling or canary release the active Services select the plain pods by labels the colour's pods carry too.
  const pinned =
    plan.previousRevision !== undefined ? (bg?.services.filter((s) => !s.activeColour) ?? []) : [];
  const rollOut = bg
    ? `start ${bg.services.map((s) => s.newDeployment).join(', ')} beside the serving ${pinned.length ? 'version' : 'colour'}${pinned.length ? ` (${pinned.map((s) => s.activeService).join(', ')} first narrowed to the serving pods' pod-template-hash, so the new colour takes no request before the switch)` : ''} and wait until ready`
    : canary
      ? `canary ${canary.services.map((s) => s.canaryDeployment).join(', ')} through ${canary.services[0]?.steps.length ?? 0} steps, ${canary.traffic === 'replicas' ? 'replica ratio' : canary.traffic === 'gateway' ? 'Gateway API route weights' : 'nginx canary Ingress weights'} (${canary.trafficReason}): ${describeCanarySteps(canary)}`
      : `rolling update of ${plan.rolling?.services.map((s) => s.deployment).join(', ') || 'no Deployments'}, watched until complete${plan.rolling?.services.some((s) => s.switchFrom) ? ' while the Services stay on the serving colour' : ''}`;
  const inPlace = plan.inPlace?.length
    ? `; ${plan.inPlace.join(', ')} roll${plan.inPlace.length === 1 ? 's' : ''} in place ${bg ? 'before the switch' : 'at promotion'} (StatefulSets, workers without a Service under blue-green, and services with strategy: rolling)`
    : '';
  const switchStep: PlanStep = bg
    ? {
        name: 'switch',
        summary: `point ${bg.services.map((s) => `${s.activeService} at ${s.newColour}`).join(', ')} in one update each`,
      }
    : canary
      ? {
          name: 'switch',
          summary: `promote: the stable Deployments take the new version${canary.services.some((s) => s.route) ? ', weight back to 0 once they are available' : ''}, canaries removed`,
        }
      : plan.rolling?.services.some((s) => s.switchFrom)
        ? {
            name: 'switch',
            summary: `once ready, point ${plan.rolling.services.flatMap((s) => (s.switchFrom ? [`${s.switchFrom.activeService} (on ${s.switchFrom.colour})`] : [])).join(', ')} at ${plan.rolling.services.map((s) => s.deployment).join(', ')}; the colours are deleted in clean-up`,
          }
        : {
            name: 'switch',
            summary: 'nothing to switch',
            skipped: 'a rolling update moves traffic as new pods become ready',
          };
  const cleanUp = [
    bg && bg.services.some((s) => s.oldDeployment)
      ? `scale down ${bg.services.flatMap((s) => s.oldDeployment ?? []).join(', ')} after ${bg.scaleDownDelaySeconds}s`
      : undefined,
    plan.prune.length ? `delete ${plan.prune.length} object(s) no longer rendered` : undefined,
  ].filter((s): s is string => s !== undefined);
  const analyseStep: PlanStep = analysis
    ? { name: 'analyse', summary: analysis }
    : { name: 'analyse', summary: 'no analysis', skipped: 'deploy.analysis is empty' };
  return [
    { name: 'render', summary: `${objectCount} objects for ${plan.environment}` },
    { name: 'check', summary: 'policy checks; errors block the deploy' },
    { name: 'lock', summary: `Lease ${plan.namespace}/${lockName(plan.app, plan.environment)}` },
    { name: 'record', summary: `release ${plan.app} revision ${plan.revision} (pending)` },
    {
      name: 'apply-config',
      summary: `apply ${config} config, foundation and dependency object(s); wait until the dependencies are ready`,
    },
    migrations.length
      ? { name: 'migrate', summary: `run ${migrations.join(', ')} and wait; failure switches nothing` }
      : { name: 'migrate', summary: 'no migrations', skipped: 'no service declares migrations' },
    { name: 'roll-out', summary: rollOut + inPlace },
    // Leaving a colour, the rolling update switches first: its analysis judges the new version serving.
    ...(plan.rolling?.services.some((s) => s.switchFrom)
      ? [switchStep, analyseStep]
      : [analyseStep, switchStep]),
    cleanUp.length
      ? { name: 'clean-up', summary: cleanUp.join('; ') }
      : {
          name: 'clean-up',
          summary: 'nothing to clean up',
          skipped: 'no previous colour or removed objects',
        },
  ];
}
