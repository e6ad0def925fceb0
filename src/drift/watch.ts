/**
 * `slipway drift --watch`: the check again whenever something it looks at changes, found by
 * watches (no polling): every kind the release applied plus the kinds orphans are looked for in,
 * labelled `app.kubernetes.io/part-of=<app>`, and the release records (a new deploy is a new
 * baseline). Changes are gathered for `settleMs` so that a burst (a rollout touching ten objects) is
 * one check; a drift is reported within seconds of the change that made it.
 */
import type { TypeRef } from '@slipway/kube';
import type { Clock } from '../engine/clock.js';
import { LinkedSignal } from '../engine/deadline.js';
import type { ResolvedApp } from '../spec/resolved.js';
import { LABEL_APP } from '../engine/releases/secrets.js';
import { checkDrift, currentRelease, ORPHAN_TYPES, type DriftContext, type DriftReport } from './check.js';
import { releasedObjects } from './released.js';

export interface WatchOptions {
  clock: Clock;
  /** The contents of the files the working tree's spec names (`config[].from`). */
  files?: Record<string, string>;
  /** How long to gather changes before checking (default 2 s). */
  settleMs?: number;
  /** Each check's report, with the time it finished. */
  onReport(report: DriftReport, at: Date): void;
  /** A check that failed (the API server went away): reported, and the watch goes on. */
  onError(err: Error): void;
  signal: AbortSignal;
}

const DEFAULT_SETTLE_MS = 2_000;

/** The types to watch: what the release applied and where orphans are looked for. */
export async function watchedTypes(ctx: DriftContext, app: ResolvedApp): Promise<TypeRef[]> {
  const release = await currentRelease(ctx.store, app.app, app.environment);
  const ns = release.spec.namespace;
  const seen = new Map<string, TypeRef>();
  for (const t of [...ORPHAN_TYPES, ...releasedObjects(release).objects])
    seen.set(`${t.apiVersion}/${t.kind}`, { apiVersion: t.apiVersion, kind: t.kind, namespace: ns });
  return [...seen.values()].sort((a, b) =>
    `${a.apiVersion}/${a.kind}`.localeCompare(`${b.apiVersion}/${b.kind}`),
  );
}

/** Runs until `signal` aborts: a check at start, then one after every settled burst of changes. */
export async function watchDrift(ctx: DriftContext, app: ResolvedApp, opts: WatchOptions): Promise<void> {
  const settle = opts.settleMs ?? DEFAULT_SETTLE_MS;
  let dirty = true;
  let wake: (() => void) | undefined;
  const changed = () => {
    dirty = true;
    wake?.();
  };
  const types = await watchedTypes(ctx, app);
  const ns = types[0]?.namespace;
  const stop = new LinkedSignal([opts.signal]);
  const watches = [
    ...types.map((type) => ({ type, selector: { 'app.kubernetes.io/part-of': app.app } })),
    { type: { apiVersion: 'v1', kind: 'Secret', namespace: ns }, selector: { [LABEL_APP]: app.app } },
  ].map(({ type, selector }) => {
    let first = true;
    return ctx.cluster
      .watchList(
        type,
        { labelSelector: selector },
        () => {
          // The first call is the initial list, which the first check covers.
          if (!first) changed();
          first = false;
          return false;
        },
        stop.signal,
      )
      .catch((err: Error) => {
        if (!stop.signal.aborted) opts.onError(err);
      });
  });
  try {
    while (!opts.signal.aborted) {
      if (!dirty) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          opts.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        wake = undefined;
        if (opts.signal.aborted) break;
        await opts.clock.sleep(settle, opts.signal).catch(() => undefined);
        if (opts.signal.aborted) break;
      }
      dirty = false;
      try {
        opts.onReport(await checkDrift(ctx, app, opts.files), opts.clock.now());
      } catch (err) {
        opts.onError(err as Error);
      }
    }
  } finally {
    stop.abort(new Error('drift watch stopped'));
    await Promise.all(watches);
  }
}
