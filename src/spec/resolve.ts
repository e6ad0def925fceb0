/**
 * One environment's effective spec: the overlay merged into the top level (merge.ts), validated
 * again as a whole (a merged value can be wrong even when both halves looked fine), semantic
 * checks re-run, and the environment-only shorthands applied.
 */
import { tlsProblems } from './tls.js';
import { UserError, UserErrors, type Problem, type SourceLocation } from '../errors.js';
import { mergeOverlay, namedPath } from './merge.js';
import { schemaCheck, semanticProblems, sortProblems, sourceOf, type Locator } from './parse.js';
import type { ResolvedApp } from './resolved.js';
import { AppSchema, type App, type Environment, type Service } from './schema.js';
import { checkSpec } from './semantic.js';
import { locate, locationOf, pathText, type PathSegment } from './source.js';
import { closest } from './suggest.js';

/** The name of the only environment of a spec that declares none. */
export const DEFAULT_ENVIRONMENT = 'default';

const ENVIRONMENT_ONLY = ['replicas', 'approval', 'domain'] as const;

export function environmentNames(app: App): string[] {
  const names = Object.keys(app.environments ?? {});
  return names.length ? names : [DEFAULT_ENVIRONMENT];
}

/** The top level with the overlay merged in, before validation (what `validate --print` shows once valid). */
export function mergeEnvironment(app: App, env: string): Record<string, unknown> {
  const { environments, $schema: _schema, ...top } = app;
  void _schema;
  const overlay: Record<string, unknown> = { ...((environments?.[env] ?? {}) as Environment) };
  for (const key of ENVIRONMENT_ONLY) delete overlay[key];
  return mergeOverlay(top, overlay) as Record<string, unknown>;
}

function unknownEnvironment(app: App, env: string, file?: string): UserError {
  const declared = environmentNames(app);
  const source = sourceOf(app);
  const near = declared.find((d) => d.startsWith(env) || env.startsWith(d)) ?? closest(env, declared);
  return new UserError(`unknown environment "${env}"; the spec declares: ${declared.join(', ')}`, {
    code: 'spec.environment',
    location: source
      ? locationOf(source, ['environments'], true)
      : file
        ? { file, line: 1, column: 1 }
        : undefined,
    path: 'environments',
    hint: near ? `did you mean "${near}"?` : `add ${env} under environments:`,
  });
}

/** Overlay node if the merged value came from the overlay, else the top-level node. */
export function environmentLocator(
  app: App,
  env: string,
  merged: unknown,
  file: string | undefined,
): Locator {
  const source = sourceOf(app);
  return (path, atKey): SourceLocation => {
    if (!source) return { file: file ?? 'slipway.yaml', line: 0, column: 0 };
    const named = namedPath(merged, path);
    const inOverlay = ['environments', env, ...named];
    if (locate(source, inOverlay).found) return locationOf(source, inOverlay, atKey);
    if (locate(source, named).found) return locationOf(source, named, atKey);
    // Neither has the whole path (a missing field): the deeper of the two ancestors.
    const overlayDepth = depthFound(source, inOverlay) - 2;
    return overlayDepth >= depthFound(source, named) && overlayDepth > 0
      ? locationOf(source, inOverlay, atKey)
      : locationOf(source, named, atKey);
  };
}

function depthFound(source: NonNullable<ReturnType<typeof sourceOf>>, path: PathSegment[]): number {
  for (let n = path.length; n > 0; n--) if (locate(source, path.slice(0, n)).found) return n;
  return 0;
}

function withReplicas(
  services: Record<string, Service>,
  replicas: number | undefined,
): Record<string, Service> {
  if (replicas === undefined) return services;
  return Object.fromEntries(
    Object.entries(services).map(([name, s]) => [
      name,
      s.schedule !== undefined || s.replicas !== undefined || s.autoscale ? s : { ...s, replicas },
    ]),
  );
}

export function resolveEnvironment(app: App, env: string, file?: string): ResolvedApp {
  const declared = Object.keys(app.environments ?? {});
  if (!(declared.includes(env) || (declared.length === 0 && env === DEFAULT_ENVIRONMENT)))
    throw unknownEnvironment(app, env, file ?? sourceOf(app)?.file);
  const overlay = (app.environments?.[env] ?? {}) as Environment;
  const merged = mergeEnvironment(app, env);
  const locator = environmentLocator(app, env, merged, file);
  // One zod pass: its output is the resolved value (a second parse cost a fifth of resolving).
  const checked = schemaCheck(AppSchema, merged, locator);
  const problems: Problem[] = checked.problems.map((p) => ({
    ...p,
    path: p.path ? `${p.path} (environment ${env})` : p.path,
  }));
  const source = sourceOf(app);
  if (problems.length === 0) {
    const found = checkSpec({ ...(merged as App), replicas: overlay.replicas });
    found.push(...tlsProblems(merged as App));
    const located: Problem[] = source
      ? semanticProblems(source, locator, found, ['environments', env])
      : found.map((p) => ({ path: pathText(p.path), message: p.message, hint: p.hint }));
    problems.push(...located.map((p) => ({ ...p, path: `${p.path} (environment ${env})` })));
  }
  if (problems.length) throw new UserErrors(sortProblems(problems), 'spec.invalid');
  const valid = checked.value ?? AppSchema.parse(merged, { jitless: true }); // as in schemaCheck (parse.ts)
  return {
    ...valid,
    environment: env,
    namespace: valid.namespace ?? app.app,
    approval: overlay.approval ?? 'none',
    ...(overlay.domain !== undefined ? { domain: overlay.domain } : {}),
    services: withReplicas(valid.services, overlay.replicas),
    dependencies: valid.dependencies ?? {},
    deploy: valid.deploy ?? {},
    backups: valid.backups ?? {},
    environments: environmentNames(app),
  };
}
