/** Every controller of the sandbox, started over one store. */
import type { Clock, ObjectStore } from '../types.js';
import { cronJobController } from './cronjob.js';
import { daemonSetController } from './daemonset.js';
import { deploymentController } from './deployment.js';
import { disruptionController } from './disruption.js';
import { endpointsController } from './endpoints.js';
import { eventSink } from './events.js';
import { jobController } from './job.js';
import { ControllerLoop, type ControllerSpec, type LoopContext } from './loop.js';
import { kinds, type Kinds } from './objects.js';
import { pvcController } from './pvc.js';
import { replicaSetController } from './replicaset.js';
import { statefulSetController } from './statefulset.js';

export type ControllerFactory = (ctx: LoopContext, k: Kinds) => ControllerSpec;

/**
 * HorizontalPodAutoscalers, NetworkPolicies and Ingress/HTTPRoute are stored
 * only: no controller acts on them (there are no metrics to scale on). PodDisruptionBudgets get their status, but nothing evicts.
 */
export function allControllers(dataDir: string): ControllerFactory[] {
  return [
    deploymentController,
    replicaSetController,
    statefulSetController,
    daemonSetController,
    jobController,
    cronJobController,
    endpointsController,
    disruptionController,
    pvcController(dataDir),
  ];
}

export interface RunningControllers {
  loops: ControllerLoop[];
  /** True when no controller has work queued right now (timers aside). */
  idle(): boolean;
  stop(): void;
}

export function startControllers(
  store: ObjectStore,
  clock: Clock,
  log: (line: string) => void,
  factories: ControllerFactory[],
): RunningControllers {
  const k = kinds(store);
  const loops = factories.map((f) => {
    const ctx: LoopContext = { store, clock, log };
    const controller = f(ctx, k);
    ctx.events = eventSink(store, clock, controller.name);
    return new ControllerLoop(ctx, controller);
  });
  for (const l of loops) l.start();
  return {
    loops,
    idle: () => loops.every((l) => l.idle()),
    stop: () => loops.forEach((l) => l.stop()),
  };
}
