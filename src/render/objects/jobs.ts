/** Run-to-completion work: a service with a `schedule` (CronJob) and a service's migrations (Job). */
import type { NamedObject } from '@slipway/kube';
import {
  CRONJOB_BACKOFF_LIMIT,
  CRONJOB_HISTORY_LIMIT,
  MIGRATION_BACKOFF_LIMIT,
  MIGRATION_TTL_SECONDS,
} from '../defaults.js';
import type { RenderContext } from '../context.js';
import { contentHash } from '../hash.js';
import { formatImage, parseImage } from '../image.js';
import { durationSeconds } from '../units.js';
import { cloudIdentityMetadata } from './cloud-identity.js';
import { podSpec, type ServiceParts } from './pod.js';

export function renderCronJob(
  ctx: RenderContext,
  parts: ServiceParts,
  metadata: NamedObject['metadata'],
): NamedObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata,
    spec: {
      schedule: parts.service.schedule,
      // A run still going when the next is due is left alone; overlapping runs double the work.
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: CRONJOB_HISTORY_LIMIT,
      failedJobsHistoryLimit: CRONJOB_HISTORY_LIMIT,
      jobTemplate: {
        metadata: { labels: parts.labels },
        spec: {
          backoffLimit: CRONJOB_BACKOFF_LIMIT,
          template: {
            metadata: {
              labels: { ...parts.labels, ...cloudIdentityMetadata(parts.service).podLabels },
              annotations: annotations(parts),
            },
            spec: podSpec(ctx, parts, 'run', { restartPolicy: 'Never' }),
          },
        },
      },
    },
  };
}

/** Same image and command, same hash: re-applying a release finds its Job; a new release gets a new one. */
export function migrationHash(image: string, command: string[]): string {
  return contentHash({ image, command }).slice(0, 10);
}

export function migrationImage(parts: ServiceParts): string {
  const own = parts.service.migrations?.image;
  if (!own) return formatImage(parts.image);
  const ref = parseImage(own);
  return formatImage(
    ref.tag || ref.digest ? ref : { ...ref, tag: parts.image.tag, digest: parts.image.digest },
  );
}

export function renderMigrationJob(
  ctx: RenderContext,
  parts: ServiceParts,
  metadata: (hash: string) => NamedObject['metadata'],
  labels: Record<string, string>,
): NamedObject | undefined {
  const migrations = parts.service.migrations;
  if (!migrations) return undefined;
  const image = migrationImage(parts);
  const hash = migrationHash(image, migrations.command);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(hash),
    spec: {
      backoffLimit: migrations.backoffLimit ?? MIGRATION_BACKOFF_LIMIT,
      activeDeadlineSeconds: migrations.timeout ? durationSeconds(migrations.timeout) : undefined,
      ttlSecondsAfterFinished: MIGRATION_TTL_SECONDS,
      template: {
        metadata: {
          labels: { ...labels, ...cloudIdentityMetadata(parts.service).podLabels },
          annotations: annotations(parts),
        },
        spec: podSpec(ctx, { ...parts, labels }, 'run', {
          restartPolicy: 'Never',
          command: [...migrations.command],
          image,
        }),
      },
    },
  };
}

function annotations(parts: ServiceParts): Record<string, string> | undefined {
  return Object.keys(parts.annotations).length ? parts.annotations : undefined;
}
