/**
 * Where `${target.output}` references in env values point: an in-cluster dependency, an external
 * dependency's Secret, a sqlite file, or another service of the app.
 */
import { parseReferences, type ParsedReference } from '../spec/references.js';
import type { Dependency, Service } from '../spec/schema.js';
import type { ResolvedApp } from '../spec/resolved.js';
import { dependencyProvider } from '../spec/dependency-provider.js';
import { dependencyKind } from './objects/dependencies/catalog.js';
import type { DependencyInstance, Output } from './objects/dependencies/kind.js';
import { dependencyCredentialsName, objectName } from './names.js';

export type { Output } from './objects/dependencies/kind.js';

export type Reference = Pick<ParsedReference, 'text' | 'target' | 'output' | 'start'>;

/** Every `${target.output}` in a value, as the spec parses them (`$${...}` is an escaped literal). */
export function findReferences(value: string): Reference[] {
  return parseReferences(value);
}

/** The literal a value means once escapes are removed: `$${x}` is written as `${x}`. */
export function unescapeLiteral(value: string): string {
  return value.replace(/\$\$\{/g, '${');
}

/**
 * The DNS name of an object's Service from anywhere in the cluster: `<name>.<namespace>.svc`, which
 * the pod's DNS search path completes, or the full name when the spec names `kubernetes.clusterDomain`.
 */
export function serviceHost(app: ResolvedApp, name: string): string {
  const domain = app.kubernetes?.clusterDomain;
  return `${objectName(app.app, name)}.${app.namespace}.svc${domain ? `.${domain}` : ''}`;
}

/**
 * The Service (after `<app>-`) that reaches a dependency: a CloudNativePG Cluster's primary is
 * behind the operator's `<cluster>-rw`; the Bitnami redis chart's standalone server behind
 * `<fullname>-master`; Slipway's StatefulSet and the postgresql chart behind `<app>-<name>`.
 */
export function dependencyServiceName(name: string, dependency: Dependency): string {
  const provider = dependencyProvider(dependency);
  if (provider === 'operator') return `${name}-rw`;
  if (provider === 'chart' && dependency.type === 'redis') return `${name}-master`;
  return name;
}

export function dependencyInstance(
  app: ResolvedApp,
  name: string,
  dependency: Dependency,
): DependencyInstance {
  return {
    app: app.app,
    name,
    namespace: app.namespace,
    dependency,
    objectName: objectName(app.app, name),
    host: serviceHost(app, dependencyServiceName(name, dependency)),
    credentials: dependencyCredentialsName(app.app, name),
  };
}

/** The main port of a service: `port`, else the first of `ports`. */
export function mainPort(service: Service): number | undefined {
  return service.port ?? service.ports?.[0]?.port;
}

export type Resolution = { output: Output } | { error: string; hint?: string };

/** What `${target.output}` resolves to, or why it cannot. */
export function resolveReference(app: ResolvedApp, ref: Reference): Resolution {
  const dependency = app.dependencies[ref.target];
  if (dependency?.external) {
    // Every key of an external dependency's Secret is an output; `url` reads `external.key` (default url).
    const key = ref.output === 'url' ? (dependency.external.key ?? 'url') : ref.output;
    return { output: { secret: { name: dependency.external.secret, key } } };
  }
  const outputs = dependency
    ? dependencyOutputs(app, ref.target, dependency)
    : app.services[ref.target]
      ? serviceOutputs(app, ref.target)
      : undefined;
  if (!outputs)
    return { error: `${ref.text} names ${ref.target}, which is neither a service nor a dependency` };
  const output = outputs[ref.output];
  if (output) return { output };
  const offered = Object.keys(outputs);
  return {
    error: `${ref.text}: ${ref.target} has no output "${ref.output}"`,
    hint: offered.length
      ? `available: ${offered.join(', ')}`
      : `${ref.target} offers no outputs (a service needs a port)`,
  };
}

/** What another service offers: its Service's host and port, and an http URL. */
export function serviceOutputs(app: ResolvedApp, name: string): Record<string, Output> {
  const service = app.services[name];
  const port = service && mainPort(service);
  if (port === undefined) return {};
  const host = serviceHost(app, name);
  return { host: { value: host }, port: { value: String(port) }, url: { value: `http://${host}:${port}` } };
}

function dependencyOutputs(app: ResolvedApp, name: string, dependency: Dependency): Record<string, Output> {
  if (dependency.type === 'sqlite') return sqliteOutputs(app, dependency);
  const kind = dependencyKind(dependency.type);
  return kind ? kind.outputs(dependencyInstance(app, name, dependency)) : {};
}

/** The volume a sqlite dependency lives on: `volume` of `service`, else that service's only volume. */
export function sqliteVolume(app: ResolvedApp, dependency: Dependency) {
  const service = dependency.service ? app.services[dependency.service] : undefined;
  if (!service) return undefined;
  return dependency.volume
    ? service.volumes?.find((v) => v.name === dependency.volume)
    : service.volumes?.length === 1
      ? service.volumes[0]
      : undefined;
}

export const SQLITE_DEFAULT_FILE = 'data.db';

function sqliteOutputs(app: ResolvedApp, dependency: Dependency): Record<string, Output> {
  const volume = sqliteVolume(app, dependency);
  if (!volume) return {};
  const file = `${volume.path.replace(/\/$/, '')}/${dependency.file ?? SQLITE_DEFAULT_FILE}`;
  return { path: { value: file }, url: { value: `sqlite://${file}` } };
}
