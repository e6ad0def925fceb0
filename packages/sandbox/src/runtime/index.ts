/**
 * The side of the sandbox that makes objects happen: controllers, the kubelet and the Service
 * proxy, over any ObjectStore. The API server calls startRuntime and serves podLogs/servicePorts.
 */
import { mkdirSync } from 'node:fs';
import type { Clock, ObjectStore, SandboxRuntime } from '../types.js';
import { allControllers, startControllers, type RunningControllers } from '../controllers/index.js';
import { eventSink } from '../controllers/events.js';
import { kinds } from '../controllers/objects.js';
import { defaultSandboxConfig, type SandboxConfig } from './config.js';
import { Kubelet } from './kubelet.js';
import { GatewayProxy } from './gateway-proxy.js';
import { ServiceProxy } from './proxy.js';

export { defaultSandboxConfig, loadSandboxConfig, mergeSandboxConfig, type SandboxConfig } from './config.js';

export interface RuntimeOptions {
  clock?: Clock;
  dataDir: string;
  config?: SandboxConfig;
  log?: (line: string) => void;
}

export interface StartedRuntime extends SandboxRuntime {
  controllers: RunningControllers;
  kubelet: Kubelet;
}

const systemClock: Clock = {
  now: () => new Date(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
};

export function startRuntime(store: ObjectStore, opts: RuntimeOptions): StartedRuntime {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? (() => {});
  const config = opts.config ?? defaultSandboxConfig();
  mkdirSync(opts.dataDir, { recursive: true });
  // With a kubelet present, pod deletion is graceful: the store waits for our grace-0 delete.
  const graceful = store as ObjectStore & { gracefulPodDeletion?: boolean };
  if ('gracefulPodDeletion' in graceful) graceful.gracefulPodDeletion = true;
  const k = kinds(store);
  const controllers = startControllers(store, clock, log, allControllers(opts.dataDir));
  // The kubelet rewrites Service addresses to the proxy's ports; the proxy needs the kubelet: a late link.
  const late: { proxy?: ServiceProxy } = {};
  const kubelet = new Kubelet({
    servicePorts: () => late.proxy?.ports() ?? [],
    store,
    k,
    clock,
    config,
    dataDir: opts.dataDir,
    log,
    events: eventSink(store, clock, 'kubelet'),
    schedulerEvents: eventSink(store, clock, 'default-scheduler'),
  });
  kubelet.start();
  const services = new ServiceProxy(store, k, kubelet, log);
  late.proxy = services;
  services.start();
  // Gateway listeners only where the store serves the Gateway API (the API server's does; the
  // runtime's own contract store for controller tests does not).
  const gateways =
    store.typeFor('gateway.networking.k8s.io/v1', 'Gateway') &&
    store.typeFor('gateway.networking.k8s.io/v1', 'HTTPRoute')
      ? new GatewayProxy(store, services, log)
      : undefined;
  gateways?.start();
  return {
    controllers,
    kubelet,
    podLogs(namespace, pod, o) {
      return kubelet.worker(namespace, pod)?.logs(o.container, o);
    },
    servicePorts: () => [...services.ports(), ...(gateways?.ports() ?? [])],
    async stop() {
      controllers.stop();
      await gateways?.stop();
      await services.stop();
      await kubelet.stop();
    },
  };
}
