/**
 * docker-compose.yml -> slipway.yaml. Services keep their image/build, ports, env (env_file read
 * through the caller's reader), named volumes, healthchecks, resources and user; database, cache,
 * queue and vector-store images become dependencies and env values that pointed at them become
 * `${dep.output}` references. Every Compose field that has no counterpart is reported, never
 * dropped silently.
 */
import { UserErrors } from '../errors.js';
import {
  DEFAULT_PORTS,
  containerPort,
  dependencyType,
  dnsName,
  environmentOf,
  healthcheck,
  imageVersion,
  isRecord,
  splitCommand,
} from './compose-fields.js';
import type { Targets } from './compose-references.js';
import type { Dependency, Service } from './schema.js';
import {
  DEFAULT_VOLUME_SIZE,
  importDeploy,
  importEnvironment,
  importUser,
  importVolumes,
  type ComposeReader,
  type ServiceContext,
} from './compose-service.js';
import { locationOf, parseSource, pathText, type SpecSource } from './source.js';

export { DEFAULT_VOLUME_SIZE, type ComposeReader } from './compose-service.js';

export interface ComposeNote {
  /** `docker-compose.yml:12:5`, when the field has a position. */
  where?: string;
  path: string;
  message: string;
}

export interface ComposeImport {
  spec: { app: string; services: Record<string, Service>; dependencies?: Record<string, Dependency> };
  /** Fields with no slipway.yaml counterpart. */
  unmapped: ComposeNote[];
  /** Choices the importer made that a person should review. */
  notes: ComposeNote[];
}

/** Fields mapped below; anything else on a service is reported. */
const MAPPED = new Set([
  'image',
  'build',
  'command',
  'entrypoint',
  'ports',
  'expose',
  'environment',
  'env_file',
  'volumes',
  'depends_on',
  'healthcheck',
  'deploy',
  'user',
]);
const WHY: Record<string, string> = {
  restart: 'Kubernetes restarts containers itself',
  container_name: 'object names come from the app and service names',
  logging: 'container logs go to the cluster log pipeline',
  networks: 'every service shares the namespace network; NetworkPolicies follow from references',
  labels: 'Slipway sets standard labels',
};

export interface ComposeImportOptions {
  /** The app name; wins over the Compose file's `name`. */
  name?: string;
  /** Used when neither names the app (the compose file's directory, say). */
  fallbackName?: string;
}

export function importCompose(
  text: string,
  file: string,
  reader: ComposeReader,
  opts: ComposeImportOptions = {},
): ComposeImport {
  const { source, problems } = parseSource(text, file);
  if (problems.length) throw new UserErrors(problems, 'compose.yaml');
  const doc = isRecord(source.data) ? source.data : {};
  const out: ComposeImport = {
    spec: {
      app: dnsName(opts.name ?? (typeof doc.name === 'string' ? doc.name : (opts.fallbackName ?? 'app'))),
      services: {},
    },
    unmapped: [],
    notes: [],
  };
  const note = (list: ComposeNote[], path: (string | number)[], message: string) =>
    list.push({ where: where(source, path), path: pathText(path), message });
  for (const key of Object.keys(doc)) {
    if (!['services', 'volumes', 'name', 'version'].includes(key))
      note(out.unmapped, [key], `top-level ${key} is not mapped`);
  }
  const services = isRecord(doc.services) ? doc.services : {};
  const targets: Targets = { dependencies: new Map(), services: new Map() };
  const dependencies: Record<string, Dependency> = {};
  for (const [composeName, raw] of Object.entries(services)) {
    const s = isRecord(raw) ? raw : {};
    const type = typeof s.image === 'string' ? dependencyType(s.image) : undefined;
    if (!type) continue;
    const name = dnsName(composeName);
    const version = typeof s.image === 'string' ? imageVersion(s.image) : undefined;
    const dep: Dependency = { type, ...(version ? { version } : {}) };
    const env = environmentOf(s.environment);
    const database = env.POSTGRES_DB ?? env.MYSQL_DATABASE ?? env.MARIADB_DATABASE;
    if (database && (type === 'postgres' || type === 'mysql')) dep.database = database;
    if (Array.isArray(s.volumes) && s.volumes.length) dep.storage = DEFAULT_VOLUME_SIZE;
    dependencies[name] = dep;
    targets.dependencies.set(composeName, { name, type, port: DEFAULT_PORTS[type] });
    note(
      out.notes,
      ['services', composeName],
      `became dependency "${name}" (${type}${version ? ` ${version}` : ''}); Slipway runs it in the cluster with generated credentials, so its environment, ports and volumes are not copied${dep.storage ? `; storage ${DEFAULT_VOLUME_SIZE} (Compose volumes have no size)` : ''}`,
    );
  }
  for (const [composeName, raw] of Object.entries(services)) {
    if (targets.dependencies.has(composeName)) continue;
    const s = isRecord(raw) ? raw : {};
    const port = firstPort(s);
    if (port !== undefined) targets.services.set(composeName, { name: dnsName(composeName), port });
  }
  const namedVolumes = new Set(isRecord(doc.volumes) ? Object.keys(doc.volumes) : []);
  for (const [composeName, raw] of Object.entries(services)) {
    if (targets.dependencies.has(composeName)) continue;
    const s = isRecord(raw) ? raw : {};
    const path = ['services', composeName];
    for (const key of Object.keys(s)) {
      if (!MAPPED.has(key))
        note(out.unmapped, [...path, key], `not mapped${WHY[key] ? ` (${WHY[key]})` : ''}`);
    }
    out.spec.services[dnsName(composeName)] = importService(s, path, {
      reader,
      targets,
      namedVolumes,
      note: (p, m, unmapped = false) => note(unmapped ? out.unmapped : out.notes, [...path, ...p], m),
    });
  }
  if (Object.keys(dependencies).length) out.spec.dependencies = dependencies;
  return out;
}

function where(source: SpecSource, path: (string | number)[]): string {
  const loc = locationOf(source, path, true);
  return `${loc.file}:${loc.line}:${loc.column}`;
}

function firstPort(s: Record<string, unknown>): number | undefined {
  const entries = [...(Array.isArray(s.ports) ? s.ports : []), ...(Array.isArray(s.expose) ? s.expose : [])];
  return entries.map(containerPort).find((p) => p !== undefined)?.port;
}

function importService(s: Record<string, unknown>, path: (string | number)[], ctx: ServiceContext): Service {
  const service: Service = {};
  if (typeof s.image === 'string') {
    // An explicit :latest is dropped: the release version (or --image-tag) tags the image instead.
    service.image = s.image.replace(/:latest$/, '');
    if (service.image !== s.image)
      ctx.note(
        ['image'],
        'tag latest dropped: Slipway tags images with the release version (version: or --image-tag)',
      );
  }
  if (typeof s.build === 'string') service.build = { context: s.build };
  else if (isRecord(s.build)) {
    service.build = {
      context: typeof s.build.context === 'string' ? s.build.context : '.',
      ...(typeof s.build.dockerfile === 'string' ? { dockerfile: s.build.dockerfile } : {}),
    };
    for (const key of Object.keys(s.build))
      if (key !== 'context' && key !== 'dockerfile')
        ctx.note(['build', key], 'not mapped (build options other than context and dockerfile)', true);
  }
  // Compose entrypoint/command override the image's ENTRYPOINT/CMD, as Kubernetes command/args do.
  const entrypoint = splitCommand(s.entrypoint);
  const command = splitCommand(s.command);
  if (entrypoint) service.command = entrypoint;
  if (command) service.args = command;
  importPorts(s, service, ctx);
  importEnvironment(s, service, ctx);
  importVolumes(s, service, ctx);
  importUser(s, service, ctx);
  if (isRecord(s.healthcheck)) {
    const { probe, problem } = healthcheck(s.healthcheck, service.port ?? service.ports?.[0]?.port);
    if (probe) {
      service.health = { readiness: probe, liveness: probe };
      ctx.note(
        ['healthcheck'],
        `became the readiness and liveness check (${probe.http !== undefined ? `http ${probe.http}` : 'exec'})`,
      );
    } else if (problem) ctx.note(['healthcheck'], problem, true);
  }
  importDeploy(s, service, ctx);
  const deps = Array.isArray(s.depends_on)
    ? s.depends_on.map(String)
    : isRecord(s.depends_on)
      ? Object.keys(s.depends_on)
      : [];
  for (const d of deps) {
    const dep = ctx.targets.dependencies.get(d);
    ctx.note(
      ['depends_on'],
      dep
        ? `${d}: dependencies are running and ready before services start, no field needed`
        : `${d}: Slipway does not order services; readiness checks hold traffic until ${d} answers`,
    );
  }
  if (!service.image && !service.build) ctx.note([], 'has neither image nor build; add one', true);
  return service;
}

function importPorts(s: Record<string, unknown>, service: Service, ctx: ServiceContext): void {
  const entries = [...(Array.isArray(s.ports) ? s.ports : []), ...(Array.isArray(s.expose) ? s.expose : [])];
  const ports: Array<{ port: number; protocol?: 'UDP' }> = [];
  entries.forEach((entry, i) => {
    const p = containerPort(entry);
    if (!p)
      ctx.note(
        [Array.isArray(s.ports) && i < s.ports.length ? 'ports' : 'expose', i],
        `port ${JSON.stringify(entry)} not mapped (ranges have no single port)`,
        true,
      );
    else if (!ports.some((q) => q.port === p.port)) ports.push(p);
  });
  if (ports.length === 1 && !ports[0]?.protocol) service.port = ports[0]?.port;
  else if (ports.length)
    service.ports = ports.map((p, i) => ({
      name: i === 0 ? 'http' : `port-${p.port}`,
      port: p.port,
      ...(p.protocol ? { protocol: p.protocol } : {}),
    }));
  if (Array.isArray(s.ports) && s.ports.some((e) => typeof e === 'string' && e.includes(':')))
    ctx.note(['ports'], 'host port bindings dropped: expose the service with public: { host } instead');
}
