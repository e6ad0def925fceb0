/** Everything one service of the spec becomes. */
import type { NamedObject } from '@slipway/kube';
import type { Service } from '../../spec/schema.js';
import { fail, warn, type RenderContext } from '../context.js';
import { imageVersion, serviceImage } from '../image.js';
import {
  credentialsAnnotation,
  dependencyCredentialsName,
  endpointAnnotation,
  objectName,
  SECRETS_CHECKSUM_ANNOTATION,
  standardLabels,
} from '../names.js';
import { serviceConfig } from './config.js';
import type { ClusterEndpoint } from './cluster-endpoints.js';
import { serviceEnv, type EnvVar } from './env.js';
import { renderPublic } from './ingress.js';
import { renderCronJob, renderMigrationJob } from './jobs.js';
import { containerPorts, type ServiceParts } from './pod.js';
import { renderServiceMonitor } from './monitoring.js';
import { renderHorizontalPodAutoscaler, renderPodDisruptionBudget } from './scaling.js';
import { podIdentity, relaxAnnotations } from './security.js';
import { renderHeadlessService, renderService, renderServiceAccount } from './service.js';
import { cloudIdentityMetadata } from './cloud-identity.js';
import { ownsVolume, renderDeployment, renderSharedClaim, renderStatefulSet } from './workload.js';

const RESERVED_VOLUMES = new Set(['tmp', 'config-files']);

export function serviceComponent(service: Service): string {
  if (service.schedule) return 'cronjob';
  return containerPorts(service).length ? 'server' : 'worker';
}

/** Name, namespace and standard labels for an object of this service. */
export function metadataFor(ctx: RenderContext, labels: Record<string, string>) {
  return (name: string, annotations?: Record<string, string>): NamedObject['metadata'] => ({
    name,
    namespace: ctx.app.namespace,
    labels,
    annotations: annotations && Object.keys(annotations).length ? annotations : undefined,
  });
}

export function serviceParts(ctx: RenderContext, name: string, service: Service): ServiceParts {
  const path = `services.${name}`;
  const image = serviceImage(ctx, path, name, service);
  const labels = standardLabels({
    app: ctx.app.app,
    name,
    component: serviceComponent(service),
    version: imageVersion(image),
  });
  const env = serviceEnv(ctx, path, name, service);
  const config = serviceConfig(ctx, path, name, service, env.plain, metadataFor(ctx, labels));
  for (const v of service.volumes ?? []) {
    if (RESERVED_VOLUMES.has(v.name))
      fail(ctx, `${path}.volumes`, `volume name ${v.name} is reserved by render`, 'rename the volume');
  }
  checkMountPaths(ctx, path, service);
  return {
    path,
    name,
    service,
    image,
    env,
    config,
    identity: podIdentity(ctx, path, service),
    serviceAccount: objectName(ctx.app.app, name),
    labels,
    annotations: {
      ...config.annotations,
      ...secretsAnnotation(ctx, name),
      ...credentialsAnnotations(ctx, env.env),
      ...endpointAnnotations(ctx, env.env),
      ...relaxAnnotations(ctx, path, service),
    },
    volumes: (service.volumes ?? [])
      .filter((v) => v.shared)
      .map((v) => ({
        name: v.name,
        persistentVolumeClaim: { claimName: objectName(ctx.app.app, name, v.name) },
      })),
  };
}

/** The checksum of the service's Secret values, when the deploy opened them (ResolvedApp.secretChecksums). */
function secretsAnnotation(ctx: RenderContext, name: string): Record<string, string> {
  const checksum = ctx.app.secretChecksums?.[name];
  return checksum ? { [SECRETS_CHECKSUM_ANNOTATION]: checksum } : {};
}

/** The Secret an env var reads by secretKeyRef. */
function secretRead(e: EnvVar): string | undefined {
  return (e.valueFrom as { secretKeyRef?: { name?: string } } | undefined)?.secretKeyRef?.name;
}

/**
 * One pod-template annotation per dependency of `values` whose Secret (`secretOf`) the env reads by
 * secretKeyRef, in dependency order: a new value rolls the pods that read that Secret.
 */
function readSecretAnnotations(
  env: EnvVar[],
  values: Record<string, string> | undefined,
  secretOf: (dependency: string) => string | undefined,
  annotation: (dependency: string) => string,
): Record<string, string> {
  if (!values) return {};
  const read = new Set(env.map((e) => secretRead(e)));
  const out: Record<string, string> = {};
  for (const [dependency, value] of Object.entries(values).sort(([a], [b]) => a.localeCompare(b)))
    if (read.has(secretOf(dependency))) out[annotation(dependency)] = value;
  return out;
}

/** The version of each dependency's credentials the env reads by secretKeyRef (ResolvedApp.credentialVersions). */
function credentialsAnnotations(ctx: RenderContext, env: EnvVar[]): Record<string, string> {
  return readSecretAnnotations(
    env,
    ctx.app.credentialVersions,
    (dependency) => dependencyCredentialsName(ctx.app.app, dependency),
    credentialsAnnotation,
  );
}

/** The checksum of each managed endpoint the env reads by secretKeyRef (ResolvedApp.endpointChecksums). */
function endpointAnnotations(ctx: RenderContext, env: EnvVar[]): Record<string, string> {
  return readSecretAnnotations(
    env,
    ctx.app.endpointChecksums,
    (dependency) => ctx.app.dependencies[dependency]?.external?.secret,
    endpointAnnotation,
  );
}

/** The API server refuses two mounts at one path; /tmp is render's. */
function checkMountPaths(ctx: RenderContext, path: string, service: Service): void {
  const seen = new Map<string, string>([['/tmp', 'the writable /tmp render adds']]);
  const mounts = [
    ...(service.config ?? []).map((c, i): [string, string] => [c.path, `${path}.config[${i}].path`]),
    ...(service.volumes ?? []).map((v, i): [string, string] => [v.path, `${path}.volumes[${i}].path`]),
  ];
  for (const [mount, field] of mounts) {
    const other = seen.get(mount.replace(/\/+$/, ''));
    if (other)
      fail(
        ctx,
        field,
        `${mount} is already mounted by ${other}`,
        'give each config file and volume its own path',
      );
    seen.set(mount.replace(/\/+$/, ''), field);
  }
}

/** Fields a scheduled service cannot use; named rather than silently dropped. */
function warnUnusedForSchedule(ctx: RenderContext, path: string, service: Service): void {
  const unused = (
    ['port', 'ports', 'public', 'autoscale', 'health', 'terminationGracePeriod'] as const
  ).filter((k) => service[k] !== undefined);
  for (const k of unused)
    warn(ctx, `${path}.${k}`, 'not used by a scheduled service (CronJob): it does not serve traffic');
  if (service.replicas !== undefined && service.replicas !== 1)
    warn(ctx, `${path}.replicas`, 'not used by a scheduled service (CronJob)');
  if ((service.volumes ?? []).some((v) => !v.shared))
    fail(
      ctx,
      `${path}.volumes`,
      'a scheduled service can only mount shared volumes',
      'mark the volume shared: true',
    );
}

export interface RenderedService {
  objects: NamedObject[];
  /** Services and in-cluster dependencies this service's env references. */
  targets: string[];
  /** Services of other namespaces its env names by address. */
  endpoints: ClusterEndpoint[];
}

export function renderServiceObjects(ctx: RenderContext, name: string, service: Service): RenderedService {
  const parts = serviceParts(ctx, name, service);
  const meta = metadataFor(ctx, parts.labels);
  const base = objectName(ctx.app.app, name);
  const relax = relaxAnnotations({ ...ctx, warnings: [] }, parts.path, service);
  const identity = cloudIdentityMetadata(service).serviceAccountAnnotations;
  const account = renderServiceAccount(identity ? meta(base, identity) : meta(base));
  const objects: NamedObject[] = [account, ...parts.config.objects];
  for (const v of (service.volumes ?? []).filter((v) => v.shared))
    objects.push(renderSharedClaim(ctx, parts, v, meta));
  objects.push(...migration(ctx, parts));
  if (service.schedule) {
    warnUnusedForSchedule(ctx, parts.path, service);
    objects.push(renderCronJob(ctx, parts, meta(base, relax)));
    return { objects, targets: parts.env.targets, endpoints: parts.env.endpoints };
  }
  const stateful = ownsVolume(service);
  if (stateful && (service.replicas ?? 1) > 1)
    warn(
      ctx,
      `${parts.path}.volumes`,
      'each replica gets its own volume (StatefulSet); mark the volume shared: true for one volume all replicas mount',
    );
  objects.push(
    stateful
      ? renderStatefulSet(ctx, parts, meta(base, relax))
      : renderDeployment(ctx, parts, meta(base, relax)),
  );
  if (stateful)
    objects.push(
      renderHeadlessService(
        ctx.app.app,
        name,
        containerPorts(service),
        meta(objectName(ctx.app.app, name, 'headless')),
      ),
    );
  const svc = renderService(ctx.app.app, name, service, meta(base));
  if (svc) objects.push(svc);
  const kind = stateful ? 'StatefulSet' : 'Deployment';
  const extras = [
    renderHorizontalPodAutoscaler(kind, base, service, meta(base)),
    renderPodDisruptionBudget(ctx.app.app, name, service, meta(base)),
    renderPublic(ctx, parts.path, name, service, meta(base)),
    renderServiceMonitor(ctx, name, service, parts.labels),
  ];
  for (const o of extras) if (o) objects.push(o);
  return { objects, targets: parts.env.targets, endpoints: parts.env.endpoints };
}

function migration(ctx: RenderContext, parts: ServiceParts): NamedObject[] {
  const name = `${parts.name}-migrate`;
  const labels = standardLabels({
    app: ctx.app.app,
    name,
    component: 'migration',
    version: parts.labels['app.kubernetes.io/version'],
  });
  const job = renderMigrationJob(
    ctx,
    parts,
    (hash) => metadataFor(ctx, labels)(objectName(ctx.app.app, name, hash)),
    labels,
  );
  return job ? [job] : [];
}
