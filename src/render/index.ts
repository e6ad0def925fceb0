/**
 * Render: one environment's effective spec -> plain Kubernetes objects. Pure and deterministic
 * (same input, same bytes); every other format (Helm, kustomize, compose) is written from these.
 */
import { UserErrors } from '../errors.js';
import type { ResolvedApp } from '../spec/resolved.js';
import { newContext, warn, type RenderOptions } from './context.js';
import { limitProblems } from './limits.js';
import type { KubeObject, RenderWarning } from './kube.js';
import type { ClusterEndpoint } from './objects/cluster-endpoints.js';
import { renderDependencyObjects } from './objects/dependency-objects.js';
import { renderNetworkPolicies, type FlowGraph } from './objects/network-policies.js';
import { renderServiceObjects } from './objects/service-objects.js';
import { compareObjects, prune } from './order.js';

export type { KubeObject, RenderWarning } from './kube.js';
export type { RenderOptions } from './context.js';
export {
  dependencyCredentialsName,
  selectorLabels,
  serviceSecretName,
  standardLabels,
  objectName,
} from './names.js';
export { DEPENDENCY_KINDS } from './objects/dependencies/catalog.js';
export { manifestsYaml } from './manifests.js';

export interface RenderResult {
  objects: KubeObject[];
  warnings: RenderWarning[];
}

function unique(warnings: RenderWarning[]): RenderWarning[] {
  const seen = new Set<string>();
  return warnings.filter((w) => {
    const key = `${w.path}\u0000${w.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Render every object of one environment. Throws UserErrors listing every problem found. */
export function renderApp(app: ResolvedApp, opts: RenderOptions = {}): RenderResult {
  const ctx = newContext(app, opts);
  const objects: KubeObject[] = [];
  const graph: FlowGraph = {};
  const endpoints: Record<string, ClusterEndpoint[]> = {};
  for (const name of Object.keys(app.services).sort()) {
    const service = app.services[name];
    if (!service) continue;
    const rendered = renderServiceObjects(ctx, name, service);
    objects.push(...rendered.objects);
    graph[name] = rendered.targets;
    endpoints[name] = rendered.endpoints;
  }
  for (const name of Object.keys(app.dependencies).sort()) {
    const dependency = app.dependencies[name];
    if (dependency) objects.push(...renderDependencyObjects(ctx, name, dependency));
  }
  objects.push(...renderNetworkPolicies(ctx, graph, endpoints));
  if (app.domain && !Object.values(app.services).some((s) => s.public && !s.public.host.includes('.'))) {
    warn(
      ctx,
      'domain',
      `no public host is relative to it (a host without a dot becomes <host>.${app.domain}); nothing uses this domain`,
    );
  }
  for (const name of Object.keys(app.backups).sort()) {
    warn(
      ctx,
      `backups.${name}`,
      'backup CronJobs are not rendered by this version of Slipway; nothing in the output runs this backup',
    );
  }
  ctx.problems.push(...limitProblems(objects));
  if (ctx.problems.length) throw new UserErrors(ctx.problems, 'render/invalid');
  return { objects: objects.map(prune).sort(compareObjects), warnings: unique(ctx.warnings) };
}
