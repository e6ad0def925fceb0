import { DEFAULT_DEPLOY_TIMEOUT, parseDuration } from '../spec/duration.js';
import type { Deploy } from '../spec/schema.js';

/**
 * The engine's named defaults, in one place. Each says why it has the value it has.
 */

/** A deploy lock not renewed for this long is taken over. Long enough to survive a slow API call, short enough that a crashed deploy does not block the next one for long. */
export const LOCK_TTL_SECONDS = 60;
/** Renew at a third of the TTL, as client-go leader election does (RenewDeadline < LeaseDuration), so two missed renewals still keep the lock. */
export const LOCK_RENEW_FRACTION = 1 / 3;

/** A whole deploy (migrations, rollout, analysis) gives up after this long unless `--timeout` or deploy.timeout says otherwise. */
export const DEPLOY_TIMEOUT_SECONDS = parseDuration(DEFAULT_DEPLOY_TIMEOUT) / 1000;

/** Kubernetes minor version the deploy's policy check targets for removed APIs (the check command's default). */
export const CHECK_KUBE_VERSION = { major: 1, minor: 36 };

/** Field manager for server-side apply, so `kubectl` shows who owns which fields. */
export const FIELD_MANAGER = 'slipway';

/** A rollout that makes no progress for this long has failed (the Deployment default, progressDeadlineSeconds 600). */
export const PROGRESS_DEADLINE_SECONDS = 600;

/** A new pod that fails (restarts, failed pulls) more often than this ends the rollout at once: werf's failures-allowed-per-replica, which "more than two" errors per replica mirrors. */
export const FAILURES_ALLOWED_PER_REPLICA = 2;

/** How long the previous colour stays warm after a switch (issue 6: default 30 s). */
export const SCALE_DOWN_DELAY_SECONDS = 30;

/** Canary steps when the spec names none: a fifth of the traffic, then wait for `slipway promote`. */
export const CANARY_DEFAULT_STEPS: NonNullable<Deploy['canary']>['steps'] = [{ weight: 20 }, { pause: {} }];

/** Analysis: Argo Rollouts' defaults (count and interval when unset: one measurement). */
export const ANALYSIS_INTERVAL_SECONDS = 60;
export const ANALYSIS_COUNT = 1;
export const ANALYSIS_FAILURE_LIMIT = 0;
export const ANALYSIS_INCONCLUSIVE_LIMIT = 0;
export const ANALYSIS_NO_DATA = 'inconclusive' as const;
/** A single HTTP check or Prometheus query slower than this counts as an error measurement. */
export const ANALYSIS_REQUEST_TIMEOUT_MS = 10_000;
/** Consecutive provider errors (unreachable Prometheus) before the run is inconclusive: Argo's consecutiveErrorLimit default is 4. */
export const ANALYSIS_CONSECUTIVE_ERROR_LIMIT = 4;

/** Putting the previous release back gets its own time budget: it must still run after the deploy's own timeout ran out. */
export const ROLLBACK_TIMEOUT_SECONDS = 300;
