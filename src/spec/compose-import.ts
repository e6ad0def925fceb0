/**
 * docker-compose.yml -> slipway.yaml. Variables are interpolated first (compose-interpolate.ts,
 * from the `.env` beside the file). Services keep their image/build, ports, env (env_file read
 * through the caller's reader), named volumes, healthchecks, resources and user; database, cache,
 * queue and vector-store images become dependencies and env values that pointed at them become
 * `${dep.output}` references. A service built from source and without an image is named in the
 * registry the caller gives. Every Compose field that has no counterpart is reported, never
 * dropped silently; the result renders for every environment once that registry is given.
 */
import { UserErrors } from '../errors.js';
import {
  DEFAULT_PORTS,
  dependencyType,
  dnsName,
  environmentOf,
  imageVersion,
  isRecord,
  parseEnvFile,
} from './compose-fields.js';
import { firstPort, importService, noteProfiles } from './compose-app-service.js';
import { dotenvVariables, interpolateDocument, type Unresolved } from './compose-interpolate.js';
import { isClassicEnvName } from './semantic-service.js';
import type { Targets } from './compose-references.js';
import type { Dependency, Service } from './schema.js';
import {
  DEFAULT_VOLUME_SIZE,
  variablesText,
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

export interface ImportedSpec {
  app: string;
  registry?: string;
  version?: string;
  kubernetes?: { version: string };
  services: Record<string, Service>;
  dependencies?: Record<string, Dependency>;
}

export interface ComposeImport {
  spec: ImportedSpec;
  /** Fields with no slipway.yaml counterpart. */
  unmapped: ComposeNote[];
  /** Choices the importer made that a person should review. */
  notes: ComposeNote[];
  /** Services built from source without an image: they need `registry` (ComposeImportOptions.registry). */
  buildOnly: string[];
  /** Variables the compose file uses that the .env does not set (each once, where first used). */
  variables: Array<Unresolved & { where?: string; path: string }>;
}

/** What an import tags the images Slipway builds with until CI sets the version. */
export const IMPORT_VERSION = '0.1.0';
/** Set when an env name needs RelaxedEnvironmentVariableValidation (on by default from 1.32). */
export const RELAXED_ENV_KUBERNETES = '1.33';

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
  'profiles',
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
  /** Where images of services built from source are pushed (`ghcr.io/acme`). */
  registry?: string;
  /** Said in the review: where the registry came from (`--registry`, `the git remote origin`). */
  registrySource?: string;
}

export function importCompose(
  text: string,
  file: string,
  reader: ComposeReader,
  opts: ComposeImportOptions = {},
): ComposeImport {
  const { source, problems } = parseSource(text, file);
  if (problems.length) throw new UserErrors(problems, 'compose.yaml');
  const variables = dotenvVariables(parseEnvFile(reader.read('.env') ?? ''));
  const interpolated = interpolateDocument(source.data, variables);
  const doc = isRecord(interpolated.doc) ? interpolated.doc : {};
  const out: ComposeImport = {
    spec: {
      app: dnsName(opts.name ?? (typeof doc.name === 'string' ? doc.name : (opts.fallbackName ?? 'app'))),
      ...(opts.registry ? { registry: opts.registry } : {}),
      services: {},
    },
    unmapped: [],
    notes: [],
    buildOnly: [],
    variables: [],
  };
  const note = (list: ComposeNote[], path: (string | number)[], message: string) =>
    list.push({ where: where(source, path), path: pathText(path), message });
  for (const key of Object.keys(doc)) {
    if (key.startsWith('x-'))
      note(
        out.notes,
        [key],
        `extension ${key}: Compose ignores it; its YAML anchors are used where referenced`,
      );
    else if (!['services', 'volumes', 'name', 'version'].includes(key))
      note(out.unmapped, [key], `top-level ${key} is not mapped`);
  }
  const services = isRecord(doc.services) ? doc.services : {};
  const targets: Targets = { dependencies: new Map(), services: new Map() };
  const dependencies: Record<string, Dependency> = {};
  for (const [composeName, raw] of Object.entries(services)) {
    const s = isRecord(raw) ? raw : {};
    const type = typeof s.image === 'string' && !s.build ? dependencyType(s.image) : undefined;
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
      `became dependency "${name}" (${type}${version ? ` ${version}` : ''}); Slipway runs it in the cluster with generated credentials and wires its connection strings into the env that named it, so its environment, ports and volumes are not copied${dep.storage ? `; storage ${DEFAULT_VOLUME_SIZE} (Compose volumes have no size; review it)` : ''}`,
    );
    noteProfiles(s, ['services', composeName], (p, m) => note(out.notes, p, m));
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
      if (key.startsWith('x-')) note(out.notes, [...path, key], `extension ${key}: Compose ignores it`);
      else if (!MAPPED.has(key))
        note(out.unmapped, [...path, key], `not mapped${WHY[key] ? ` (${WHY[key]})` : ''}`);
    }
    const name = dnsName(composeName);
    const ctx: ServiceContext = {
      reader,
      targets,
      namedVolumes,
      variables,
      unresolvedAt: (p) => unresolvedAt(interpolated.unresolved, [...path, ...p]),
      note: (p, m, unmapped = false) => note(unmapped ? out.unmapped : out.notes, [...path, ...p], m),
    };
    const { service, buildOnly } = importService(s, ctx);
    out.spec.services[name] = service;
    if (buildOnly) {
      out.buildOnly.push(name);
      if (opts.registry)
        ctx.note(
          ['build'],
          `built from ${service.build?.context ?? '.'} by the CI workflow; its image is ${opts.registry.replace(/\/$/, '')}/${out.spec.app}-${name} (registry from ${opts.registrySource ?? 'the caller'})`,
        );
    }
  }
  for (const u of interpolated.unresolved) {
    for (const v of u.unresolved)
      if (!out.variables.some((x) => x.name === v.name))
        out.variables.push({ ...v, where: where(source, u.path), path: pathText(u.path) });
    const [top, serviceName, field] = u.path;
    const inDependency = top === 'services' && targets.dependencies.has(String(serviceName));
    if (inDependency || field === 'environment' || field === 'env_file') continue; // env notes its own
    note(
      out.notes,
      u.path,
      `${variablesText(u.unresolved)} without a value; "" is used, as Compose would: set it`,
    );
  }
  finishSpec(out, dependencies);
  return out;
}

/** Version, Kubernetes version and dependencies, once every service is known. */
function finishSpec(out: ComposeImport, dependencies: Record<string, Dependency>): void {
  const services = Object.values(out.spec.services);
  const untagged = services.some(
    (s) => s.build && (!s.image || !/:[^/]+$/.test(s.image.split('@')[0] ?? '')),
  );
  const { services: all, ...head } = out.spec;
  out.spec = {
    ...head,
    ...(untagged ? { version: IMPORT_VERSION } : {}),
    ...(services.some((s) => Object.keys(s.env ?? {}).some((k) => !isClassicEnvName(k)))
      ? { kubernetes: { version: RELAXED_ENV_KUBERNETES } }
      : {}),
    services: all,
    ...(Object.keys(dependencies).length ? { dependencies } : {}),
  };
  if (untagged)
    out.notes.push({
      path: 'version',
      message: `${IMPORT_VERSION} tags the images Slipway builds until CI sets it (from the git tag, or --image-tag)`,
    });
  if (out.spec.kubernetes)
    out.notes.push({
      path: 'kubernetes.version',
      message: `${RELAXED_ENV_KUBERNETES}: an env name outside letters, digits, _, - and . needs Kubernetes 1.32 or later (RelaxedEnvironmentVariableValidation)`,
    });
}

function unresolvedAt(
  found: Array<{ path: (string | number)[]; unresolved: Unresolved[] }>,
  path: (string | number)[],
) {
  return (
    found.find((u) => u.path.length === path.length && u.path.every((p, i) => p === path[i]))?.unresolved ??
    []
  );
}

function where(source: SpecSource, path: (string | number)[]): string {
  const loc = locationOf(source, path, true);
  return `${loc.file}:${loc.line}:${loc.column}`;
}
