/**
 * ControllerRevisions for StatefulSets and DaemonSets (pkg/controller/history): one per distinct
 * pod template, named `<owner>-<hash>`, numbered in order of use; re-using an old template (a
 * rollback) moves its revision to the top. `kubectl rollout history` lists them and
 * `kubectl rollout undo` applies their `data` (the template, as a strategic-merge patch that
 * replaces it) to the owner.
 */
import type { KubeObject } from '@slipway/kube';
import type { LoopContext } from './loop.js';
import { isControlledBy, ownerRefTo, type Obj } from './objects.js';

export const HASH_LABEL = 'controller.kubernetes.io/hash';

export function syncControllerRevision(
  ctx: LoopContext,
  owner: KubeObject,
  template: Obj | undefined,
  hash: string,
  historyLimit: number,
): void {
  const type = ctx.store.typeFor('apps/v1', 'ControllerRevision');
  if (!type) return;
  const namespace = owner.metadata.namespace;
  const name = `${owner.metadata.name}-${hash}`;
  const owned = ctx.store.list(type, namespace).items.filter((r) => isControlledBy(r, owner));
  const top = owned.reduce((m, r) => Math.max(m, Number(r.revision ?? 0)), 0);
  const existing = owned.find((r) => r.metadata.name === name);
  if (!existing) {
    const labels = {
      ...(((template?.metadata as Obj | undefined)?.labels as Record<string, string> | undefined) ?? {}),
      [HASH_LABEL]: hash,
    };
    ctx.store.create({
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name, namespace, labels, ownerReferences: [ownerRefTo(owner)] },
      data: { spec: { template: { ...(template ?? {}), $patch: 'replace' } } },
      revision: top + 1,
    });
  } else if (Number(existing.revision ?? 0) < top) {
    ctx.store.update({ ...existing, revision: top + 1 });
  }
  // Truncate history: the oldest revisions beyond the limit go (the current one never does).
  const old = owned
    .filter((r) => r.metadata.name !== name)
    .sort((a, b) => Number(a.revision) - Number(b.revision));
  for (const r of old.slice(0, Math.max(0, old.length - historyLimit))) {
    try {
      ctx.store.delete(type, namespace, r.metadata.name as string);
    } catch {
      // Already gone.
    }
  }
}
