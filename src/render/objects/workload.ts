/**
 * The long-running workload of a service: a Deployment, or a StatefulSet when it owns a volume
 * that must not be shared (each replica then gets its own claim from volumeClaimTemplates).
 */
import type { NamedObject } from '@slipway/kube';
import type { Service, Volume } from '../../spec/schema.js';
import {
  DEFAULT_REPLICAS,
  REVISION_HISTORY_LIMIT,
  ROLLING_MAX_SURGE,
  ROLLING_MAX_UNAVAILABLE,
} from '../defaults.js';
import type { RenderContext } from '../context.js';
import { objectName, selectorLabels } from '../names.js';
import { durationSeconds } from '../units.js';
import { cloudIdentityMetadata } from './cloud-identity.js';
import { podSpec, type ServiceParts } from './pod.js';

export function ownsVolume(service: Service): boolean {
  return (service.volumes ?? []).some((v) => !v.shared);
}

/** Replicas on the workload: none when an HPA owns the count (it would fight every apply). */
export function workloadReplicas(service: Service): number | undefined {
  return service.autoscale ? undefined : (service.replicas ?? DEFAULT_REPLICAS);
}

/** Spread over nodes and zones; `preferred` (default) never blocks scheduling on a small cluster. */
export function topologySpread(
  app: string,
  name: string,
  service: Service,
  withTemplateHash: boolean,
): Array<Record<string, unknown>> | undefined {
  const spread = service.placement?.spread ?? 'preferred';
  if (spread === 'none') return undefined;
  return ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: spread === 'required' ? 'DoNotSchedule' : 'ScheduleAnyway',
    labelSelector: { matchLabels: selectorLabels(app, name) },
    // Count only the pods of the same revision, so a rollout spreads its new pods too.
    matchLabelKeys: withTemplateHash ? ['pod-template-hash'] : undefined,
  }));
}

function template(
  ctx: RenderContext,
  parts: ServiceParts,
  withTemplateHash: boolean,
): Record<string, unknown> {
  const spec = podSpec(ctx, parts, 'serve');
  return {
    metadata: {
      labels: { ...parts.labels, ...cloudIdentityMetadata(parts.service).podLabels },
      annotations: Object.keys(parts.annotations).length ? parts.annotations : undefined,
    },
    spec: {
      ...spec,
      topologySpreadConstraints: topologySpread(ctx.app.app, parts.name, parts.service, withTemplateHash),
    },
  };
}

export function renderDeployment(
  ctx: RenderContext,
  parts: ServiceParts,
  metadata: NamedObject['metadata'],
): NamedObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: workloadReplicas(parts.service),
      revisionHistoryLimit: REVISION_HISTORY_LIMIT,
      // The Deployment controller marks a rollout failed (Progressing=False) after this long without progress.
      progressDeadlineSeconds: ctx.app.deploy.progressDeadline
        ? durationSeconds(ctx.app.deploy.progressDeadline)
        : undefined,
      // A pod counts as available only once ready this long: a process that passes its readiness probe and then crashes never completes a rollout.
      minReadySeconds: ctx.app.deploy.minReady ? durationSeconds(ctx.app.deploy.minReady) : undefined,
      selector: { matchLabels: selectorLabels(ctx.app.app, parts.name) },
      // Surge first, never remove a ready pod before its replacement is ready.
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: ROLLING_MAX_UNAVAILABLE, maxSurge: ROLLING_MAX_SURGE },
      },
      template: template(ctx, parts, true),
    },
  };
}

export function claimTemplate(volume: Volume, labels: Record<string, string>): Record<string, unknown> {
  return {
    metadata: { name: volume.name, labels },
    spec: {
      accessModes: [volume.accessMode ?? 'ReadWriteOnce'],
      storageClassName: volume.storageClass,
      resources: { requests: { storage: volume.size } },
    },
  };
}

export function renderStatefulSet(
  ctx: RenderContext,
  parts: ServiceParts,
  metadata: NamedObject['metadata'],
): NamedObject {
  const owned = (parts.service.volumes ?? []).filter((v) => !v.shared);
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata,
    spec: {
      replicas: workloadReplicas(parts.service),
      revisionHistoryLimit: REVISION_HISTORY_LIMIT,
      serviceName: objectName(ctx.app.app, parts.name, 'headless'),
      // As for a Deployment: the rolling update moves to the next ordinal, and the rollout completes, only on a pod ready this long.
      minReadySeconds: ctx.app.deploy.minReady ? durationSeconds(ctx.app.deploy.minReady) : undefined,
      selector: { matchLabels: selectorLabels(ctx.app.app, parts.name) },
      updateStrategy: { type: 'RollingUpdate' },
      // Claims outlive the StatefulSet: data is never deleted by a render change.
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: template(ctx, parts, false),
      volumeClaimTemplates: owned.map((v) => claimTemplate(v, selectorLabels(ctx.app.app, parts.name))),
    },
  };
}

/** A standalone claim for a volume several replicas share. */
export function renderSharedClaim(
  ctx: RenderContext,
  parts: ServiceParts,
  volume: Volume,
  metadata: (name: string) => NamedObject['metadata'],
): NamedObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: metadata(objectName(ctx.app.app, parts.name, volume.name)),
    spec: {
      accessModes: [volume.accessMode ?? 'ReadWriteMany'],
      storageClassName: volume.storageClass,
      resources: { requests: { storage: volume.size } },
    },
  };
}
