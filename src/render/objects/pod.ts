/**
 * The pod template shared by a service's Deployment/StatefulSet, CronJob and migration Job:
 * one container, secure contexts, writable /tmp, env, config files and volumes.
 */
import type { ResolvedApp } from '../../spec/resolved.js';
import type { Service } from '../../spec/schema.js';
import {
  METRICS_PORT_NAME,
  PRESTOP_DELAY_SECONDS,
  SLEEP_ACTION_MINOR,
  TERMINATION_GRACE_SECONDS,
  TMP_SIZE_LIMIT,
} from '../defaults.js';
import { fail, warn, type RenderContext } from '../context.js';
import { formatImage, type ImageRef } from '../image.js';
import { mainPort } from '../references.js';
import { durationSeconds } from '../units.js';
import type { ServiceConfig } from './config.js';
import type { ServiceEnv } from './env.js';
import { probes } from './probes.js';
import { containerResources } from './resources.js';
import { containerSecurityContext, podSecurityContext, type PodIdentity } from './security.js';

export interface ServiceParts {
  path: string;
  name: string;
  service: Service;
  image: ImageRef;
  env: ServiceEnv;
  config: ServiceConfig;
  identity: PodIdentity;
  serviceAccount: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Volumes the pod mounts besides /tmp and config (PVC references for shared volumes). */
  volumes: Array<Record<string, unknown>>;
}

export function containerPorts(service: Service): Array<Record<string, unknown>> {
  const declared = service.ports?.length
    ? service.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol ?? 'TCP' }))
    : service.port !== undefined
      ? [{ name: 'http', containerPort: service.port, protocol: 'TCP' }]
      : [];
  // `metrics.port` on a port of its own: a port named metrics, which the ServiceMonitor scrapes.
  const metrics = service.metrics?.port;
  if (metrics === undefined || declared.some((p) => p.containerPort === metrics)) return declared;
  return [...declared, { name: METRICS_PORT_NAME, containerPort: metrics, protocol: 'TCP' }];
}

/** The container; `kind` decides whether it serves (probes, preStop) or runs to completion. */
export function container(
  ctx: RenderContext,
  parts: ServiceParts,
  kind: 'serve' | 'run',
  overrides: { command?: string[]; image?: string } = {},
): Record<string, unknown> {
  const { service, path } = parts;
  const serving = kind === 'serve';
  return {
    name: parts.name,
    image: overrides.image ?? formatImage(parts.image),
    command: overrides.command ?? (service.command ? [...service.command] : undefined),
    args: overrides.command ? undefined : service.args ? [...service.args] : undefined,
    ports: serving && containerPorts(service).length ? containerPorts(service) : undefined,
    envFrom: parts.config.envFrom.length ? parts.config.envFrom : undefined,
    env: parts.env.env.length ? parts.env.env : undefined,
    resources: containerResources(ctx, path, service.resources),
    ...(serving ? probes(ctx, path, service, mainPort(service)) : {}),
    lifecycle: serving ? { preStop: preStop(ctx) } : undefined,
    securityContext: containerSecurityContext(service),
    volumeMounts: [
      { name: 'tmp', mountPath: '/tmp' },
      ...parts.config.mounts,
      ...(service.volumes ?? []).map((v) => ({ name: v.name, mountPath: v.path })),
    ],
  };
}

/**
 * The kubelet's own sleep action (KEP-3960: beta and on by default since 1.30, GA in 1.34) needs no
 * `sleep` binary in the image. A spec that targets an older `kubernetes.version` gets an exec hook.
 */
export function preStop(ctx: RenderContext): Record<string, unknown> {
  const minor = Number(ctx.app.kubernetes?.version?.split('.')[1] ?? SLEEP_ACTION_MINOR);
  if (minor >= SLEEP_ACTION_MINOR) return { sleep: { seconds: PRESTOP_DELAY_SECONDS } };
  warn(
    ctx,
    'kubernetes.version',
    `Kubernetes ${ctx.app.kubernetes?.version} has no preStop sleep action by default: the hook runs \`sleep\` from the image, which must contain it`,
  );
  return { exec: { command: ['sleep', String(PRESTOP_DELAY_SECONDS)] } };
}

export function terminationGrace(ctx: RenderContext, parts: ServiceParts): number {
  const given = parts.service.terminationGracePeriod;
  if (given === undefined) return TERMINATION_GRACE_SECONDS;
  const seconds = durationSeconds(given);
  if (seconds <= PRESTOP_DELAY_SECONDS) {
    fail(
      ctx,
      `${parts.path}.terminationGracePeriod`,
      `${given} leaves no time after the ${PRESTOP_DELAY_SECONDS}s preStop delay`,
      `use more than ${PRESTOP_DELAY_SECONDS}s`,
    );
  }
  return seconds;
}

/** `imagePullSecrets` of every pod of the app (spec: imagePullSecrets, per environment like any field). */
export function imagePullSecrets(app: ResolvedApp): Array<{ name: string }> | undefined {
  const names = app.imagePullSecrets ?? [];
  return names.length ? names.map((name) => ({ name })) : undefined;
}

export function podSpec(
  ctx: RenderContext,
  parts: ServiceParts,
  kind: 'serve' | 'run',
  extra: { restartPolicy?: string; command?: string[]; image?: string } = {},
): Record<string, unknown> {
  const placement = parts.service.placement;
  return {
    serviceAccountName: parts.serviceAccount,
    automountServiceAccountToken: false,
    imagePullSecrets: imagePullSecrets(ctx.app),
    securityContext: podSecurityContext(parts.service, parts.identity),
    restartPolicy: extra.restartPolicy,
    terminationGracePeriodSeconds: kind === 'serve' ? terminationGrace(ctx, parts) : undefined,
    nodeSelector: placement?.nodeSelector,
    tolerations: placement?.tolerations,
    containers: [container(ctx, parts, kind, extra)],
    volumes: [
      { name: 'tmp', emptyDir: { sizeLimit: TMP_SIZE_LIMIT } },
      ...parts.config.volumes,
      ...parts.volumes,
    ],
  };
}
