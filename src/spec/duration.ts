/**
 * Durations as the spec writes them (`30s`, `5m`, `1h30m`, `500ms`): Go's time.ParseDuration syntax,
 * parsed by @slipway/kube, the one parser the spec, render, the engine and the sandbox share.
 */
import { parseDuration } from '@slipway/kube';

export { formatDuration, parseDuration } from '@slipway/kube';

export function durationOr(text: string | undefined, fallbackMs: number): number {
  return text === undefined ? fallbackMs : parseDuration(text);
}

/** A whole deploy (migrations, rollout, analysis) gives up after this long unless `--timeout` or deploy.timeout says otherwise. */
export const DEFAULT_DEPLOY_TIMEOUT = '15m';
