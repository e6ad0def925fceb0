/**
 * Where in slipway.yaml a field of a rendered object comes from. Render names the spec block each
 * object was rendered from (RenderResult.origins: `services.api`, `dependencies.db`, `app`); this maps
 * the field a finding is about (`spec.template.spec.containers[0].resources`) to the spec field that
 * sets it (`services.api.resources`), and that to a line of slipway.yaml: in the environment's overlay
 * when the overlay sets it, else at the top level, else at the nearest enclosing field that exists
 * (a missing `resources:` points at the service's block). Pure: data in, positions out.
 */
import type { SourceLocation } from '../../errors.js';
import { environmentLocator, mergeEnvironment } from '../../spec/resolve.js';
import { sourceOf } from '../../spec/parse.js';
import type { App } from '../../spec/schema.js';
import { locate, locationOf, type PathSegment } from '../../spec/source.js';
import type { Path } from '../types.js';

type Segments = readonly PathSegment[];

/** Pod template of each workload kind, as a path in the object. */
const POD_SPEC: Record<string, Path> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** Container fields -> fields of a service (the first that the spec sets wins; else the first). */
const SERVICE_CONTAINER: Record<string, string[][]> = {
  image: [['image']],
  command: [['command']],
  args: [['args']],
  ports: [['ports'], ['port']],
  env: [['env']],
  envFrom: [['secrets'], ['config']],
  resources: [['resources']],
  livenessProbe: [['health', 'liveness'], ['health']],
  readinessProbe: [['health', 'readiness'], ['health']],
  startupProbe: [['health', 'startup'], ['health']],
  securityContext: [['security']],
  volumeMounts: [['volumes'], ['config']],
};

/** Pod fields -> fields of a service. */
const SERVICE_POD: Record<string, string[][]> = {
  securityContext: [['security']],
  terminationGracePeriodSeconds: [['terminationGracePeriod']],
  nodeSelector: [['placement', 'nodeSelector'], ['placement']],
  tolerations: [['placement', 'tolerations'], ['placement']],
  affinity: [['placement']],
  topologySpreadConstraints: [['placement', 'spread'], ['placement']],
  volumes: [['volumes'], ['config']],
};

/** Whole objects -> fields of a service. */
const SERVICE_KIND: Record<string, string[][]> = {
  HorizontalPodAutoscaler: [['autoscale']],
  PodDisruptionBudget: [['replicas'], ['autoscale']],
  Ingress: [['public']],
  Service: [['ports'], ['port']],
  PersistentVolumeClaim: [['volumes']],
  ConfigMap: [['config'], ['env']],
  Secret: [['secrets'], ['env']],
};

/** Resource requests and limits -> the spec's `resources` fields. */
function resourceField(rest: Path): string[] {
  const [section, name] = rest;
  const key = name === 'ephemeral-storage' ? 'ephemeralStorage' : typeof name === 'string' ? name : undefined;
  if (section === 'limits') return key ? ['limits', key] : ['limits'];
  return section === 'requests' && key ? [key] : [];
}

/** securityContext fields the spec's `security` block sets by the same name. */
const SECURITY_FIELDS = new Set(['runAsUser', 'runAsGroup', 'fsGroup', 'capabilities']);

function securityField(rest: Path): string[][] {
  const name = rest[0];
  return typeof name === 'string' && SECURITY_FIELDS.has(name)
    ? [['security', name], ['security']]
    : [['security']];
}

/** The candidate spec paths (below the origin block) for a field of an object, best first. */
function candidates(kind: string, origin: string, path: Path): string[][] {
  const dependency = origin.startsWith('dependencies.');
  const pod = POD_SPEC[kind];
  const inPod = pod && pod.every((seg, i) => path[i] === seg) ? path.slice(pod.length) : undefined;
  if (kind === 'Job' && !dependency) {
    // A service's Job is its migration (a scheduled service renders a CronJob): the service's container
    // with the migration's command, image and limits.
    const field = inPod?.[0] === 'containers' ? inPod[2] : undefined;
    if (field === 'image') return [['migrations', 'image'], ['image']];
    if (field === undefined || field === 'command' || field === 'args') return [['migrations']];
  }
  if (path[0] === 'spec' && path[1] === 'replicas') return [['replicas']];
  if (kind === 'CronJob' && path[0] === 'spec' && path[1] === 'schedule') return [['schedule']];
  if (inPod?.[0] === 'containers' || inPod?.[0] === 'initContainers') {
    const field = inPod[2];
    if (field === undefined) return [];
    if (field === 'resources') return [['resources', ...resourceField(inPod.slice(3))], ['resources']];
    if (dependency) return field === 'image' ? [['version'], ['type']] : [];
    if (field === 'securityContext') return securityField(inPod.slice(3));
    return SERVICE_CONTAINER[String(field)] ?? [];
  }
  if (inPod?.[0] === 'securityContext' && !dependency) return securityField(inPod.slice(1));
  if (inPod) return dependency ? [] : (SERVICE_POD[String(inPod[0])] ?? []);
  if (dependency) return kind === 'StatefulSet' && path[1] === 'volumeClaimTemplates' ? [['storage']] : [];
  return SERVICE_KIND[kind] ?? [];
}

export type SpecPlacer = (object: { kind: string; origin: string | undefined }, path: Path) => SourceLocation;

/**
 * Positions in slipway.yaml (`file`) for the objects of environment `env`. Fields no rule of the table
 * knows point at the origin block; objects without an origin at the `app:` line.
 */
export function specPlacer(app: App, env: string, file: string): SpecPlacer {
  const source = sourceOf(app);
  const locator = environmentLocator(app, env, mergeEnvironment(app, env), file);
  const found = (path: Segments) => source !== undefined && locate(source, path).found;
  return ({ kind, origin }, path) => {
    const block = origin ? origin.split('.') : ['app'];
    const options = candidates(kind, block.join('.'), path).map((c) => [...block, ...c]);
    // `replicas` set by the environment for every service (environments.<env>.replicas).
    if (options.some((o) => o.at(-1) === 'replicas')) options.push(['environments', env, 'replicas']);
    for (const option of options) {
      if (option[0] === 'environments' && found(option) && source)
        return { ...locationOf(source, option, true), file };
      if (found(['environments', env, ...option]) || found(option)) return { ...locator(option, true), file };
    }
    // Nothing the spec sets: the nearest enclosing field of the best candidate at the top level (the
    // block itself at worst), or in the overlay when only the overlay declares the block.
    const best = options[0] ?? block;
    for (const root of [[], ['environments', env]])
      for (let n = best.length; n >= block.length; n--)
        if (source && found([...root, ...best.slice(0, n)]))
          return { ...locationOf(source, [...root, ...best.slice(0, n)], true), file };
    return { ...locator(best, true), file };
  };
}
