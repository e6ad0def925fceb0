/**
 * One app service as Compose services: the service itself, plus a one-shot migration service and
 * a volume-ownership init when it needs them. Image, user, limits and grace period come from the
 * objects render produced for the environment, so local runs match the cluster's settings.
 */
import type { NamedObject } from '@slipway/kube';
import type { Service } from '../../spec/schema.js';
import type { ResolvedApp } from '../../spec/resolved.js';
import type { FormatWarning } from '../format.js';
import { composeEnvironment } from './environment.js';
import type { ComposeDependency } from './dependencies.js';
import { composeCpus, composeMemory } from './units.js';

/** Runs once as root to hand the named volumes to the service's non-root user (the cluster uses fsGroup). */
export const VOLUME_INIT_IMAGE = 'busybox:1.37';

export interface ServiceInput {
  app: ResolvedApp;
  name: string;
  service: Service;
  objects: NamedObject[];
  deps: Map<string, ComposeDependency>;
  files: Record<string, string>;
}

export interface ServiceOutput {
  services: Record<string, Record<string, unknown>>;
  volumes: Record<string, unknown>;
  configs: Record<string, unknown>;
  files: Map<string, string>;
  warnings: FormatWarning[];
}

interface Container {
  name?: string;
  image?: string;
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  securityContext?: {
    runAsUser?: number;
    runAsGroup?: number;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { add?: string[] };
  };
}

interface PodSpec {
  containers?: Container[];
  securityContext?: { runAsUser?: number; runAsGroup?: number; fsGroup?: number };
  terminationGracePeriodSeconds?: number;
}

export function composeService(input: ServiceInput): ServiceOutput {
  const { app, name, service } = input;
  const out: ServiceOutput = { services: {}, volumes: {}, configs: {}, files: new Map(), warnings: [] };
  const warn = (field: string, message: string) =>
    out.warnings.push({ format: 'compose', path: `services.${name}.${field}`, message });
  const pod = podSpecOf(input.objects, name);
  const container = pod?.containers?.find((c) => c.name === name) ?? pod?.containers?.[0];
  const env = composeEnvironment(app, service, input.deps);
  for (const w of env.warnings) warn(w.field, w.message);

  const def: Record<string, unknown> = {};
  const image = container?.image ?? service.image;
  if (image) def.image = image;
  if (service.build)
    def.build = {
      context: service.build.context,
      ...(service.build.dockerfile ? { dockerfile: service.build.dockerfile } : {}),
    };
  if (!image && !service.build) warn('image', 'no image and no build: Compose cannot start this service');
  if (service.build?.platforms) warn('build.platforms', 'Compose builds for the local platform only');
  if (service.resources?.ephemeralStorage || service.resources?.limits?.ephemeralStorage)
    warn('resources.ephemeralStorage', 'Compose has no ephemeral-storage limit');
  if (service.command) def.entrypoint = service.command;
  if (service.args) def.command = service.args;
  const ports =
    service.ports?.map((p) => ({ port: p.port, protocol: p.protocol })) ??
    (service.port ? [{ port: service.port, protocol: undefined }] : []);
  if (ports.length) def.ports = ports.map((p) => `${p.port}:${p.port}${p.protocol === 'UDP' ? '/udp' : ''}`);
  if (Object.keys(env.environment).length) def.environment = env.environment;

  const uid = container?.securityContext?.runAsUser ?? pod?.securityContext?.runAsUser;
  const gid =
    container?.securityContext?.runAsGroup ??
    pod?.securityContext?.runAsGroup ??
    pod?.securityContext?.fsGroup;
  if (uid !== undefined) def.user = gid !== undefined ? `${uid}:${gid}` : String(uid);
  if (container?.securityContext?.readOnlyRootFilesystem !== false) {
    def.read_only = true;
    def.tmpfs = ['/tmp'];
  }
  def.security_opt = ['no-new-privileges:true'];
  def.cap_drop = ['ALL'];
  const added = container?.securityContext?.capabilities?.add;
  if (added?.length) def.cap_add = added;

  const limits = container?.resources?.limits ?? {};
  const requests = container?.resources?.requests ?? {};
  const resources: Record<string, unknown> = {};
  if (limits.cpu || limits.memory)
    resources.limits = {
      ...(limits.cpu ? { cpus: composeCpus(limits.cpu) } : {}),
      ...(limits.memory ? { memory: composeMemory(limits.memory) } : {}),
    };
  if (requests.cpu || requests.memory)
    resources.reservations = {
      ...(requests.cpu ? { cpus: composeCpus(requests.cpu) } : {}),
      ...(requests.memory ? { memory: composeMemory(requests.memory) } : {}),
    };
  if (Object.keys(resources).length) def.deploy = { resources };
  if (pod?.terminationGracePeriodSeconds !== undefined)
    def.stop_grace_period = `${pod.terminationGracePeriodSeconds}s`;

  const dependsOn: Record<string, { condition: string }> = {};
  for (const dep of env.dependencies) dependsOn[dep] = { condition: 'service_healthy' };
  for (const svc of env.services) if (svc !== name) dependsOn[svc] = { condition: 'service_started' };

  const volumes = service.volumes ?? [];
  if (volumes.length) {
    def.volumes = volumes.map((v) => `${name}-${v.name}:${v.path}`);
    for (const v of volumes) out.volumes[`${name}-${v.name}`] = {};
    const sized = volumes.map((v, i) => `volumes[${i}].size=${v.size}`);
    warn('volumes', `named volumes have no size or storage class locally (${sized.join(', ')})`);
    if (uid !== undefined) {
      const owner = volumes.map((v) => ({
        path: v.path,
        uid: v.owner?.uid ?? uid,
        gid: v.owner?.gid ?? gid ?? uid,
      }));
      out.services[`${name}-volume-init`] = {
        image: VOLUME_INIT_IMAGE,
        user: '0:0',
        command: ['sh', '-c', owner.map((o) => `chown -R ${o.uid}:${o.gid} ${o.path}`).join(' && ')],
        volumes: def.volumes,
        restart: 'no',
      };
      dependsOn[`${name}-volume-init`] = { condition: 'service_completed_successfully' };
    }
  }

  for (const [i, file] of (service.config ?? []).entries()) {
    const content = file.content ?? (file.from !== undefined ? input.files[file.from] : undefined);
    if (content === undefined) {
      warn(`config[${i}].from`, `the contents of ${file.from} were not given; the file is not mounted`);
      continue;
    }
    const key = file.path.replace(/^\/+/, '').replace(/[^-._a-zA-Z0-9]/g, '-');
    const path = `config/${name}/${key}`;
    out.files.set(path, content);
    out.configs[`${name}-${key}`] = { file: `./${path}` };
    def.configs = [...((def.configs as unknown[]) ?? []), { source: `${name}-${key}`, target: file.path }];
  }

  if (service.migrations) {
    const migrate: Record<string, unknown> = {
      image: service.migrations.image ?? image,
      ...(service.migrations.image ? {} : service.build ? { build: def.build } : {}),
      entrypoint: service.migrations.command,
      ...(def.environment ? { environment: def.environment } : {}),
      ...(def.user ? { user: def.user } : {}),
      read_only: def.read_only,
      tmpfs: def.tmpfs,
      security_opt: def.security_opt,
      cap_drop: def.cap_drop,
      // The Job's backoffLimit as Compose's retry count.
      restart: service.migrations.backoffLimit ? `on-failure:${service.migrations.backoffLimit}` : 'no',
    };
    const migrateDeps = Object.fromEntries(
      Object.entries(dependsOn).filter(([, c]) => c.condition === 'service_healthy'),
    );
    if (Object.keys(migrateDeps).length) migrate.depends_on = migrateDeps;
    out.services[`${name}-migrate`] = dropUndefined(migrate);
    dependsOn[`${name}-migrate`] = { condition: 'service_completed_successfully' };
    if (service.migrations.timeout)
      warn('migrations.timeout', 'Compose has no run deadline; the migration runs until it exits');
  }
  if (Object.keys(dependsOn).length) def.depends_on = dependsOn;

  if (service.schedule) {
    def.profiles = ['jobs'];
    warn(
      'schedule',
      `Compose has no scheduler: "${service.schedule}" is not applied; run it with docker compose run --rm ${name}`,
    );
  } else {
    def.restart = 'unless-stopped';
  }
  healthcheck(service, def, warn);
  if ((service.replicas ?? 1) > 1)
    warn(
      'replicas',
      `runs 1 container locally instead of ${service.replicas} (its ports are published on the host)`,
    );
  if (service.autoscale) warn('autoscale', 'not applied locally');
  if (service.public) warn('public', `published on localhost instead of ${service.public.host}`);
  if (service.placement) warn('placement', 'node selection and spread do not apply to Compose');
  out.services[name] = def;
  return out;
}

/**
 * The readiness check (else liveness) becomes the Compose healthcheck: an exec check as is; an HTTP
 * check as `wget --spider`, which needs wget in the image (busybox and Alpine images have it;
 * distroless ones do not: the warning names the field). A TCP check has no portable equivalent.
 */
function healthcheck(
  service: Service,
  def: Record<string, unknown>,
  warn: (field: string, message: string) => void,
): void {
  const field = service.health?.readiness ? 'readiness' : service.health?.liveness ? 'liveness' : undefined;
  if (!field) return;
  const raw = service.health![field]!;
  const check = typeof raw === 'string' ? { http: raw } : raw;
  const timing = {
    interval: check.period ?? '10s',
    timeout: check.timeout ?? '5s',
    retries: check.failureThreshold ?? 3,
    ...(check.initialDelay ? { start_period: check.initialDelay } : {}),
  };
  const port = check.port ?? service.port ?? service.ports?.[0]?.port;
  if (check.exec) def.healthcheck = { test: ['CMD', ...check.exec], ...timing };
  else if (check.http && port !== undefined) {
    def.healthcheck = {
      test: ['CMD', 'wget', '-q', '--spider', `http://localhost:${port}${check.http}`],
      ...timing,
    };
    warn(
      `health.${field}`,
      'the Compose healthcheck runs wget inside the image; an image without wget reports unhealthy',
    );
  } else
    warn(
      `health.${field}`,
      'a TCP check has no Compose equivalent without a client in the image; no healthcheck is written',
    );
  if (field === 'readiness' && service.health?.liveness)
    warn('health.liveness', 'Compose restarts a container when it exits, not on a failed liveness check');
  if (service.health?.startup) warn('health.startup', 'Compose has no startup check');
}

function podSpecOf(objects: NamedObject[], name: string): PodSpec | undefined {
  for (const o of objects) {
    if (o.metadata.labels?.['app.kubernetes.io/name'] !== name) continue;
    const spec = o.spec as
      | { template?: { spec?: PodSpec }; jobTemplate?: { spec?: { template?: { spec?: PodSpec } } } }
      | undefined;
    if (o.kind === 'Deployment' || o.kind === 'StatefulSet') return spec?.template?.spec;
    if (o.kind === 'CronJob') return spec?.jobTemplate?.spec?.template?.spec;
  }
  return undefined;
}

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
