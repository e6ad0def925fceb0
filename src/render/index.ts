/**
 * Render: one environment's effective spec -> plain Kubernetes objects. Pure and deterministic
 * (same input, same bytes); every other format (Helm, kustomize, compose) is written from these.
 */
import type { NamedObject } from '@slipway/kube';
import { UserErrors } from '../errors.js';
import type { ResolvedApp } from '../spec/resolved.js';
import { newContext, warn, type RenderOptions } from './context.js';
import { limitProblems } from './limits.js';
import type { RenderWarning } from './kube.js';
import type { ClusterEndpoint } from './objects/cluster-endpoints.js';
import { MANAGED_BY } from './defaults.js';
import { renderBackupObjects, backupTarget } from './objects/backups.js';
import { renderDependencyObjects } from './objects/dependency-objects.js';
import { renderExternalSecrets } from './objects/external-secrets.js';
import { renderPrometheusRule } from './objects/monitoring.js';
import { renderNetworkPolicies, type FlowGraph } from './objects/network-policies.js';
import { renderServiceObjects } from './objects/service-objects.js';
import { compareObjects, prune } from './order.js';

export type { RenderWarning } from './kube.js';
export type { RenderOptions } from './context.js';
export {
  credentialsAnnotation,
  dependencyCredentialsName,
  SECRETS_CHECKSUM_ANNOTATION,
  selectorLabels,
  serviceSecretName,
  standardLabels,
  objectName,
} from './names.js';
export { DEPENDENCY_KINDS } from './objects/dependencies/catalog.js';
export { manifestsYaml } from './manifests.js';

export interface RenderResult {
  objects: NamedObject[];
  warnings: RenderWarning[];
  /**
   * Which part of the spec each object was rendered from (`services.api`, `dependencies.db`, or `app`
   * for the app-wide network policies), keyed by originKey(object): a side map so that `slipway check`
   * can report findings at the slipway.yaml lines that produced an object.
   */
  origins: Record<string, string>;
}

/** `Kind/namespace/name`: the key of RenderResult.origins. */
export function originKey(object: { kind: string; metadata: { namespace?: string; name?: string } }): string {
  return `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;
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
  const objects: NamedObject[] = [];
  const graph: FlowGraph = {};
  const endpoints: Record<string, ClusterEndpoint[]> = {};
  const origins: Record<string, string> = {};
  const from = (path: string, rendered: NamedObject[]) => {
    for (const o of rendered) origins[originKey(o)] = path;
    return rendered;
  };
  for (const name of Object.keys(app.services).sort()) {
    const service = app.services[name];
    if (!service) continue;
    const rendered = renderServiceObjects(ctx, name, service);
    objects.push(...from(`services.${name}`, rendered.objects));
    graph[name] = rendered.targets;
    endpoints[name] = rendered.endpoints;
  }
  for (const name of Object.keys(app.dependencies).sort()) {
    const dependency = app.dependencies[name];
    if (dependency)
      objects.push(...from(`dependencies.${name}`, renderDependencyObjects(ctx, name, dependency)));
  }
  // Backup pods reach their dependency's port (their own policy, with the drill namespaces, is in backups.ts).
  for (const name of Object.keys(app.backups)) {
    const target = backupTarget(app, name);
    if (target?.address) graph[target.podName] = [name];
  }
  for (const policy of renderNetworkPolicies(ctx, graph, endpoints)) {
    // A service's or dependency's own policy carries its name label; the app-wide ones come from `app`.
    const owner = policy.metadata.labels?.['app.kubernetes.io/name'] ?? '';
    const path =
      owner in app.services
        ? `services.${owner}`
        : owner in app.dependencies
          ? `dependencies.${owner}`
          : 'app';
    objects.push(...from(path, [policy]));
  }
  if (app.domain && !Object.values(app.services).some((s) => s.public && !s.public.host.includes('.'))) {
    warn(
      ctx,
      'domain',
      `no public host is relative to it (a host without a dot becomes <host>.${app.domain}); nothing uses this domain`,
    );
  }
  for (const name of Object.keys(app.backups).sort()) {
    const backup = app.backups[name];
    if (backup) objects.push(...from(`backups.${name}`, renderBackupObjects(ctx, name, backup)));
  }
  objects.push(...from('secrets', renderExternalSecrets(app)));
  const rule = renderPrometheusRule(ctx, {
    'app.kubernetes.io/part-of': app.app,
    'app.kubernetes.io/component': 'monitoring',
    'app.kubernetes.io/managed-by': MANAGED_BY,
  });
  if (rule) objects.push(...from('app', [rule]));
  ctx.problems.push(...limitProblems(objects));
  if (ctx.problems.length) throw new UserErrors(ctx.problems, 'render/invalid');
  return { objects: objects.map(prune).sort(compareObjects), warnings: unique(ctx.warnings), origins };
}
