/**
 * `slipway promote` and `slipway abort` reach a deploy that runs in another process through the
 * cluster, as everything else in Slipway does (no controller, no open port): they write the
 * revision they mean into a ConfigMap `slipway-control-<app>-<env>`, and the running deploy watches
 * it. Naming the revision makes a stale request harmless: a promote meant for revision 4 never
 * promotes revision 5.
 */
import type { KubeObject, ObjectRef } from '@slipway/kube';
import { isClusterError, type Cluster } from '../cluster/cluster.js';
import { FIELD_MANAGER } from './defaults.js';

export type ControlAction = 'promote' | 'abort';

interface ControlMap extends KubeObject {
  data?: Record<string, string>;
}

export function controlRef(namespace: string, app: string, environment: string): ObjectRef {
  return { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: `slipway-control-${app}-${environment}` };
}

/**
 * Records a promote or abort request for one revision. Promotions are counted, so each `slipway
 * promote` releases exactly one pause of that revision's deploy.
 */
export async function requestControl(
  cluster: Cluster,
  ref: ObjectRef,
  action: ControlAction,
  revision: number,
  by: string,
  at: Date,
): Promise<void> {
  const live = await cluster.get<ControlMap>(ref);
  const count = action === 'promote' && live?.data?.promote === String(revision) ? promotions(live) + 1 : 1;
  await cluster.apply(
    [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: ref.name, namespace: ref.namespace, labels: { owner: 'slipway' } },
        data: {
          [action]: String(revision),
          [`${action}By`]: by,
          [`${action}At`]: at.toISOString(),
          ...(action === 'promote' ? { promotions: String(count) } : {}),
        },
      },
    ],
    { fieldManager: `${FIELD_MANAGER}-${action}`, force: true },
  );
}

function promotions(map: ControlMap | undefined): number {
  return Number(map?.data?.promotions ?? 1) || 1;
}

function requested(map: ControlMap | undefined, action: ControlAction, revision: number): boolean {
  return map?.data?.[action] === String(revision);
}

export class AbortRequested extends Error {
  constructor(readonly by: string) {
    super(`aborted by ${by || 'slipway abort'}`);
    this.name = 'AbortRequested';
  }
}

/**
 * The pauses of one deploy: each `wait` resolves at the next `slipway promote` naming this
 * revision (one promote, one pause) and rejects with AbortRequested when `slipway abort` does.
 */
export class PromotionGate {
  private seen = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly ref: ObjectRef,
    private readonly revision: number,
  ) {}

  async wait(signal: AbortSignal): Promise<void> {
    const map = await this.cluster.watch<ControlMap>(
      this.ref,
      (m) =>
        requested(m, 'abort', this.revision) ||
        (requested(m, 'promote', this.revision) && promotions(m) > this.seen),
      signal,
    );
    if (requested(map, 'abort', this.revision)) throw new AbortRequested(map?.data?.abortBy ?? '');
    this.seen = promotions(map);
  }
}

/**
 * Watches for an abort of this revision for the whole deploy; calls `onAbort` once if one comes.
 * Resolves when `signal` ends the watch.
 */
export async function watchForAbort(
  cluster: Cluster,
  app: { app: string; environment: string; namespace: string },
  revision: number,
  signal: AbortSignal,
  onAbort: (err: AbortRequested) => void,
): Promise<void> {
  const ref = controlRef(app.namespace, app.app, app.environment);
  try {
    const map = await cluster.watch<ControlMap>(ref, (m) => requested(m, 'abort', revision), signal);
    onAbort(new AbortRequested(map?.data?.abortBy ?? ''));
  } catch (err) {
    if (!signal.aborted && !isClusterError(err)) throw err;
  }
}
