/**
 * The objects a release applied, kept in its record so that a rollback or an automatic revert
 * applies exactly them (Helm keeps each revision's manifest in its record for the same reason)
 * instead of rendering the recorded spec again with today's Slipway, which may render otherwise and
 * has no longer the files the spec read (`config[].from`). The record is stored gzip-compressed
 * (releases/secrets.ts), so the objects add little to its size.
 *
 * Secret data is never kept: a rendered Secret is recorded as a reference (kind, name, labels) with
 * the SHA-256 of its data in an annotation, and is left out when the release is applied again: the
 * live Secret stays as it is. Records written before the objects were kept have none; for those
 * the recorded spec is rendered again, with a note saying so.
 */
import type { KubeObject } from '@slipway/kube';
import { createHash } from 'node:crypto';
import { UserError, EXIT_NEEDS_ATTENTION } from '../../errors.js';
import { renderObjects } from '../prepare.js';
import type { Release } from './release.js';

/** On a recorded Secret: the SHA-256 (hex) of its data and stringData, in place of them. */
export const RECORDED_DATA_CHECKSUM = 'slipway.dev/recorded-data-sha256';

/** The objects as a release record keeps them: copies, each Secret's data replaced by its checksum. */
export function recordedObjects(objects: readonly KubeObject[]): KubeObject[] {
  return objects.map((o) => {
    if (o.kind !== 'Secret' || o.apiVersion !== 'v1') return structuredClone(o);
    const { data, stringData, ...rest } = o as KubeObject & { data?: unknown; stringData?: unknown };
    const sum = createHash('sha256')
      .update(JSON.stringify([sortedEntries(data), sortedEntries(stringData)]))
      .digest('hex');
    return {
      ...structuredClone(rest),
      metadata: {
        ...structuredClone(rest.metadata),
        annotations: { ...rest.metadata.annotations, [RECORDED_DATA_CHECKSUM]: sum },
      },
    } as KubeObject;
  });
}

function sortedEntries(value: unknown): [string, unknown][] {
  return value && typeof value === 'object'
    ? Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))
    : [];
}

/** True for a Secret the record keeps as a reference only: never applied again. */
export function isSecretReference(o: KubeObject): boolean {
  return o.kind === 'Secret' && o.metadata.annotations?.[RECORDED_DATA_CHECKSUM] !== undefined;
}

export interface ReleaseObjects {
  /** What the release applied, as rendered (before a blue-green colouring), Secret references left out. */
  objects: KubeObject[];
  /** Set when the record kept no objects and its spec was rendered again with this version. */
  note?: string;
}

/** What `release` applied: its recorded objects, or for an older record its spec rendered again. */
export function releaseObjects(release: Release): ReleaseObjects {
  if (release.objects)
    return { objects: structuredClone(release.objects.filter((o) => !isSecretReference(o))) };
  try {
    return {
      objects: renderObjects(release.spec).objects,
      note: `revision ${release.revision} was recorded by a Slipway that kept no objects in its release record: its recorded spec was rendered again with this version`,
    };
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    throw new UserError(
      `revision ${release.revision} was recorded by a Slipway that kept no objects in its release record, and its recorded spec no longer renders: ${err.message.split('\n')[0]}`,
      {
        code: 'release-unrenderable',
        exitCode: EXIT_NEEDS_ATTENTION,
        hint: `deploy the version you want with \`slipway deploy --env ${release.environment}\`; releases recorded from now on keep their objects`,
      },
    );
  }
}
