/**
 * What the environment's current release applied: the objects its record kept (an older record's
 * spec rendered again, engine/releases/objects.ts), coloured for blue-green as the engine serves
 * them (the colour Deployments, the active Services selecting the colour that served), narrowed to
 * the objects in its inventory when it kept one. Canary copies exist only during a rollout and are
 * listed as unchecked rather than guessed.
 */
import type { KubeObject, ObjectRef } from '@slipway/kube';
import { refOf } from '../cluster/cluster.js';
import { renderApp } from '../render/index.js';
import { servedObjects } from '../engine/strategies/colours.js';
import { releaseObjects } from '../engine/releases/objects.js';
import type { Release } from '../engine/releases/release.js';
import type { ResolvedApp } from '../spec/resolved.js';

export interface ReleasedObjects {
  objects: KubeObject[];
  /** Inventory entries the spec does not render under the same name (blue-green colours, canaries). */
  unchecked: ObjectRef[];
}

export function objectKey(ref: { kind: string; namespace?: string; name: string }): string {
  return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

export function releasedObjects(release: Release): ReleasedObjects {
  const ns = release.spec.namespace;
  // Blue-green: the colour Deployments and the Services selecting the colour that served, as the engine applied them.
  const rendered = servedObjects(release);
  if (!release.inventory?.length) return { objects: rendered, unchecked: [] };
  const inventory = new Map(
    release.inventory.map((e) => [objectKey({ ...e, namespace: e.namespace ?? ns }), e] as const),
  );
  const objects = rendered.filter((o) => inventory.has(objectKey(refOf(o, ns))));
  const renderedKeys = new Set(objects.map((o) => objectKey(refOf(o, ns))));
  const unchecked = [...inventory.entries()]
    .filter(([key]) => !renderedKeys.has(key))
    .map(([, e]) => ({ ...e, namespace: e.namespace ?? ns }));
  return { objects, unchecked };
}

/** True when the working tree renders other objects than the release did (a deploy would change something). */
export function workingTreeDiffers(
  release: Release,
  working: ResolvedApp,
  files: Record<string, string> = {},
): boolean {
  const canonical = (objects: KubeObject[]) =>
    JSON.stringify(
      objects.map((o) => o).sort((a, b) => objectKey(refOf(a)).localeCompare(objectKey(refOf(b)))),
    );
  return (
    canonical(releaseObjects(release).objects) !==
    canonical(renderApp(working, { files }).objects as KubeObject[])
  );
}
